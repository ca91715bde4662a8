import Basics
import HTTP

/// Which HTTP transport to speak (contract §2, `transport`).
package enum HTTPTransportKind: Sendable, Hashable {
    /// `sse` (the default): Streamable HTTP first, legacy HTTP+SSE on 400, 404 or 405.
    case negotiate
    /// `streamable-http`: MCP Streamable HTTP only (MCP 2025-03-26 and later).
    case streamableHTTP
    /// `http-sse`: the legacy HTTP+SSE transport only (MCP 2024-11-05).
    case legacySSE
}

/// Where a server is and how to reach it.
package enum ServerEndpoint: Sendable {
    /// A local process speaking stdio; `environment` is added to the allow-listed variables.
    case stdio(command: String, arguments: [String], environment: [String: Secret], directory: String?)
    /// An HTTP endpoint.
    case http(url: String, transport: HTTPTransportKind)
}

/// Everything the client needs to open a session with one server, resolved by the runner.
package struct ServerConfig: Sendable {
    /// The server's name in the workflow (or its URL), used in every error's context.
    package var name: String
    /// Where it is.
    package var endpoint: ServerEndpoint
    /// Extra HTTP headers sent on every request, auth already resolved and secret-valued
    /// (ignored for stdio).
    package var headers: [HTTPHeader]
    /// The per-request timeout (contract §2 `timeout`; default 60 s).
    package var requestTimeout: Duration
    /// Supplies and renews the `Authorization` header (OAuth); nil for static credentials.
    package var authorization: (any AuthorizationProvider)?
    /// The protocol version the server block pins (contract §8, `protocolVersion`); nil lets
    /// the session choose: modern first over Streamable HTTP, the handshake elsewhere.
    package var protocolVersion: String?
    /// Where lists with caching hints are kept across runs (MCP 2026-07-28, Caching); nil lists
    /// afresh every time (`--no-cache`, the gateway).
    package var listCache: ListCache?
    /// Whether a modern session keeps a `subscriptions/listen` stream open for the server's list
    /// changes (MCP 2026-07-28, Subscriptions), when the server advertises `tools.listChanged`:
    /// the runner asks for it where the workflow sends the server more than one request.
    package var listensForChanges = false

    /// Creates a config.
    package init(
        name: String, endpoint: ServerEndpoint, headers: [HTTPHeader] = [], requestTimeout: Duration = .seconds(60),
        authorization: (any AuthorizationProvider)? = nil, protocolVersion: String? = nil
    ) {
        self.authorization = authorization
        self.protocolVersion = protocolVersion
        self.name = name
        self.endpoint = endpoint
        self.headers = headers
        self.requestTimeout = requestTimeout
    }
}
