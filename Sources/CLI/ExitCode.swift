import Results

/// The process exit status of `mcp-run` (contract §6, STYLE.md §4).
///
/// `exitCode(for:)` below is the one place where error types and codes map to exit codes; each layer's
/// error type gets a case there when the commands start to see it.
package enum ExitCode: Int32, Sendable, Hashable, CaseIterable {
    /// Everything succeeded.
    case succeeded = 0
    /// A step failed (the results document says which).
    case stepFailed = 1
    /// A usage or workflow error: nothing was called.
    case usage = 2
    /// Authorization is needed or was refused (for example, a login is needed but the run is
    /// non-interactive).
    case auth = 3
    /// A server could not be reached or broke the protocol.
    case unreachable = 4
    /// Interrupted by SIGINT, SIGTERM or SIGHUP.
    case interrupted = 130

    /// The exit code for a finished run whose document has no run-level `error`: `succeeded` → 0,
    /// `failed` → 1, `cancelled` → 130. A run-level error maps through `exitCode(for:)` instead.
    package init(runStatus: ResultsDocument.Status) {
        switch runStatus {
        case .succeeded: self = .succeeded
        case .failed: self = .stepFailed
        case .cancelled: self = .interrupted
        }
    }
}

/// The exit code for an error that ended a command.
///
/// - `UsageError` → 2.
/// - `ResultsError` → 2: the results path the user gave cannot be written. The command checks the
///   path's folder before calling any server where it can, so "nothing was called" mostly holds.
/// - `CancellationError` → 130.
/// - Anything else → 2, until its layer's type is added here.
package func exitCode(for error: any Error) -> ExitCode {
    switch error {
    case is UsageError: return .usage
    case is ResultsError: return .usage
    case is CancellationError: return .interrupted
    default: return .usage
    }
}
