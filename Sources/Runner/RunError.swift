import Basics
import MCPClient
import Results

/// A problem found while running a workflow: a step failure or a run-level failure.
package struct RunError: UserFacingError {
    /// What kind of problem it is: one of the closed, documented set the results document uses;
    /// the CLI maps each to one exit code.
    package typealias Code = ErrorCode

    package var code: Code
    package var message: String
    package var hint: String?
    package var context: ErrorContext
    package var underlying: (any Error)?

    /// Creates the error.
    package init(
        code: Code, message: String, hint: String? = nil, context: ErrorContext = ErrorContext(),
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.context = context
        self.underlying = underlying
    }

    /// The JSON-RPC error behind this one, as the server sent it: its code and `data`; nil when
    /// the failure was not a JSON-RPC error response.
    package var rpcError: (code: Int, data: JSONValue?)? {
        var cause = underlying
        while let error = cause {
            if let client = error as? ClientError {
                if case .rpc(let number, _, let data) = client.code { return (number, data) }
                cause = client.underlying
            } else if let run = error as? RunError {
                cause = run.underlying
            } else {
                return nil
            }
        }
        return nil
    }
}
