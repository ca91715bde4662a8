/// A value set once, awaited by any number of tasks.
///
/// Unlike an `AsyncStream`, any number of tasks may wait, and a waiter that is cancelled (a
/// `withTimeout` running out) leaves the latch usable for the next one: `wait()` returns nil then.
/// Set from any thread (a child's exit, a stream's first answer).
package final class Latch<Value: Sendable>: Sendable {
    private struct State: Sendable {
        var value: Value?
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var cancelled: Set<Int> = []
        var nextID = 0
    }

    private let state = Locked(State())

    /// An unset latch.
    package init() {}

    /// The value, once set.
    package var value: Value? { state.value.value }

    /// Sets the value, unless it was set before, and wakes every waiter.
    package func set(_ value: Value) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.value == nil else { return [] }
            state.value = value
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Suspends until the value is set or the task is cancelled.
    /// - Returns: the value, or nil when cancelled first.
    package func wait() async -> Value? {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.value != nil || state.cancelled.contains(id) { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.cancelled.insert(id)
                return state.waiters.removeValue(forKey: id)
            }
            waiter?.resume()
        }
        state.withLock { _ = $0.cancelled.remove(id) }
        return value
    }
}
