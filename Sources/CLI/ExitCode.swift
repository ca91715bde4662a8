import Basics
import Results
import Runner
import WorkflowModel
import YAML

/// The process exit status of `mcp-run` (contract §6, STYLE.md §4).
///
/// `init(for code:)` is the one map from error codes to exit codes, exhaustive over the closed
/// set; `init(for error:)` gives every error type its code's exit code.
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
    /// A server could not be reached or broke the protocol (an `initialize` that errs or times out
    /// included).
    case unreachable = 4
    /// Interrupted by SIGINT, SIGTERM or SIGHUP.
    case interrupted = 130

    /// The exit code for an error code: the one map, with no case left to a default.
    package init(for code: ErrorCode) {
        switch code {
        case .toolError, .expectFailed, .schemaMismatch, .unknownTool, .invalidArguments, .expressionError,
            .rpcError, .timeout, .notRun, .internalError:
            self = .stepFailed
        case .invalidInput: self = .usage
        case .unauthorized: self = .auth
        case .unreachable, .protocolError: self = .unreachable
        case .cancelled: self = .interrupted
        }
    }

    /// The exit code for an error that ended a command.
    ///
    /// Problems with the command line, a workflow, servers, inputs or secrets file, or the results
    /// path are 2 (nothing was called); cancellation is 130; every other error (a step's, a
    /// server's, an authorization's) maps through its code in the closed set.
    package init(for error: any Error) {
        switch error {
        case is UsageError, is ResultsError, is WorkflowError, is WorkflowProblems, is YAMLError:
            self = .usage
        case is CancellationError:
            self = .interrupted
        default:
            self.init(for: RunError.wrap(error).code)
        }
    }

    /// The exit code for a finished run: 0 when it succeeded, 130 when it was interrupted, and
    /// for a failed run its error's code's (1 when it has none).
    package init(status: ResultsDocument.Status, error: ErrorCode?) {
        switch status {
        case .succeeded: self = .succeeded
        case .cancelled: self = .interrupted
        case .failed: self = error.map(ExitCode.init(for:)) ?? .stepFailed
        }
    }
}
