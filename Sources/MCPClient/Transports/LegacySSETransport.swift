import Basics
import Foundation
import HTTP

/// The legacy HTTP+SSE transport (MCP 2024-11-05, Transports, HTTP with SSE).
///
/// `connect` GETs the URL with `Accept: text/event-stream` and keeps that response open for the
/// transport's whole life. The server's first `endpoint` event names the URL to POST messages to;
/// it is resolved relative to the URL and must be on the same origin (scheme, host and port), else
/// it is refused as a protocol violation — the config's headers carry credentials and must never
/// go to another origin. Every message is then POSTed there (any 2xx, usually 202, accepts it) and
/// every response, server request and notification arrives as a `message` event on the stream.
///
/// The stream is read by a task the transport owns, started by `connect` and cancelled and awaited
/// by `close()`. When the stream ends or breaks on its own, `incoming` delivers `.ended(.closed)`,
/// so the session fails every request in flight at once, and later sends fail with `.closed`.
/// The long GET has no overall timeout (only a connect timeout); each POST is bounded by the
/// request timeout. The config's headers go on the GET and on every POST. The GET and each POST
/// go through `HTTPExchange`, shared with Streamable HTTP: they retry a refused connection and a
/// 429, 502, 503 or 504 as `HTTPRetryPolicy` says (a POST the server answered 2xx is never sent
/// again), and with an OAuth `authorization` provider they carry its token, and a 401 renews it
/// once and retries once (contract §7); the open stream keeps the token it was opened with.
package actor LegacySSETransport: HTTPTransport {
    /// The URL that was GET for the event stream.
    package nonisolated let url: String
    /// Where messages are POSTed, from the `endpoint` event; nil until it arrived.
    private var endpoint: String?
    /// Messages from the event stream, in arrival order.
    package nonisolated let incoming: AsyncStream<TransportEvent>
    private let continuation: AsyncStream<TransportEvent>.Continuation
    /// Retries, OAuth and status errors for the GET and every POST.
    nonisolated let exchange: HTTPExchange
    /// The config's headers: on the GET, and on every POST (`replaceHeaders` changes them).
    private var headers: [HTTPHeader]
    /// Bounds the connection, the wait for `endpoint`, and each POST.
    private let requestTimeout: Duration
    private var readTask: Task<Void, Never>?
    private var ended: ClientError?
    private var isClosed = false

    private init(url: String, headers: [HTTPHeader], requestTimeout: Duration, exchange: HTTPExchange) {
        self.url = url
        self.headers = headers
        self.requestTimeout = requestTimeout
        self.exchange = exchange
        (incoming, continuation) = AsyncStream<TransportEvent>.makeStream()
    }

    /// Opens the event stream and waits for the server's `endpoint` event.
    ///
    /// Suspends for the GET and the first events, at most `requestTimeout` in all; on any failure
    /// the stream is closed before the error is thrown.
    /// - Parameters:
    ///   - url: the server's SSE URL (such as `…/sse`).
    ///   - headers: the config's headers (auth already resolved, secret-valued), sent on the GET
    ///     and on every POST.
    ///   - requestTimeout: bounds the connection and the wait for `endpoint`, and each POST (an
    ///     OAuth login waited for on the way does not count).
    ///   - client: what sends the requests: libcurl's shared client, or an in-process
    ///     `HTTPSending` in tests.
    ///   - authorization: OAuth: a token for the GET and every POST, renewed once after a 401.
    /// - Throws: `ClientError`: `.unauthorized(status)` for 401/403, `.unreachable`,
    ///   `.protocolViolation` (another status, not an event stream, an endpoint on another
    ///   origin), `.unreachable` (also: no `endpoint` event in time), `.closed` (the stream ended first);
    ///   `CancellationError` when the caller was cancelled.
    package static func connect(
        url: String, headers: [HTTPHeader], serverName: String, requestTimeout: Duration, logger: Logger,
        client: any HTTPSending = HTTPClient.shared, retryPolicy: HTTPRetryPolicy = HTTPRetryPolicy(),
        authorization: (any AuthorizationProvider)? = nil
    ) async throws -> LegacySSETransport {
        try await connect(
            url: url, headers: headers, requestTimeout: requestTimeout,
            exchange: HTTPExchange(
                client: client, policy: retryPolicy, authorization: authorization, serverName: serverName,
                logger: logger))
    }

    /// As `connect(url:headers:serverName:requestTimeout:logger:client:retryPolicy:authorization:)`,
    /// with the requests going through `exchange` (which names the server).
    static func connect(
        url: String, headers: [HTTPHeader], requestTimeout: Duration, exchange: HTTPExchange
    ) async throws -> LegacySSETransport {
        let transport = LegacySSETransport(
            url: url, headers: headers, requestTimeout: requestTimeout, exchange: exchange)
        do {
            try await transport.open()
        } catch {
            await transport.close()
            throw error
        }
        return transport
    }

    /// The URL messages are POSTed to, once `connect` returned.
    package var messagesURL: String? { endpoint }

    /// Replaces the configured headers for later POSTs (the hook a token refresh after a 401
    /// will use); the open event stream keeps the headers it was opened with.
    package func replaceHeaders(_ headers: [HTTPHeader]) { self.headers = headers }

    // MARK: - The event stream

    private func open() async throws {
        let (endpoints, endpointSlot) = AsyncThrowingStream<String, any Error>.makeStream()
        let timeout = requestTimeout
        let raw: String
        // An OAuth login on the way does not count against the limit (RequestDeadline).
        let deadline = RequestDeadline(timeout)
        do {
            raw = try await RequestDeadline.$current.withValue(deadline) {
                try await withTimeout(deadline) {
                    let response = try await self.openStream()
                    await self.startReading(response.body, endpoint: endpointSlot)
                    for try await endpoint in endpoints { return endpoint }
                    throw ClientError(
                        code: .closed,
                        message: "the server closed its event stream before sending the endpoint event",
                        hint: "check that the server's `url` is its legacy HTTP+SSE endpoint (often ending in /sse)",
                        context: ErrorContext(server: self.serverName))
                }
            }
        } catch is TimeoutError {
            // Unreachable, not timed out: no session was ever started (contract §6, exit 4).
            throw ClientError(
                code: .unreachable,
                message: "the server sent no endpoint event on its event stream within \(timeout.humanReadable)",
                hint:
                    "check that the server's `url` is its legacy HTTP+SSE endpoint, or use `transport: streamable-http`",
                context: ErrorContext(server: serverName))
        }
        let resolved = try Self.resolveEndpoint(raw, against: url, server: serverName)
        endpoint = resolved
        logger.trace("[\(serverName)] legacy endpoint: \(resolved)")
    }

    /// GETs the event stream; returns once a 2xx `text/event-stream` head is in.
    private func openStream() async throws -> HTTPResponse {
        var request = HTTPRequest(method: "GET", url: url, headers: headers, timeout: nil)
        request.connectTimeout = min(requestTimeout, .seconds(30))
        request.headers.append(HTTPHeader(MCPHeader.accept, MCPHeader.acceptStream))
        let (response, sent) = try await exchange.send(request, label: "the event stream")
        guard (200..<300).contains(response.status) else {
            throw await exchange.statusError(response, sent: sent) { redirect in
                (
                    "the server answered the event-stream GET with HTTP \(response.status)" + (redirect?.note ?? ""),
                    redirect?.hint ?? "check the server's `url` and `transport`"
                )
            }
        }
        guard response.isEventStream else {
            throw ClientError(
                code: .protocolViolation,
                message:
                    "the server answered the event-stream GET with '\(response.contentType)', not text/event-stream",
                hint: "check that the server's `url` is its legacy HTTP+SSE endpoint (often ending in /sse)",
                context: ErrorContext(server: serverName))
        }
        return response
    }

    private func startReading(_ body: HTTPBody, endpoint slot: AsyncThrowingStream<String, any Error>.Continuation) {
        guard !isClosed else {
            slot.finish(throwing: CancellationError())
            return
        }
        // Unstructured: the transport's own stream reader, living as long as the connection;
        // cancelled and awaited by close().
        readTask = Task(executorPreference: EventLoop.preferred) {
            let failure = await self.read(body, endpoint: slot)
            await self.streamEnded(failure)
        }
    }

    /// Reads the event stream until it ends; returns why it ended (nil when cancelled by close()).
    private nonisolated func read(
        _ body: HTTPBody, endpoint slot: AsyncThrowingStream<String, any Error>.Continuation
    ) async -> ClientError? {
        var parser = SSEParser()
        var sawEndpoint = false
        let failure: ClientError?
        do {
            for try await chunk in body {
                for event in try parser.feed(chunk) {
                    switch event.type {
                    case "endpoint":
                        if sawEndpoint {
                            logger.trace("[\(serverName)] ignored a second endpoint event")
                        } else {
                            sawEndpoint = true
                            slot.yield(event.data.trimmingCharacters(in: .whitespaces))
                            slot.finish()
                        }
                    case "message":
                        deliver(SSEMessage(event))
                    default:
                        logger.trace("[\(serverName)] ignored an SSE event of type '\(event.type)'")
                    }
                }
            }
            failure = ClientError(
                code: .closed, message: "the server closed its event stream",
                hint: "the server may have restarted or dropped the connection; run again",
                context: ErrorContext(server: serverName))
        } catch is CancellationError {
            failure = nil
        } catch let error as SSEError {
            failure = ClientError(
                code: .protocolViolation, message: "the server's event stream broke a limit: \(error)",
                context: ErrorContext(server: serverName), underlying: error)
        } catch let error as HTTPError {
            failure = ClientError(
                code: .closed, message: "the server's event stream broke: \(error.message)",
                hint: "the server may have restarted or dropped the connection; run again",
                context: ErrorContext(server: serverName), underlying: error)
        } catch {
            failure = ClientError(
                code: .closed, message: "the server's event stream broke: \(error)",
                context: ErrorContext(server: serverName), underlying: error)
        }
        slot.finish(throwing: failure ?? CancellationError())
        return failure
    }

    private nonisolated func deliver(_ decoded: SSEMessage) {
        switch decoded {
        case .none: break
        case .messages(let messages): for message in messages { continuation.yield(.message(message)) }
        case .malformed(let reason, let data):
            continuation.yield(.malformed("SSE event is not JSON-RPC (\(reason)): \(data)"))
        }
    }

    /// The stream is over: remember why, tell the session (unless close() ended it), finish `incoming`.
    private func streamEnded(_ failure: ClientError?) {
        if let failure, !isClosed {
            ended = failure
            logger.trace("[\(serverName)] \(failure.message)")
            continuation.yield(.ended(failure))
        }
        continuation.finish()
    }

    // MARK: - Sending

    /// POSTs `message` to the endpoint; any 2xx (usually 202 Accepted) means the server took it.
    ///
    /// Runs in the calling task (nonisolated); the response to a request arrives later on the
    /// event stream. Bounded by the request timeout; cancelling the task aborts the POST.
    /// - Throws: `ClientError` `.closed` (closed, or the stream ended), `.unauthorized(status)`,
    ///   `.protocolViolation` (another status), `.unreachable`, `.timedOut`; `CancellationError`.
    package nonisolated func send(_ message: JSONRPCMessage) async throws {
        let request = try await postRequest(for: message)
        let (response, sent) = try await exchange.send(request, label: message.method ?? "a response")
        guard (200..<300).contains(response.status) else {
            throw await exchange.statusError(response, sent: sent) { redirect in
                (
                    "the server answered a message POST with HTTP \(response.status)" + (redirect?.note ?? ""),
                    redirect?.hint
                        ?? (response.status == 404
                            ? "the server may have ended the session; run again"
                            : "check the server's `url` and `transport`")
                )
            }
        }
        // The body (`Accepted`, or nothing) carries no message in this transport.
        _ = try? await response.body.collect(limit: 64 << 10)
    }

    private func postRequest(for message: JSONRPCMessage) throws(ClientError) -> HTTPRequest {
        if let ended { throw ended }
        guard !isClosed, let endpoint else {
            throw ClientError(
                code: .closed, message: "the session was closed", context: ErrorContext(server: serverName))
        }
        var request = HTTPRequest(
            method: "POST", url: endpoint, headers: headers, body: message.serializedBytes, timeout: requestTimeout)
        request.connectTimeout = min(requestTimeout, .seconds(30))
        request.headers.append(HTTPHeader(MCPHeader.contentType, MCPHeader.json))
        return request
    }

    /// Cancels the event stream, awaits its reader and finishes `incoming`. Idempotent; prompt
    /// (cancellation aborts the transfer on the curl thread).
    package func close() async {
        guard !isClosed else { return }
        isClosed = true
        if let readTask {
            readTask.cancel()
            await readTask.value
        }
        readTask = nil
        continuation.finish()
    }

    // MARK: - Helpers

    /// Resolves an `endpoint` event's data against the stream's URL and checks its origin.
    ///
    /// - Returns: the absolute URL to POST to.
    /// - Throws: `ClientError` `.protocolViolation` when it is not an http(s) URL or its origin
    ///   (scheme, host, port) differs from `base`'s.
    package static func resolveEndpoint(
        _ raw: String, against base: String, server: String
    ) throws(ClientError)
        -> String
    {
        guard let baseURL = URL(string: base), let resolved = URL(string: raw, relativeTo: baseURL)?.absoluteURL,
            let scheme = resolved.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else {
            throw ClientError(
                code: .protocolViolation,
                message: "the server's endpoint event '\(SecretMasker().maskedPrefix(raw, 200))' is not a URL",
                hint: "the server is not following MCP 2024-11-05; report it to its maintainers",
                context: ErrorContext(server: server))
        }
        guard resolved.origin == baseURL.origin else {
            throw ClientError(
                code: .protocolViolation,
                message: "the server's endpoint '\(resolved.absoluteString)' is on another origin than '\(base)'",
                hint: "mcp-run only posts to the server's own origin, so its credentials cannot leak elsewhere",
                context: ErrorContext(server: server))
        }
        return resolved.absoluteString
    }
}
