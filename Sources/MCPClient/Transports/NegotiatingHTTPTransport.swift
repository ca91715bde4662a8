import Basics
import HTTP

/// The `transport: sse` default: Streamable HTTP, falling back to legacy HTTP+SSE (contract §2;
/// MCP 2025-11-25, Transports, Backwards Compatibility).
///
/// Nothing happens until the first message, which is `initialize`: it is POSTed as Streamable
/// HTTP, and that POST is the negotiation, so a Streamable server sees `initialize` once. When the
/// POST is answered 400, 404 or 405, the transport GETs the same URL as a legacy HTTP+SSE stream
/// and sends `initialize` there. A 401/403 is `.unauthorized` and never a fallback; any other
/// failure is thrown as it is. The chosen transport is traced at `-v` and named by `chosenName`.
///
/// The chosen transport's messages are relayed to `incoming` by a task this transport owns,
/// started when the choice is made and cancelled and awaited by `close()`.
package actor NegotiatingHTTPTransport: HTTPTransport {
    /// Messages from the chosen transport.
    package nonisolated let incoming: AsyncStream<TransportEvent>
    private let continuation: AsyncStream<TransportEvent>.Continuation
    /// The URL tried both ways.
    package nonisolated let url: String
    /// The client, OAuth provider, server name and logger either transport is given.
    nonisolated let exchange: HTTPExchange
    private var headers: [HTTPHeader]
    private let requestTimeout: Duration
    private var chosen: (any Transport)?
    private var relayTask: Task<Void, Never>?
    private var isNegotiating = false
    private var isClosed = false
    /// `streamable-http` or `http-sse` once chosen, else nil.
    package private(set) var chosenName: String?

    /// A transport for `url`; nothing is sent until the first message.
    /// - Parameters:
    ///   - headers: the config's headers, sent on every request of either transport.
    ///   - requestTimeout: bounds the legacy stream's connection and each legacy POST.
    ///   - client: what sends the requests: libcurl's shared client, or an in-process
    ///     `HTTPSending` in tests.
    ///   - authorization: OAuth, for whichever transport is chosen (the token a Streamable HTTP
    ///     401 obtained serves the legacy fallback too).
    package init(
        url: String, headers: [HTTPHeader], serverName: String, requestTimeout: Duration, logger: Logger,
        client: any HTTPSending = HTTPClient.shared, authorization: (any AuthorizationProvider)? = nil
    ) {
        self.url = url
        self.headers = headers
        self.requestTimeout = requestTimeout
        exchange = HTTPExchange(
            client: client, policy: HTTPRetryPolicy(), authorization: authorization, serverName: serverName,
            logger: logger)
        (incoming, continuation) = AsyncStream<TransportEvent>.makeStream()
    }

    /// Sends through the chosen transport; the first message negotiates.
    ///
    /// Runs in the calling task; suspends for the HTTP exchanges (and, on a fallback, for the
    /// legacy stream's `endpoint` event).
    /// - Throws: as the chosen transport's `send`; `.protocolViolation` for a message sent while
    ///   the first one is still negotiating; `CancellationError`.
    package nonisolated func send(_ message: JSONRPCMessage) async throws {
        if let chosen = try await beginSend() {
            try await chosen.send(message)
        } else {
            try await negotiate(sending: message)
        }
    }

    /// As `send(_:)`; once negotiated, the chosen transport may hand the answer back
    /// (`Transport.sendReturningAnswer`). The negotiating first message delivers it.
    package nonisolated func sendReturningAnswer(_ message: JSONRPCMessage) async throws -> JSONRPCMessage? {
        if let chosen = try await beginSend() { return try await chosen.sendReturningAnswer(message) }
        try await negotiate(sending: message)
        return nil
    }

    /// As `sendReturningAnswer(_:)`, with `headers` added once Streamable HTTP is chosen (a
    /// modern request negotiates Streamable HTTP only, so they are sent then too).
    package nonisolated func sendReturningAnswer(
        _ message: JSONRPCMessage, headers: [HTTPHeader]
    ) async throws -> JSONRPCMessage? {
        if let chosen = try await beginSend() { return try await chosen.sendReturningAnswer(message, headers: headers) }
        try await negotiate(sending: message)
        return nil
    }

    /// The chosen transport, or nil when the caller must negotiate (and now owns that job).
    private func beginSend() throws(ClientError) -> (any Transport)? {
        guard !isClosed else {
            throw ClientError(
                code: .closed, message: "the session was closed", context: ErrorContext(server: serverName))
        }
        if let chosen { return chosen }
        guard !isNegotiating else {
            throw ClientError(
                code: .protocolViolation, message: "a message was sent before 'initialize' settled the transport",
                context: ErrorContext(server: serverName))
        }
        isNegotiating = true
        return nil
    }

    /// Replaces the configured headers, here and in the chosen transport (the hook a token
    /// refresh after a 401 will use).
    package func replaceHeaders(_ headers: [HTTPHeader]) async {
        self.headers = headers
        switch chosen {
        case let streamable as StreamableHTTPTransport: await streamable.replaceHeaders(headers)
        case let legacy as LegacySSETransport: await legacy.replaceHeaders(headers)
        default: break
        }
    }

    private nonisolated func negotiate(sending message: JSONRPCMessage) async throws {
        let headers = await self.headers
        let streamable = StreamableHTTPTransport(url: url, headers: headers, exchange: exchange)
        if case .request(_, _, let params) = message, MCPWire.modernProtocolVersion(of: params) != nil {
            // A modern request (MCP 2026-07-28) is Streamable HTTP only: an answer (a result or a
            // JSON-RPC error) settles it; a failure leaves the choice to the next message, the
            // legacy `initialize` the session falls back to.
            do {
                try await streamable.send(message)
            } catch {
                await streamable.close()
                // A 404 or 405 without a modern error: no Streamable HTTP endpoint here, so the
                // handshake goes straight to legacy HTTP+SSE (MCP 2026-07-28, Streamable HTTP,
                // HTTP+SSE Transport); a 400 may come from a 2025 Streamable HTTP server.
                if let error = error as? ClientError, let status = Self.fallbackStatus(error), status != 400 {
                    await refusedModernPOST(status)
                }
                await negotiationFailed()
                throw error
            }
            try await choose(streamable, name: "streamable-http", trace: "streamable-http")
            return
        }
        if let status = await modernPOSTRefusal {
            await streamable.close()
            logger.trace(
                "[\(serverName)] the Streamable HTTP POST of the modern probe got HTTP \(status): trying legacy HTTP+SSE"
            )
            try await fallBack(sending: message, status: status, headers: headers)
            return
        }
        do {
            try await streamable.send(message)
            try await choose(streamable, name: "streamable-http", trace: "streamable-http")
        } catch let error as ClientError {
            guard let status = Self.fallbackStatus(error) else {
                try await choose(streamable, name: "streamable-http", trace: "streamable-http")
                throw error
            }
            await streamable.close()
            logger.trace("[\(serverName)] the Streamable HTTP POST got HTTP \(status): trying legacy HTTP+SSE")
            try await fallBack(sending: message, status: status, headers: headers)
        } catch {
            try await choose(streamable, name: "streamable-http", trace: "streamable-http")
            throw error
        }
    }

    /// The status (404 or 405) a modern probe's POST got, which sends the handshake to legacy
    /// HTTP+SSE at once.
    private var modernPOSTRefusal: Int?

    private func refusedModernPOST(_ status: Int) { modernPOSTRefusal = status }

    /// Connects legacy HTTP+SSE after the Streamable HTTP POST got `status`, and sends `message` there.
    private nonisolated func fallBack(sending message: JSONRPCMessage, status: Int, headers: [HTTPHeader]) async throws
    {
        let legacy: LegacySSETransport
        do {
            legacy = try await LegacySSETransport.connect(
                url: url, headers: headers, requestTimeout: requestTimeout, exchange: exchange)
        } catch let legacyError as ClientError {
            await negotiationFailed()
            throw ClientError(
                code: legacyError.code,
                message: "the server answered the Streamable HTTP POST with HTTP \(status), "
                    + "and the legacy HTTP+SSE fallback failed: \(legacyError.message)",
                hint: legacyError.hint ?? "check the server's `url`", context: legacyError.context,
                underlying: legacyError)
        } catch {
            await negotiationFailed()
            throw error
        }
        try await choose(legacy, name: "http-sse", trace: "legacy http+sse")
        try await legacy.send(message)
    }

    /// Adopts `transport` and starts relaying its messages; a transport closed meanwhile is closed too.
    private func choose(_ transport: any Transport, name: String, trace: String) async throws(ClientError) {
        isNegotiating = false
        guard !isClosed else {
            await transport.close()
            throw ClientError(
                code: .closed, message: "the session was closed", context: ErrorContext(server: serverName))
        }
        guard chosen == nil else { return }
        chosen = transport
        chosenName = name
        logger.trace("[\(serverName)] transport: \(trace)")
        let source = transport.incoming
        let continuation = self.continuation
        // Unstructured: relays the chosen transport's messages for the connection's life;
        // cancelled and awaited by close().
        relayTask = Task(executorPreference: EventLoop.preferred) {
            for await event in source { continuation.yield(event) }
            continuation.finish()
        }
    }

    private func negotiationFailed() { isNegotiating = false }

    /// Forwards the version to the chosen transport.
    package func didInitialize(protocolVersion: String) async {
        await chosen?.didInitialize(protocolVersion: protocolVersion)
    }

    /// Closes the chosen transport (DELETE for Streamable HTTP, cancelling the stream for legacy),
    /// awaits the relay and finishes `incoming`. Idempotent; bounded by the chosen transport's close.
    package func close() async {
        guard !isClosed else { return }
        isClosed = true
        await chosen?.close()
        if let relayTask {
            relayTask.cancel()
            await relayTask.value
        }
        relayTask = nil
        continuation.finish()
    }

    /// The status of a Streamable HTTP POST refusal that means "try legacy HTTP+SSE": 400, 404 or
    /// 405 (MCP 2025-11-25, Transports, Backwards Compatibility); nil for anything else, and
    /// always nil for 401/403.
    static func fallbackStatus(_ error: ClientError) -> Int? {
        guard error.code == .protocolViolation, let status = error.httpStatus, [400, 404, 405].contains(status)
        else { return nil }
        return status
    }
}
