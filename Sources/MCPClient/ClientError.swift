import Basics

/// A failure talking to an MCP server (STYLE.md §4), with the server's name and the method in
/// its context.
///
/// A JSON-RPC error response is `.rpc`; local failures (process exit, HTTP status, timeout,
/// closed connection) have their own codes and never borrow JSON-RPC numbers. A tool result with
/// `isError: true` is not an error at this layer.
package struct ClientError: UserFacingError {
    /// What kind of failure, for tests and exit codes.
    package enum Code: Sendable, Hashable {
        /// A JSON-RPC error response from the server: its code, message and `data` as sent.
        case rpc(code: Int, message: String, data: JSONValue? = nil)
        /// Could not connect, or the process would not start.
        case unreachable
        /// A malformed message, an unexpected HTTP status, a bad session id.
        case protocolViolation
        /// The server chose a protocol version we do not speak (its choice is the payload).
        case unsupportedVersion(String)
        /// A request ran past its timeout.
        case timedOut
        /// 401 or 403 from the server.
        case unauthorized(Int)
        /// The connection or process ended.
        case closed
        /// The caller's task was cancelled; `notifications/cancelled` was sent.
        case cancelled
        /// The server ended the call's task (the Tasks extension) as `cancelled` on its own.
        case taskCancelled
    }

    /// What kind of failure.
    package var code: Code
    /// For people: lower-case, no trailing period.
    package var message: String
    /// What to do next, when known.
    package var hint: String?
    /// Server name and MCP method, filled in by the session.
    package var context: ErrorContext
    /// The cause from the layer below (`HTTPError`, `JSONRPCDecodingError`, a Foundation error).
    package var underlying: (any Error)?
    /// The HTTP status that caused it, when a server answered with one (negotiation reads it).
    package var httpStatus: Int?
    /// How long the server asked to be left alone (`Retry-After` on the 429 or 503 the transport
    /// gave up on), for the runner's step `retry` to wait at least that long.
    package var retryAfter: Duration?
    /// The `data` member of the JSON-RPC error response, as the server sent it (nil when it sent
    /// none): the one in `.rpc`, else the underlying `.rpc` error's (an `initialize` error that
    /// became `.protocolViolation`).
    package var rpcData: JSONValue? {
        if case .rpc(_, _, let data) = code { return data }
        return (underlying as? ClientError)?.rpcData
    }

    /// Creates an error.
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

    /// A request that ran past `timeout`.
    package static func timedOut(_ method: String, after timeout: Duration, server: String) -> ClientError {
        ClientError(
            code: .timedOut, message: "'\(method)' got no response within \(timeout.humanReadable)",
            hint: "raise the step's or the server's `timeout` if the tool is expected to take longer",
            context: ErrorContext(server: server, method: method))
    }

    /// A malformed or unexpected message from the server.
    package static func protocolViolation(_ message: String, underlying: (any Error)? = nil) -> ClientError {
        ClientError(code: .protocolViolation, message: message, underlying: underlying)
    }
}

extension ClientError.Code {
    /// The JSON-RPC error code of `.rpc`, else nil.
    package var rpcCode: Int? {
        if case .rpc(let code, _, _) = self { return code }
        return nil
    }
}
