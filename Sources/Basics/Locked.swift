import Synchronization

/// The project's only lock: a `Mutex` wrapper whose closure is synchronous, so nothing can
/// `await` while it is held. Used where a synchronous callback (curl's, a signal handler's)
/// shares state with async code.
package final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    /// Creates the lock around an initial value.
    package init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` with exclusive access to the value.
    package func withLock<R: Sendable>(_ body: (inout sending Value) throws -> sending R) rethrows -> R {
        try mutex.withLock(body)
    }

    /// A copy of the current value.
    package var value: Value { mutex.withLock { $0 } }
}
