import Basics
import HTTP

/// What a transport delivers to its session.
package enum TransportEvent: Sendable {
    /// A message from the server.
    case message(JSONRPCMessage)
    /// Input that is not a JSON-RPC message (a stray line on stdout, a bad SSE event); the
    /// session traces it and goes on.
    case malformed(String)
    /// The connection or process ended on its own, with the reason as a `.closed` (or other)
    /// error; nothing follows it. A transport closed by `close()` ends its stream without this.
    case ended(ClientError)
}

/// A way of exchanging JSON-RPC messages with one MCP server (MCP 2025-11-25, Transports).
///
/// A transport frames messages; it does not match responses to requests (the session does).
/// `send` may deliver incoming messages before it returns (a Streamable HTTP POST answered with
/// an SSE stream reads that stream inline, in the sending task), so the session must be reading
/// `incoming` concurrently and must bound `send` with its request timeout.
package protocol Transport: Sendable {
    /// Messages from the server, in order, for the session's read loop. A single consumer.
    var incoming: AsyncStream<TransportEvent> { get }

    /// Sends one message.
    ///
    /// For a request, returns once the message is delivered (stdio) or once its HTTP exchange is
    /// over (Streamable HTTP, whose response arrives through `incoming` before `send` returns).
    /// Cancelling the calling task abandons the exchange.
    /// - Throws: `ClientError` (`.closed`, `.unreachable`, `.unauthorized`, `.protocolViolation`);
    ///   `CancellationError` when the caller was cancelled.
    func send(_ message: JSONRPCMessage) async throws -> Void

    /// Sends a request like `send(_:)`, and returns its answer instead of delivering it through
    /// `incoming` when the transport has it in hand and nothing it delivered earlier in the same
    /// exchange is still to be read (a JSON body whose first message is the answer), so the
    /// session can route it without a trip through its read loop; nil when the answer was (or
    /// will be) delivered through `incoming`.
    /// - Throws: as `send(_:)`.
    func sendReturningAnswer(_ message: JSONRPCMessage) async throws -> JSONRPCMessage?

    /// As `sendReturningAnswer(_:)`, with `headers` added to the request where the transport is
    /// HTTP (a modern tool call's `Mcp-Param-*` headers, MCP 2026-07-28); other transports
    /// ignore them.
    /// - Throws: as `send(_:)`.
    func sendReturningAnswer(_ message: JSONRPCMessage, headers: [HTTPHeader]) async throws -> JSONRPCMessage?

    /// Tells the transport the version `initialize` settled on (Streamable HTTP sends it as
    /// `MCP-Protocol-Version` on every later request, MCP 2025-06-18).
    func didInitialize(protocolVersion: String) async

    /// Ends the connection (stdio: staged shutdown; HTTP: DELETE the session) and finishes
    /// `incoming`. Idempotent; bounded in time.
    func close() async
}

extension Transport {
    /// Most transports deliver every answer through `incoming`.
    package func sendReturningAnswer(_ message: JSONRPCMessage) async throws -> JSONRPCMessage? {
        try await send(message)
        return nil
    }

    /// Most transports have no headers to add.
    package func sendReturningAnswer(
        _ message: JSONRPCMessage, headers: [HTTPHeader]
    ) async throws
        -> JSONRPCMessage?
    {
        try await sendReturningAnswer(message)
    }

    /// Most transports ignore the version.
    package func didInitialize(protocolVersion: String) async {}
}
