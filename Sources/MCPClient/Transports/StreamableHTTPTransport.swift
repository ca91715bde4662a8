import Basics
import HTTP

/// The Streamable HTTP transport (MCP 2025-11-25, 2025-06-18 and 2025-03-26, Transports,
/// Streamable HTTP).
///
/// Each message is POSTed to the endpoint with `Accept: application/json, text/event-stream`.
/// A JSON body carries one message (or a batch); an SSE body carries any number of messages —
/// server requests and notifications may come before the response — and is read inline, in the
/// task that sent the request, until that request's response arrives: the sender awaits its own
/// response stream, so the exchange stays structured and is cancelled with its sender (STYLE.md §5).
/// Every message read is delivered through `incoming` for the session to route.
///
/// The `Mcp-Session-Id` from the initialize response is kept and sent back, and
/// `MCP-Protocol-Version` is sent once initialization has settled the version. A session id with
/// characters outside visible ASCII (0x21–0x7E) is refused and never echoed into a header.
/// Every POST goes through `HTTPExchange` (retries, OAuth, and the error for a status: 401/403
/// `.unauthorized`, never a fallback; other non-2xx statuses a protocol violation naming the
/// status and the first 200 bytes of the body). The session's renewal after a 404 and the
/// resumption of a dropped stream are decided by `SessionRenewal` and `StreamResumption`.
/// `close()` DELETEs the session.
///
/// State (session id, version, headers) lives in this actor; the HTTP exchanges themselves run
/// `nonisolated`, in the calling task, so concurrent requests do not queue behind one another.
package actor StreamableHTTPTransport: HTTPTransport {
    /// The largest JSON response body accepted: 64 MiB.
    package static let maxJSONBodyBytes = 64 << 20

    /// Messages read from POST responses, in arrival order.
    package nonisolated let incoming: AsyncStream<TransportEvent>
    private let continuation: AsyncStream<TransportEvent>.Continuation
    /// The endpoint URL.
    package nonisolated let url: String
    /// Retries, OAuth and status errors for every POST (`HTTPExchange`, shared with legacy
    /// HTTP+SSE); its client and provider also serve the GET stream and the DELETE.
    nonisolated let exchange: HTTPExchange
    private var headers: [HTTPHeader]
    private var sessionID: String?
    private var protocolVersion: String?
    private var isClosed = false
    /// The `initialize` parameters the session sent, for starting a new session after a 404.
    private var initializeParams: JSONValue?
    /// Whether a new session is being started, and how many were (`SessionRenewal`).
    private var renewal = SessionRenewal()
    /// The requests waiting for the renewal under way.
    private var renewalWaiters: [AsyncStream<Void>.Continuation] = []

    /// A transport for `url`; nothing is sent until the first message.
    /// - Parameters:
    ///   - headers: the config's headers (auth already resolved, secret-valued), sent on every
    ///     request.
    ///   - client: what sends the requests: libcurl's shared client, or an in-process
    ///     `HTTPSending` in tests.
    ///   - authorization: OAuth: asked for the `Authorization` header before each request, and
    ///     once more after a 401, after which the request is retried once.
    package init(
        url: String, headers: [HTTPHeader], serverName: String, logger: Logger,
        client: any HTTPSending = HTTPClient.shared, retryPolicy: HTTPRetryPolicy = HTTPRetryPolicy(),
        authorization: (any AuthorizationProvider)? = nil
    ) {
        self.init(
            url: url, headers: headers,
            exchange: HTTPExchange(
                client: client, policy: retryPolicy, authorization: authorization, serverName: serverName,
                logger: logger))
    }

    /// A transport for `url` whose requests go through `exchange` (which names the server).
    init(url: String, headers: [HTTPHeader], exchange: HTTPExchange) {
        self.url = url
        self.headers = headers
        self.exchange = exchange
        (incoming, continuation) = AsyncStream<TransportEvent>.makeStream()
    }

    /// The session id the server assigned, if any.
    package var currentSessionID: String? { sessionID }

    /// Replaces the configured headers (the hook a token refresh after a 401 will use).
    package func replaceHeaders(_ headers: [HTTPHeader]) { self.headers = headers }

    /// Starts sending `MCP-Protocol-Version` (MCP 2025-06-18, Protocol Version Header), and
    /// opens the optional GET stream for server-initiated messages (`ServerEventStream`).
    package func didInitialize(protocolVersion: String) {
        self.protocolVersion = protocolVersion
        openEventStream()
    }

    // MARK: - The standalone GET stream

    /// The reader of the GET stream, cancelled and awaited by `close()`.
    private var eventStreamTask: Task<Bool, Never>?
    /// The GET stream's limits (`MCP_RUN_GET_STREAM_IDLE_MS` overrides its idle limit).
    private var eventStreamConfiguration = ServerEventStream.Configuration.fromEnvironment()
    /// Set when the GET stream's first request was answered; nil once the first request after
    /// `initialize` has waited for it.
    private var eventStreamFirstAnswer: Latch<Bool>?
    /// How long the first request after `initialize` waits for the GET stream's answer.
    static let eventStreamWait = Duration.seconds(1)

    /// Holds the first request after `initialize` until the GET stream was answered, for at most
    /// `eventStreamWait`, once per session.
    ///
    /// A server may send a request of its own (an elicitation while a tool runs) on the GET
    /// stream rather than on the call's response, and a server built from the TypeScript SDK
    /// drops it when no GET stream is open yet (the conformance suite's elicitation scenarios do
    /// that): the GET must reach the server before the call does. Without this wait it usually
    /// did, and on a loaded machine it did not.
    private func awaitEventStreamOnce() async {
        guard let firstAnswer = eventStreamFirstAnswer else { return }
        eventStreamFirstAnswer = nil
        guard firstAnswer.value == nil else { return }
        _ = try? await withTimeout(Self.eventStreamWait) { await firstAnswer.wait() }
    }

    /// Replaces the GET stream's limits; takes effect when the stream is next opened.
    package func configureEventStream(_ configuration: ServerEventStream.Configuration) {
        eventStreamConfiguration = configuration
    }

    private func openEventStream() {
        guard eventStreamTask == nil, !isClosed else { return }
        let firstAnswer = Latch<Bool>()
        eventStreamFirstAnswer = firstAnswer
        let stream = ServerEventStream(
            configuration: eventStreamConfiguration, serverName: serverName, logger: logger, client: exchange.client,
            continuation: continuation, firstAnswer: firstAnswer
        ) { [weak self] lastEventID in
            guard let self else { return nil }
            return try await self.eventStreamRequest(lastEventID: lastEventID)
        }
        // Unstructured: the transport's own GET stream reader, for the session's lifetime;
        // cancelled and awaited by close().
        eventStreamTask = Task(executorPreference: EventLoop.preferred) { await stream.run() }
    }

    /// The GET that opens (or, after `lastEventID`, reopens) the stream; nil once closed.
    private func eventStreamRequest(lastEventID: String?) async throws -> HTTPRequest? {
        guard !isClosed else { return nil }
        var request = HTTPRequest(method: "GET", url: url, headers: headers, connectTimeout: .seconds(10))
        request.headers.append(HTTPHeader(MCPHeader.accept, MCPHeader.acceptStream))
        if let sessionID { request.headers.append(HTTPHeader(MCPHeader.sessionID, sessionID)) }
        if let protocolVersion { request.headers.append(HTTPHeader(MCPHeader.protocolVersion, protocolVersion)) }
        if let lastEventID { request.headers.append(HTTPHeader(MCPHeader.lastEventID, lastEventID)) }
        try await exchange.authorized.authorize(&request)
        return isClosed ? nil : request
    }

    /// POSTs `message` and, for a request, reads the response body until its response arrived.
    ///
    /// Runs in the calling task (nonisolated); suspends for the HTTP exchange, for retries (a
    /// connection refused, 429, 502, 503, 504: see `HTTPRetryPolicy`), for resuming a dropped
    /// event stream (GET with `Last-Event-ID` after the server's `retry` delay) and for renewing
    /// an expired session (a 404 to a request that carried a session id: a new `initialize`, then
    /// the request is sent once more). Cancelling the task aborts the transfer.
    /// - Throws: `ClientError` `.unauthorized(status)`, `.protocolViolation` (unexpected status,
    ///   bad body, bad session id, a malformed or truncated event), `.unreachable` (no connection,
    ///   or 429/5xx after the retries), `.closed` (the stream ended before the response and could
    ///   not be resumed), `.timedOut` (HTTP-level); `CancellationError`.
    package nonisolated func send(_ message: JSONRPCMessage) async throws {
        _ = try await send(message, mayRenew: true, answer: .deliver)
    }

    /// As `send(_:)`, but a JSON body whose first message is the answer returns it instead of
    /// delivering it (`Transport.sendReturningAnswer`); SSE responses deliver it as usual.
    package nonisolated func sendReturningAnswer(_ message: JSONRPCMessage) async throws -> JSONRPCMessage? {
        try await send(message, mayRenew: true, answer: .returnIfFirst)
    }

    /// As `sendReturningAnswer(_:)`, with `headers` added to this POST (a modern tool call's
    /// `Mcp-Param-*` headers).
    package nonisolated func sendReturningAnswer(
        _ message: JSONRPCMessage, headers: [HTTPHeader]
    ) async throws -> JSONRPCMessage? {
        try await send(message, mayRenew: true, answer: .returnIfFirst, extraHeaders: headers)
    }

    private nonisolated func send(
        _ message: JSONRPCMessage, mayRenew: Bool, answer handling: AnswerHandling, extraHeaders: [HTTPHeader] = []
    ) async throws -> JSONRPCMessage? {
        if message.id != nil, !message.isResponse { await awaitEventStreamOnce() }
        var (request, sentSessionID) = try await postRequest(for: message)
        request.headers += extraHeaders
        let label = message.method ?? "a response"
        // OAuth: the token, renewed once after a 401, stepped up once after a 403 (contract §7).
        let (response, sent) = try await exchange.send(request, label: label)
        if message.method == MCPMethod.initialize {
            try await adoptSessionID(response.headers.value(for: MCPHeader.sessionID))
        }
        switch response.status {
        case 200..<300 where message.id == nil || message.isResponse:
            await ignoreBody(of: response, label: label)
            return nil
        case 200..<300:
            return try await readBody(of: response, answering: message, label: label, answer: handling)
        case 400..<500 where Self.isModernRequest(message) && response.status != 401 && response.status != 403:
            // A modern server answers its protocol's errors with a 4xx and a JSON-RPC error body
            // (MCP 2026-07-28, Streamable HTTP): the session reads it as the answer, so
            // negotiation can tell a modern refusal from a legacy server's.
            let answer = try await modernErrorAnswer(response, answering: message, sent: request, label: label)
            guard handling == .deliver else { return answer }
            continuation.yield(.message(answer))
            return nil
        default:
            var read: String?
            if Self.mayCarryHandshakeRefusal(response, answering: message) {
                // A modern server refuses the handshake with its protocol's error in a 4xx
                // (MCP 2026-07-28, Streamable HTTP; the official SDKs answer UnsupportedProtocolVersion
                // with HTTP 400): that error is `initialize`'s answer, read as the probe reads its
                // own, so the session can probe again rather than take the 400 for a legacy server.
                let bytes = (try? await response.body.collect(limit: 64 << 10)) ?? []
                if let answer = Self.modernError(in: bytes, answering: message) {
                    guard handling == .deliver else { return answer }
                    continuation.yield(.message(answer))
                    return nil
                }
                read = response.snippet(of: bytes)
            }
            // A 400 renews only when its body says the session is unknown: read its start first.
            if read == nil,
                SessionRenewal.mayNeedBody(status: response.status, sentSessionID: sentSessionID, mayRenew: mayRenew)
            {
                read = await response.snippet()
            }
            let snippet = read
            if let expired = SessionRenewal.expiredSession(
                status: response.status, body: snippet, answering: message, sentSessionID: sentSessionID,
                mayRenew: mayRenew)
            {
                if snippet == nil { _ = try? await response.body.collect(limit: 64 << 10) }
                try await renewSession(expired: expired, because: label, status: response.status)
                return try await send(message, mayRenew: false, answer: handling)
            }
            throw await statusError(response, sent: sent, label: label, renewed: !mayRenew, snippet: snippet)
        }
    }

    /// DELETEs the session (a 405 means the server does not allow it, which is fine) and ends
    /// `incoming`. Idempotent; bounded to 5 s.
    package func close() async {
        guard !isClosed else { return }
        isClosed = true
        if let eventStreamTask {
            eventStreamTask.cancel()
            _ = await eventStreamTask.value
            self.eventStreamTask = nil
        }
        if let sessionID {
            var request = HTTPRequest(method: "DELETE", url: url, headers: headers, timeout: .seconds(5))
            request.connectTimeout = .seconds(5)
            request.headers.append(HTTPHeader(MCPHeader.sessionID, sessionID))
            if let protocolVersion { request.headers.append(HTTPHeader(MCPHeader.protocolVersion, protocolVersion)) }
            let authorized = exchange.authorized
            let unauthorized = request
            let withToken = try? await withTimeout(.seconds(5)) {
                var request = unauthorized
                try await authorized.authorize(&request)
                return request
            }
            if let withToken { request = withToken }
            do {
                let response = try await exchange.client.send(request)
                _ = try? await response.body.collect(limit: 64 << 10)
                if response.status != 405, !(200..<300).contains(response.status) {
                    logger.trace("[\(serverName)] DELETE of the session answered HTTP \(response.status)")
                }
            } catch {
                logger.trace("[\(serverName)] could not DELETE the session: \(error)")
            }
        }
        continuation.finish()
    }

    // MARK: - Exchanges

    /// The POST for `message`, and the session id it carries.
    private func postRequest(for message: JSONRPCMessage) throws(ClientError) -> (HTTPRequest, String?) {
        guard !isClosed else {
            throw ClientError(
                code: .closed, message: "the session was closed", context: ErrorContext(server: serverName))
        }
        if case .request(_, MCPMethod.initialize, let params) = message { initializeParams = params }
        var request = HTTPRequest(method: "POST", url: url, headers: headers, body: message.serializedBytes)
        request.headers.append(HTTPHeader(MCPHeader.accept, MCPHeader.acceptPost))
        request.headers.append(HTTPHeader(MCPHeader.contentType, MCPHeader.json))
        if case .request(_, let method, let params) = message,
            let modernVersion = MCPWire.modernProtocolVersion(of: params)
        {
            // Modern (MCP 2026-07-28): no session; the headers mirror the request's own `_meta`.
            request.headers += ModernHeaders.standard(method: method, params: params, protocolVersion: modernVersion)
                .map { HTTPHeader($0.name, $0.value) }
            return (request, nil)
        }
        if let sessionID { request.headers.append(HTTPHeader(MCPHeader.sessionID, sessionID)) }
        if let protocolVersion, message.method != MCPMethod.initialize {
            request.headers.append(HTTPHeader(MCPHeader.protocolVersion, protocolVersion))
        }
        return (request, sessionID)
    }

    /// Whether `message` is a request of the modern protocol (its `_meta` names a version).
    private static func isModernRequest(_ message: JSONRPCMessage) -> Bool {
        guard case .request(_, _, let params) = message else { return false }
        return MCPWire.modernProtocolVersion(of: params) != nil
    }

    /// Whether `response` to `message` may be a modern server's refusal of the handshake: a 4xx
    /// (not 401 or 403) with a JSON body, answering `initialize`.
    private static func mayCarryHandshakeRefusal(_ response: HTTPResponse, answering message: JSONRPCMessage) -> Bool {
        message.method == MCPMethod.initialize && (400..<500).contains(response.status) && response.status != 401
            && response.status != 403 && response.contentType.hasPrefix(MCPHeader.json)
    }

    /// The JSON-RPC error in `bytes` answering `message`, when it is one of the modern protocol's
    /// own errors (UnsupportedProtocolVersion, a header mismatch, a missing capability: MCP
    /// 2026-07-28), which only a modern server sends; nil for anything else, including a legacy
    /// server's own 4xx errors, which keep meaning what they meant (a fallback, a renewal).
    private static func modernError(in bytes: [UInt8], answering message: JSONRPCMessage) -> JSONRPCMessage? {
        guard let expected = message.id, let decoded = try? JSONRPCMessage.decodeAll(bytes), decoded.count == 1,
            case .errorResponse(let id, let error) = decoded[0], id == nil || id == expected,
            MCPWire.ModernError.isModern(error.code)
        else { return nil }
        return .errorResponse(id: expected, error: error)
    }

    /// The JSON-RPC error a modern server sent with a 4xx to `message`, as the answer to it
    /// (an error without an id is taken as this request's); any other 4xx body is the status
    /// error, with `httpStatus` set, that negotiation reads.
    private nonisolated func modernErrorAnswer(
        _ response: HTTPResponse, answering message: JSONRPCMessage, sent: HTTPRequest, label: String
    ) async throws -> JSONRPCMessage {
        guard response.contentType.hasPrefix(MCPHeader.json), let expected = message.id else {
            throw await statusError(response, sent: sent, label: label, renewed: false)
        }
        let bytes = (try? await response.body.collect(limit: 64 << 10)) ?? []
        if let decoded = try? JSONRPCMessage.decodeAll(bytes), decoded.count == 1,
            case .errorResponse(let id, let error) = decoded[0], id == nil || id == expected
        {
            return .errorResponse(id: expected, error: error)
        }
        let text = RetryingExchange.printable(String(decoding: bytes.prefix(200), as: UTF8.self))
        var error = ClientError(
            code: .protocolViolation,
            message: "the server answered HTTP \(response.status) to '\(label)'" + (text.isEmpty ? "" : ": \(text)"),
            hint: "check the server's `url`", context: ErrorContext(server: serverName))
        error.httpStatus = response.status
        throw error
    }

    /// The GET that resumes a stream after `lastEventID` (MCP 2025-11-25, Resumability and
    /// Redelivery).
    private func resumeRequest(after lastEventID: String) throws(ClientError) -> HTTPRequest {
        guard !isClosed else {
            throw ClientError(
                code: .closed, message: "the session was closed", context: ErrorContext(server: serverName))
        }
        var request = HTTPRequest(method: "GET", url: url, headers: headers)
        request.headers.append(HTTPHeader(MCPHeader.accept, MCPHeader.acceptStream))
        if let sessionID { request.headers.append(HTTPHeader(MCPHeader.sessionID, sessionID)) }
        if let protocolVersion { request.headers.append(HTTPHeader(MCPHeader.protocolVersion, protocolVersion)) }
        request.headers.append(HTTPHeader(MCPHeader.lastEventID, lastEventID))
        return request
    }

    private func adoptSessionID(_ value: String?) throws(ClientError) {
        guard let value else { return }
        guard Self.isValidSessionID(value) else {
            throw ClientError(
                code: .protocolViolation,
                message: "the server sent an \(MCPHeader.sessionID) with characters outside visible ASCII",
                hint: "the server is not following MCP; report it to its maintainers",
                context: ErrorContext(server: serverName))
        }
        sessionID = value
    }

    /// The error for a final non-2xx status to `label` (`HTTPExchange.statusError`); `renewed`
    /// when it answered the request re-sent in a session just renewed.
    private nonisolated func statusError(
        _ response: HTTPResponse, sent: HTTPRequest, label: String, renewed: Bool, snippet: String? = nil
    ) async -> ClientError {
        await exchange.statusError(response, sent: sent, snippet: snippet) { redirect in
            var message = "the server answered HTTP \(response.status)"
            if let redirect { message += " to '\(label)'" + redirect.note }
            if renewed { message += " to '\(label)' again, in the new session it had just started" }
            return (message, redirect?.hint ?? "check the server's `url`")
        }
    }

    // MARK: - Session renewal

    /// Starts a new session after `expired` got a 404 (MCP 2025-11-25, Session Management), or a
    /// 400 saying the session is unknown (`status`): a new `initialize` with the first one's
    /// parameters and the provider's token (a 401 renews it, as for any request), then
    /// `notifications/initialized`.
    ///
    /// Concurrent requests that all saw the same expired session share one renewal: the first
    /// renews, the others wait for it.
    private func renewSession(expired: String, because label: String, status: Int) async throws {
        let id: RequestID
        switch renewal.begin(expired: expired, current: sessionID) {
        case .alreadyRenewed:
            return
        case .join:
            let (done, waiter) = AsyncStream<Void>.makeStream()
            renewalWaiters.append(waiter)
            for await _ in done { break }
            try Task.checkCancellation()
            guard SessionRenewal.joinedRenewalSucceeded(expired: expired, current: sessionID) else {
                throw ClientError(
                    code: .closed, message: "the server ended the session and a new one could not be started",
                    context: ErrorContext(server: serverName))
            }
            return
        case .renew(let renewalID):
            id = renewalID
        }
        defer {
            for waiter in renewalWaiters { waiter.finish() }
            renewalWaiters = []
            renewal.finish()
        }
        logger.trace(
            "[\(serverName)] the server ended session \(expired) (HTTP \(status) to '\(label)'); starting a new one")
        sessionID = nil
        let message = JSONRPCMessage.request(id: id, method: MCPMethod.initialize, params: initializeParams)
        let (request, _) = try postRequest(for: message)
        let (response, sent) = try await exchange.send(request, label: MCPMethod.initialize)
        try adoptSessionID(response.headers.value(for: MCPHeader.sessionID))
        guard (200..<300).contains(response.status) else {
            var error = await statusError(response, sent: sent, label: MCPMethod.initialize, renewed: false)
            error.message = "could not start a new session after the server ended the old one: \(error.message)"
            throw error
        }
        let answer = try await readBody(
            of: response, answering: message, label: MCPMethod.initialize, answer: .consume)
        guard case .response(_, let result) = answer, let version = result["protocolVersion"]?.stringValue else {
            throw ClientError(
                code: .protocolViolation,
                message: "the server did not accept a new initialize after ending the session",
                context: ErrorContext(server: serverName, method: MCPMethod.initialize))
        }
        if let protocolVersion, version != protocolVersion {
            logger.trace("[\(serverName)] the new session speaks \(version), not \(protocolVersion)")
        }
        protocolVersion = version
        guard sessionID != nil else {
            throw ClientError(
                code: .protocolViolation,
                message: "the server ended the session but gave no new \(MCPHeader.sessionID)",
                context: ErrorContext(server: serverName, method: MCPMethod.initialize))
        }
        _ = try await send(.notification(method: MCPMethod.initialized, params: nil), mayRenew: false, answer: .deliver)
        logger.trace("[\(serverName)] started session \(sessionID ?? "?")")
        await reopenEventStream()
    }

    /// After a renewal, replaces the GET stream (which belonged to the old session, or has ended
    /// on its 404) with one for the new session, unless the server never offered one (405).
    private func reopenEventStream() async {
        guard let old = eventStreamTask else { return }  // not opened yet: didInitialize will
        old.cancel()
        let offered = await old.value
        // Re-read after the await: close() or another renewal may have run meanwhile.
        guard eventStreamTask == old, !isClosed else { return }
        eventStreamTask = nil
        guard offered else { return }
        logger.trace("[\(serverName)] opening the GET stream for the new session")
        openEventStream()
    }

    // MARK: - Bodies

    /// What `readBody` does with the response to the request it answers.
    enum AnswerHandling {
        /// Delivered through `incoming` like every other message.
        case deliver
        /// Returned and not delivered (the transport's own `initialize` of a renewed session).
        case consume
        /// Returned and not delivered when it is the first message of a JSON body (nothing
        /// delivered before it is still in flight to the session); else delivered.
        case returnIfFirst
    }

    /// Delivers every message of a 2xx body; for a request, fails unless its response was among
    /// them. Returns that response when `handling` kept it from `incoming`, else nil.
    private nonisolated func readBody(
        of response: HTTPResponse, answering message: JSONRPCMessage, label: String, answer handling: AnswerHandling
    ) async throws -> JSONRPCMessage? {
        let expected: RequestID? = if case .request(let id, _, _) = message { id } else { nil }
        if response.isEventStream {
            let consume = handling == .consume
            let answer = try await readEventStream(
                response.body, until: expected, label: label, deliverAnswer: !consume)
            return consume ? answer : nil
        }
        var answer: JSONRPCMessage?
        var withheld = false
        if let messages = try await decodedBody(of: response) {
            var delivered = false
            for received in messages {
                if let expected, received.isResponse, received.id == expected {
                    answer = received
                    if handling == .consume || handling == .returnIfFirst && !delivered {
                        withheld = true
                        continue
                    }
                }
                continuation.yield(.message(received))
                delivered = true
            }
        }
        if expected != nil, answer == nil {
            throw ClientError(
                code: .closed,
                message: "the server ended its HTTP \(response.status) response without answering '\(label)'",
                hint: "the server may have dropped the request; run again",
                context: ErrorContext(server: serverName))
        }
        return withheld ? answer : nil
    }

    /// The messages of a JSON body, nil when it is empty or only whitespace. The raw bytes are
    /// gone when this returns, so a large body is not held next to its decoded messages while
    /// they are delivered.
    private nonisolated func decodedBody(of response: HTTPResponse) async throws -> [JSONRPCMessage]? {
        let bytes: [UInt8]
        do {
            bytes = try await response.body.collect(
                limit: Self.maxJSONBodyBytes,
                expectedCount: response.headers.value(for: MCPHeader.contentLength).flatMap { Int($0) })
        } catch let error as HTTPError {
            throw HTTPExchange.clientError(error, server: serverName)
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        do {
            return try JSONRPCMessage.decodeAll(bytes)
        } catch {
            throw ClientError(
                code: .protocolViolation,
                message: "the server's HTTP \(response.status) body is not JSON-RPC: \(error.message)",
                context: ErrorContext(server: serverName), underlying: error)
        }
    }

    /// The body of a 2xx answer to a notification or to our answer to a server request, which the
    /// server should have sent as 202 with no body: ignored whatever it holds (contract §8). A
    /// JSON body (up to 64 KiB) whose messages decode is still delivered, as before; anything
    /// else (not JSON, too long, an event stream, a body that fails) is dropped, traced.
    private nonisolated func ignoreBody(of response: HTTPResponse, label: String) async {
        if response.isEventStream {
            // Dropping the body aborts the transfer: nothing is waited for.
            logger.trace("[\(serverName)] ignored the event stream answering '\(label)' (HTTP \(response.status))")
            return
        }
        guard let bytes = try? await response.body.collect(limit: 64 << 10) else {
            logger.trace("[\(serverName)] ignored the HTTP \(response.status) body answering '\(label)'")
            return
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return }
        guard let messages = try? JSONRPCMessage.decodeAll(bytes) else {
            logger.trace(
                "[\(serverName)] ignored the HTTP \(response.status) body answering '\(label)' (\(bytes.count) bytes, not JSON-RPC)"
            )
            return
        }
        for received in messages { continuation.yield(.message(received)) }
    }

    /// What one read of an event stream left behind.
    private struct StreamProgress {
        var lastEventID: String?
        var reconnectionTime: Int?
        var malformed: String?
        var endedMidEvent = false
        var dropped: HTTPError?
    }

    /// Reads an SSE response, delivering each message, until `expected` is answered; a stream
    /// that ends first is resumed from its last event id (GET with `Last-Event-ID`, after the
    /// server's `retry` delay) as `StreamResumption` decides, within its caps (issue #8).
    private nonisolated func readEventStream(
        _ body: HTTPBody, until expected: RequestID?, label: String, deliverAnswer: Bool
    ) async throws -> JSONRPCMessage? {
        var progress = StreamProgress()
        var body = body
        var resumption = StreamResumption(policy: exchange.policy)
        while true {
            if let answer = try await readEvents(
                body, until: expected, into: &progress, deliverAnswer: deliverAnswer)
            {
                return answer
            }
            guard expected != nil else { return nil }
            let action = resumption.streamEnded(
                lastEventID: progress.lastEventID, reconnectionTime: progress.reconnectionTime,
                timeLeft: await RequestDeadline.current?.timeLeft())
            let stream = "the server's event stream for '\(label)'"
            let failure: (code: ClientError.Code, message: String, hint: String)
            switch action {
            case .resume(let lastEventID, let delay):
                logger.trace(
                    "[\(serverName)] the event stream for '\(label)' ended before its response; resuming after event '\(lastEventID)' in \(delay.humanReadable) (resumption \(resumption.resumptions) of at most \(exchange.policy.maxTotalResumptions))"
                )
                try await Task.sleep(for: delay)
                body = try await resume(after: lastEventID, label: label)
                continue
            case .noEventID:
                throw streamEndError(progress, label: label)
            case .fruitless(let count):
                failure = (
                    .closed,
                    "\(stream) kept ending without the response; gave up after \(count) resumptions in a row without a new event",
                    "the server may have lost the request; run again"
                )
            case .exhausted(let count):
                failure = (
                    .closed, "\(stream) kept ending without the response; gave up after \(count) resumptions",
                    "the server keeps dropping the stream; check its logs or a proxy's idle timeout, then run again"
                )
            case .pastDeadline(let delay, let left):
                failure = (
                    .timedOut,
                    "\(stream) dropped before the response, and the server's retry delay (\(delay.humanReadable)) outlasts the request's timeout (\(left.humanReadable) left)",
                    "raise the step's or the server's `timeout`, or ask the server's maintainers for a shorter `retry`"
                )
            }
            throw ClientError(
                code: failure.code, message: failure.message, hint: failure.hint,
                context: ErrorContext(server: serverName))
        }
    }

    /// GETs the stream after `lastEventID`; returns its body.
    private nonisolated func resume(after lastEventID: String, label: String) async throws -> HTTPBody {
        var request = try await resumeRequest(after: lastEventID)
        try await exchange.authorized.authorize(&request)
        let response = try await exchange.sendRetrying(request, label: label)
        if response.status == 200, response.isEventStream { return response.body }
        let snippet = await response.snippet()
        throw ClientError(
            code: response.status == 401 || response.status == 403 ? .unauthorized(response.status) : .closed,
            message:
                "the event stream for '\(label)' dropped and could not be resumed: GET with \(MCPHeader.lastEventID) answered HTTP \(response.status)"
                + (response.status == 200 ? " (\(response.contentType))" : "")
                + (snippet.isEmpty ? "" : ": \(snippet)"),
            hint: response.status == 404
                ? "the server ended the session; run again" : "the server may have lost the request; run again",
            context: ErrorContext(server: serverName))
    }

    /// Why a stream that ended unanswered, with no event id to resume from, failed.
    private nonisolated func streamEndError(_ progress: StreamProgress, label: String) -> ClientError {
        if let malformed = progress.malformed {
            return ClientError(
                code: .protocolViolation,
                message: "the server's event stream for '\(label)' carried an event that is not JSON-RPC: \(malformed)",
                hint: "the server is not following MCP; report it to its maintainers",
                context: ErrorContext(server: serverName))
        }
        if progress.endedMidEvent {
            return ClientError(
                code: .protocolViolation,
                message: "the server's event stream for '\(label)' ended in the middle of an event",
                hint: "the server or a proxy cut the response short; check the server's logs",
                context: ErrorContext(server: serverName), underlying: progress.dropped)
        }
        return ClientError(
            code: .closed,
            message:
                "the server's event stream for '\(label)' ended before the response, with no event id to resume from",
            hint: "the server dropped the stream and does not support resumption; the step's `retry` can run it again",
            context: ErrorContext(server: serverName), underlying: progress.dropped)
    }

    /// Reads one SSE body, delivering each message; returns the response to `expected` as soon
    /// as it arrives (the transfer is then dropped, which aborts it), or nil when the stream ends
    /// or drops first, with `progress` updated.
    private nonisolated func readEvents(
        _ body: HTTPBody, until expected: RequestID?, into progress: inout StreamProgress, deliverAnswer: Bool
    ) async throws -> JSONRPCMessage? {
        var parser = SSEParser()
        var tail = EventBoundary()
        do {
            for try await chunk in body {
                tail.see(chunk)
                let events = try parser.feed(chunk)
                if let id = parser.lastEventID { progress.lastEventID = id }
                if let time = parser.reconnectionTime { progress.reconnectionTime = time }
                for event in events {
                    let messages: [JSONRPCMessage]
                    switch SSEMessage(event) {
                    case .none: continue  // a priming event, or another type
                    case .malformed(let reason, let data):
                        let shown = "\(reason): \(data)"
                        progress.malformed = progress.malformed ?? shown
                        continuation.yield(.malformed("SSE event is not JSON-RPC (\(shown))"))
                        continue
                    case .messages(let decoded): messages = decoded
                    }
                    var answer: JSONRPCMessage?
                    for received in messages {
                        if let expected, received.isResponse, received.id == expected {
                            answer = received
                            if !deliverAnswer { continue }
                        }
                        continuation.yield(.message(received))
                    }
                    if let answer { return answer }
                }
            }
        } catch let error as SSEError {
            throw ClientError(
                code: .protocolViolation, message: "the server's event stream broke a limit: \(error)",
                context: ErrorContext(server: serverName), underlying: error)
        } catch let error as HTTPError where error.code == .connectionClosed {
            progress.dropped = error
        } catch let error as HTTPError {
            throw HTTPExchange.clientError(error, server: serverName)
        }
        progress.endedMidEvent = !tail.endsBetweenEvents
        return nil
    }

    // MARK: - Helpers

    /// Whether `value` may be used as a session id: non-empty, visible ASCII only (0x21–0x7E,
    /// MCP 2025-11-25, Session Management). Anything else must never reach a request header.
    package static func isValidSessionID(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// The last bytes of an event stream, to tell whether it ended between events or inside one
    /// (a stream that stops in the middle of an event is cut short, not finished).
    struct EventBoundary {
        private var last: [UInt8] = []

        /// Notes the next chunk.
        mutating func see(_ chunk: [UInt8]) {
            last = Array((last + chunk.suffix(4)).suffix(4))
        }

        /// Whether the stream so far ends with an empty line (or is empty): one line ending
        /// (CRLF, LF or CR), preceded by another.
        var endsBetweenEvents: Bool {
            if last.isEmpty { return true }
            var rest = last[...]
            if rest.last == 0x0A {
                rest = rest.dropLast(); if rest.last == 0x0D { rest = rest.dropLast() }
            } else if rest.last == 0x0D {
                rest = rest.dropLast()
            } else {
                return false
            }
            return rest.isEmpty || rest.last == 0x0A || rest.last == 0x0D
        }
    }
}
