/// The closed set of error codes a results document, a `--format jsonl` event and the docs use
/// (contract §6): a step's `error.code` and the run's top-level `error.code`.
///
/// The raw values are the documented names; `docs/results-format.md` lists each with when it
/// occurs, and a test checks the two lists are the same. The CLI maps each code to one exit code.
package enum ErrorCode: String, Sendable, Hashable, CaseIterable {
    /// The tool answered with `isError: true`.
    case toolError = "tool_error"
    /// The step's `expect` was falsy.
    case expectFailed = "expect_failed"
    /// The arguments do not match the tool's `inputSchema`.
    case schemaMismatch = "schema_mismatch"
    /// The server has no tool of that name.
    case unknownTool = "unknown_tool"
    /// The arguments cannot be sent: not a mapping, or a number that is not finite.
    case invalidArguments = "invalid_arguments"
    /// A template could not be evaluated, or gave a value of the wrong kind.
    case expressionError = "expression_error"
    /// The server answered the step's request with a JSON-RPC error.
    case rpcError = "rpc_error"
    /// The server did not answer the step's request within its timeout.
    case timeout
    /// The server could not be started or reached, or the connection ended; also an `initialize`
    /// that got no answer in time.
    case unreachable
    /// The server broke the protocol: a malformed message, an unexpected HTTP status, a protocol
    /// version mcp-run does not speak, or an error answering `initialize`.
    case protocolError = "protocol_error"
    /// Authorization is needed and cannot be obtained here, or was refused.
    case unauthorized
    /// A bad input, a missing secret, or a configuration problem found at run time: nothing was
    /// sent for it.
    case invalidInput = "invalid_input"
    /// The step never started: an earlier step failed, or the run was stopped.
    case notRun = "not_run"
    /// The run was interrupted while the step was in flight.
    case cancelled
    /// A failure mcp-run could not classify (a bug: please report it).
    case internalError = "internal_error"
}
