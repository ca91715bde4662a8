import Basics

/// A value that changes over time (bytes read from a pipe, a process's exit status), with async
/// waits for a condition on it, each bounded by a deadline.
///
/// Updates come from any thread (the pipe readers are plain threads); waiters are resumed outside
/// the lock. Cancelling a waiting task ends its wait at once.
final class Observed<Value: Sendable>: Sendable {
    private struct Waiter: Sendable {
        var isSatisfied: @Sendable (Value) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State: Sendable {
        var value: Value
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
        var cancelledBeforeRegistering: Set<Int> = []
    }

    private let state: Locked<State>

    /// Creates it with an initial value.
    init(_ value: Value) { state = Locked(State(value: value)) }

    /// The current value.
    var value: Value { state.withLock { $0.value } }

    /// Changes the value and wakes the waiters whose condition now holds.
    func update(_ change: @Sendable (inout Value) -> Void) {
        let ready: [CheckedContinuation<Void, Never>] = state.withLock { state in
            change(&state.value)
            var ready: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in state.waiters where waiter.isSatisfied(state.value) {
                ready.append(waiter.continuation)
                state.waiters[id] = nil
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    /// Waits until `condition` holds for the value, for at most `timeout`.
    ///
    /// - Returns: the value that satisfied the condition, or nil when the deadline passed or the
    ///   task was cancelled first.
    func wait(
        timeout: Duration, until condition: @escaping @Sendable (Value) -> Bool
    ) async -> Value? {
        if let value = satisfied(condition) { return value }
        do {
            return try await withTimeout(timeout) {
                await self.suspend(until: condition)
                try Task.checkCancellation()
                return self.value
            }
        } catch {
            return nil
        }
    }

    private func satisfied(_ condition: @Sendable (Value) -> Bool) -> Value? {
        state.withLock { state in condition(state.value) ? state.value : nil }
    }

    /// Suspends until `condition` holds or the task is cancelled.
    private func suspend(until condition: @escaping @Sendable (Value) -> Bool) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.cancelledBeforeRegistering.remove(id) != nil || condition(state.value) { return true }
                    state.waiters[id] = Waiter(isSatisfied: condition, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    state.cancelledBeforeRegistering.insert(id)
                    return nil as Waiter?
                }
                return waiter
            }
            waiter?.continuation.resume()
        }
    }
}
