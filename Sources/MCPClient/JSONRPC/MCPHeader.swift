/// The HTTP header names the transports send and read (MCP 2025-11-25, Transports), with the
/// standard ones they need.
///
/// Every header name in the target is spelled here and nowhere else.
package enum MCPHeader {
    /// The session id the server assigns in its `initialize` response.
    package static let sessionID = "Mcp-Session-Id"
    /// The negotiated protocol version, sent on every request after initialization (MCP 2025-06-18).
    package static let protocolVersion = "MCP-Protocol-Version"
    /// The request's JSON-RPC method, on every modern request (MCP 2026-07-28, Standard Request Headers).
    package static let method = "Mcp-Method"
    /// The request's `params.name` or `params.uri` (`tools/call`, `resources/read`, `prompts/get`).
    package static let name = "Mcp-Name"
    /// The prefix of a header a tool parameter declares with `x-mcp-header` (MCP 2026-07-28).
    package static let parameterPrefix = "Mcp-Param-"
    /// The id of the last SSE event seen, for resuming a stream.
    package static let lastEventID = "Last-Event-ID"
    /// Standard HTTP (RFC 9110 §11.6.1): a 401's challenges.
    package static let wwwAuthenticate = "WWW-Authenticate"
    /// Standard HTTP (RFC 9110 §11.6.2): the credentials a request carries.
    package static let authorization = "Authorization"
    /// Standard HTTP (RFC 9110 §10.2.2): where a redirect points.
    package static let location = "Location"
    /// Standard HTTP (RFC 9110 §10.2.3): how long to wait before retrying.
    package static let retryAfter = "Retry-After"
    /// Standard HTTP (RFC 9110 §8.4): how the body is encoded, named when an error body is binary.
    package static let contentEncoding = "Content-Encoding"
    /// Standard HTTP (RFC 9110 §8.6): the body's length, which sizes the buffer a JSON body is read into.
    package static let contentLength = "Content-Length"
    /// Standard HTTP: what we accept.
    package static let accept = "Accept"
    /// Standard HTTP: the body's type.
    package static let contentType = "Content-Type"
    /// `Accept` for a POST: both response forms (MCP 2025-11-25, Sending Messages to the Server).
    package static let acceptPost = "application/json, text/event-stream"
    /// `Accept` for a GET stream.
    package static let acceptStream = "text/event-stream"
    /// The JSON media type.
    package static let json = "application/json"
    /// The SSE media type.
    package static let eventStream = "text/event-stream"
}
