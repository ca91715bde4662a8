/// A wait that ran out of time; distinct from `CancellationError`.
package struct TimeoutError: Error, Sendable, CustomStringConvertible {
    /// How long was waited.
    package var duration: Duration
    /// Creates the error.
    package init(duration: Duration) { self.duration = duration }
    /// `timed out after 2.5s`.
    package var description: String { "timed out after \(duration.humanReadable)" }
}

/// Runs `operation`, and cancels it and throws `TimeoutError` if it has not finished after `duration`.
///
/// The operation runs as a child task; when the limit passes it is cancelled and this function
/// waits for it to finish unwinding (operations must honour cancellation). Cancelling the caller
/// cancels the operation and rethrows its `CancellationError`.
/// - Throws: `TimeoutError` when the limit passes, else whatever `operation` throws.
package func withTimeout<R: Sendable>(
    _ duration: Duration, operation: @escaping @Sendable () async throws -> R
) async throws -> R {
    // A deadline nobody pauses: it runs out after `duration` (RequestDeadline.swift).
    try await withTimeout(RequestDeadline(duration), operation: operation)
}

extension Duration {
    /// Milliseconds, rounded down.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// `250ms`, `2.5s`, `3m`.
    package var humanReadable: String {
        let ms = milliseconds
        if ms < 1000 { return "\(ms)ms" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(Double(ms) / 1000)s"
    }
}
