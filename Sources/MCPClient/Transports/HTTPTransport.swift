import Basics

/// A transport that speaks HTTP through one `HTTPExchange`: Streamable HTTP, legacy HTTP+SSE,
/// and the negotiation between them. The exchange names the server and carries the logger.
protocol HTTPTransport: Transport {
    /// Client, retry policy, OAuth provider, server name and logger of every request sent.
    nonisolated var exchange: HTTPExchange { get }
}

extension HTTPTransport {
    /// The server's name, for errors and traces.
    nonisolated var serverName: String { exchange.serverName }
    /// Traces at `-v`.
    nonisolated var logger: Logger { exchange.logger }
}
