import Basics

/// A problem found while running a workflow: a step failure or a run-level failure.
package struct RunError: UserFacingError {
    /// What kind of problem it is; the CLI maps each to one exit code.
    package enum Code: Sendable, Hashable {
        /// A bad `--input`, a missing required input or secret: nothing was called.
        case invalidInput
        /// The server could not be reached, or broke the protocol.
        case unreachable
        /// Authorization is needed or was refused.
        case unauthorized
        /// A step failed: a tool error, a failed expectation, a schema mismatch, a JSON-RPC error.
        case stepFailed
        /// An expression failed at run time.
        case expression
        /// The run was interrupted.
        case cancelled
    }

    package var code: Code
    package var message: String
    package var hint: String?
    package var context: ErrorContext
    package var underlying: (any Error)?
    /// A finer kind for the results document's step `error.code`: `toolError`, `expectFailed`,
    /// `invalidArguments`, `unknownTool`, `timedOut`; nil when `code` says enough.
    package var kind: String?

    /// Creates the error.
    package init(
        code: Code, message: String, hint: String? = nil, context: ErrorContext = ErrorContext(),
        underlying: (any Error)? = nil, kind: String? = nil
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.hint = hint
        self.context = context
        self.underlying = underlying
    }
}
