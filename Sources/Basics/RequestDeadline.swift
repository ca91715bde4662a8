/// A request's time limit that stops counting while a person is being waited for.
///
/// A request that needs an OAuth login (a first run on a terminal, a refused refresh token, a
/// step-up) waits for a person in the middle of its HTTP exchange. That wait has its own limits
/// (5 minutes for the browser login, the device code's lifetime, the token cache's lock); it must
/// not count against the request's (60 s by default), or a person who takes a minute to log in
/// would see the request time out (contract §7). The session binds the request's deadline to
/// `current` while it runs; code that waits for a person runs inside `excluding(_:)`.
///
/// An actor: `pause`/`resume` come from the request's task, `timeLeft` and `untilCounting` from
/// the timer task of `withTimeout(_:operation:)`.
package actor RequestDeadline {
    /// The request's own limit: the time it may take, not counting pauses.
    package let limit: Duration
    /// The deadline that was current when this one was made (an enclosing request's), paused
    /// along with this one.
    let parent: RequestDeadline?
    private var counted: Duration = .zero
    /// When counting last resumed; nil while paused.
    private var since: ContinuousClock.Instant? = .now
    private var pauses = 0
    /// The timer task waiting for counting to resume (one per deadline).
    private var waiter: CheckedContinuation<Void, Never>?

    /// The deadline of the request the current task works for, if any.
    @TaskLocal package static var current: RequestDeadline?

    /// A deadline of `limit`, counting from now, nested in the current one (if any).
    package init(_ limit: Duration) {
        self.limit = limit
        parent = Self.current
    }

    /// Runs `body` with the current request's deadline (if any) and the deadlines it is nested
    /// in paused: time spent in `body` does not count. Pauses nest.
    package static func excluding<R: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R
    ) async throws -> R {
        var chain: [RequestDeadline] = []
        var next = current
        while let deadline = next {
            chain.append(deadline)
            next = deadline.parent
        }
        for deadline in chain { await deadline.pause() }
        do {
            let result = try await body()
            for deadline in chain { await deadline.resume() }
            return result
        } catch {
            for deadline in chain { await deadline.resume() }
            throw error
        }
    }

    /// The time left, or nil while paused.
    package func timeLeft() -> Duration? {
        guard let since else { return nil }
        return limit - counted - (ContinuousClock.now - since)
    }

    func pause() {
        pauses += 1
        if pauses == 1, let since {
            counted += ContinuousClock.now - since
            self.since = nil
        }
    }

    func resume() {
        pauses -= 1
        guard pauses == 0 else { return }
        since = .now
        wake()
    }

    /// Returns once counting has resumed: at once when it is not paused, or when the calling
    /// task is cancelled (checked here, and through `wake()` from its cancellation handler).
    func untilCounting() async {
        guard since == nil, !Task.isCancelled else { return }
        await withCheckedContinuation { waiter = $0 }
    }

    /// Resumes the timer task waiting in `untilCounting()`, if any.
    func wake() {
        waiter?.resume()
        waiter = nil
    }
}

/// Runs `operation`, and cancels it and throws `TimeoutError` once `deadline` has run out:
/// `deadline.limit` of time that was not spent inside `RequestDeadline.excluding(_:)`.
///
/// As `withTimeout(_:operation:)`: the operation is a child task, cancelled and awaited when the
/// limit passes. The timer sleeps the whole limit first and consults the deadline only when it
/// wakes, so a request that was never paused costs no more than a plain timeout.
/// - Throws: `TimeoutError` (with `deadline.limit`) when it runs out, else whatever `operation` throws.
package func withTimeout<R: Sendable>(
    _ deadline: RequestDeadline, operation: @escaping @Sendable () async throws -> R
) async throws -> R {
    try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            var wait = deadline.limit
            while true {
                try await Task.sleep(for: wait)
                if let left = await deadline.timeLeft() {
                    if left <= .zero { return nil }
                    wait = left
                    continue
                }
                await withTaskCancellationHandler {
                    await deadline.untilCounting()
                } onCancel: {
                    // Unstructured: hops from the synchronous cancellation handler onto the actor.
                    Task(executorPreference: EventLoop.preferred) { await deadline.wake() }
                }
                try Task.checkCancellation()
                wait = await deadline.timeLeft() ?? .zero
            }
        }
        defer { group.cancelAll() }
        while let next = try await group.next() {
            if let value = next { return value }
            throw TimeoutError(duration: deadline.limit)
        }
        throw CancellationError()
    }
}
