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
/// 401/403 become `.unauthorized` (never a fallback); other non-2xx statuses a protocol
/// violation naming the status and the first 200 bytes of the body. `close()` DELETEs the session.
///
/// State (session id, version, headers) lives in this actor; the HTTP exchanges themselves run
/// `nonisolated`, in the calling task, so concurrent requests do not queue behind one another.
package actor StreamableHTTPTransport: Transport {
    /// The largest JSON response body accepted: 64 MiB.
    package static let maxJSONBodyBytes = 64 << 20

    /// Messages read from POST responses, in arrival order.
    package nonisolated let incoming: AsyncStream<TransportEvent>
    private let continuation: AsyncStream<TransportEvent>.Continuation
    /// The endpoint URL.
    package nonisolated let url: String
    private let serverName: String
    private let logger: Logger
    private let client: HTTPClient
    private var headers: [HTTPHeader]
    private var sessionID: String?
    private var protocolVersion: String?
    private var isClosed = false
    private let authorization: (any AuthorizationProvider)?

    /// A transport for `url`; nothing is sent until the first message.
    /// - Parameter headers: the config's headers (auth already resolved, secret-valued), sent on
    ///   every request.
    /// - Parameter authorization: OAuth: asked for the `Authorization` header before each request,
    ///   and once more after a 401, after which the request is retried once.
    package init(
        url: String, headers: [HTTPHeader], serverName: String, logger: Logger, client: HTTPClient = .shared,
        authorization: (any AuthorizationProvider)? = nil
    ) {
        self.authorization = authorization
        self.url = url
        self.headers = headers
        self.serverName = serverName
        self.logger = logger
        self.client = client
        (incoming, continuation) = AsyncStream<TransportEvent>.makeStream()
    }

    /// The session id the server assigned, if any.
    package var currentSessionID: String? { sessionID }

    /// Replaces the configured headers (the hook a token refresh after a 401 will use).
    package func replaceHeaders(_ headers: [HTTPHeader]) { self.headers = headers }

    /// Starts sending `MCP-Protocol-Version` (MCP 2025-06-18, Protocol Version Header).
    package func didInitialize(protocolVersion: String) { self.protocolVersion = protocolVersion }

    /// POSTs `message` and, for a request, reads the response body until its response arrived.
    ///
    /// Runs in the calling task (nonisolated); suspends for the HTTP exchange. Cancelling the task
    /// aborts the transfer.
    /// - Throws: `ClientError` `.unauthorized(status)`, `.protocolViolation` (unexpected status,
    ///   bad body, bad session id), `.unreachable`, `.closed` (the stream ended before the
    ///   response), `.timedOut` (HTTP-level); `CancellationError`.
    package nonisolated func send(_ message: JSONRPCMessage) async throws {
        var request = try await postRequest(for: message)
        let sent = try await authorization?.currentAuthorization(logger: logger)
        if let sent { request.headers.append(sent) }
        var response = try await exchange(request)
        // OAuth: on a 401, renew the token once and retry once (contract §7, Refresh).
        if response.status == 401, let authorization {
            let challenges = response.headers.values(for: "WWW-Authenticate")
            _ = try? await response.body.collect(limit: 64 << 10)
            let renewed = try await authorization.authorizationAfterUnauthorized(
                challenges: challenges, rejected: sent, logger: logger)
            request.headers.removeAll { $0.name.lowercased() == "authorization" }
            request.headers.append(renewed)
            response = try await exchange(request)
        }
        if case .request(_, MCPMethod.initialize, _) = message {
            try await adoptSessionID(response.headers.value(for: MCPHeader.sessionID))
        }
        switch response.status {
        case 200..<300:
            try await readBody(of: response, answering: message)
        case 401, 403:
            throw ClientError(
                code: .unauthorized(response.status),
                message: "the server refused the request with HTTP \(response.status)",
                hint: response.status == 401
                    ? "check the server's credentials (`authType` and its secret); an expired token needs a new login"
                    : "the credentials lack permission for this server or tool",
                context: ErrorContext(server: serverName))
        default:
            let snippet = await Self.snippet(of: response)
            throw ClientError(
                code: .protocolViolation,
                message: "the server answered HTTP \(response.status)" + (snippet.isEmpty ? "" : ": \(snippet)"),
                hint: response.status == 404 && message.method != MCPMethod.initialize
                    ? "the server may have ended the session; run again" : "check the server's `url`",
                context: ErrorContext(server: serverName))
        }
    }

    /// DELETEs the session (a 405 means the server does not allow it, which is fine) and ends
    /// `incoming`. Idempotent; bounded to 5 s.
    package func close() async {
        guard !isClosed else { return }
        isClosed = true
        if let sessionID {
            var request = HTTPRequest(method: "DELETE", url: url, headers: headers, timeout: .seconds(5))
            request.connectTimeout = .seconds(5)
            request.headers.append(HTTPHeader(MCPHeader.sessionID, sessionID))
            if let protocolVersion { request.headers.append(HTTPHeader(MCPHeader.protocolVersion, protocolVersion)) }
            if let authorization {
                let logger = self.logger
                let header = try? await withTimeout(.seconds(5)) {
                    try await authorization.currentAuthorization(logger: logger)
                }
                if let header { request.headers.append(header) }
            }
            do {
                let response = try await client.send(request)
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

    private func postRequest(for message: JSONRPCMessage) throws(ClientError) -> HTTPRequest {
        guard !isClosed else {
            throw ClientError(
                code: .closed, message: "the session was closed", context: ErrorContext(server: serverName))
        }
        var request = HTTPRequest(method: "POST", url: url, headers: headers, body: message.serializedBytes)
        request.headers.append(HTTPHeader(MCPHeader.accept, MCPHeader.acceptPost))
        request.headers.append(HTTPHeader(MCPHeader.contentType, MCPHeader.json))
        if let sessionID { request.headers.append(HTTPHeader(MCPHeader.sessionID, sessionID)) }
        if let protocolVersion { request.headers.append(HTTPHeader(MCPHeader.protocolVersion, protocolVersion)) }
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

    private nonisolated func exchange(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            return try await client.send(request)
        } catch let error as HTTPError {
            throw Self.clientError(error, url: url, server: serverName)
        }
    }

    /// Delivers every message of a 2xx body; for a request, fails unless its response was among them.
    private nonisolated func readBody(of response: HTTPResponse, answering message: JSONRPCMessage) async throws {
        let contentType = response.headers.value(for: MCPHeader.contentType)?.lowercased() ?? ""
        let expected: RequestID? = if case .request(let id, _, _) = message { id } else { nil }
        var answered = false
        if contentType.hasPrefix(MCPHeader.eventStream) {
            answered = try await readEventStream(response.body, until: expected)
        } else {
            let bytes: [UInt8]
            do {
                bytes = try await response.body.collect(limit: Self.maxJSONBodyBytes)
            } catch let error as HTTPError {
                throw Self.clientError(error, url: url, server: serverName)
            }
            if !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                let messages: [JSONRPCMessage]
                do {
                    messages = try JSONRPCMessage.decodeAll(bytes)
                } catch {
                    throw ClientError(
                        code: .protocolViolation,
                        message: "the server's HTTP \(response.status) body is not JSON-RPC: \(error.message)",
                        context: ErrorContext(server: serverName), underlying: error)
                }
                for received in messages {
                    if let expected, received.isResponse, received.id == expected { answered = true }
                    continuation.yield(.message(received))
                }
            }
        }
        if expected != nil, !answered {
            throw ClientError(
                code: .closed,
                message: "the server ended its HTTP \(response.status) response without answering the request",
                hint: "the server may have dropped the stream; run again",
                context: ErrorContext(server: serverName))
        }
    }

    /// Reads an SSE response, delivering each message; returns once `expected` is answered (the
    /// transfer is then dropped, which aborts it) or the stream ends.
    private nonisolated func readEventStream(_ body: HTTPBody, until expected: RequestID?) async throws -> Bool {
        var parser = SSEParser()
        do {
            for try await chunk in body {
                for event in try parser.feed(chunk) {
                    // A priming event (MCP 2025-11-25) has an id and empty data: nothing to deliver.
                    guard !event.data.isEmpty, event.type == "message" else { continue }
                    let messages: [JSONRPCMessage]
                    do {
                        messages = try JSONRPCMessage.decodeAll(Array(event.data.utf8))
                    } catch {
                        continuation.yield(
                            .malformed("SSE event is not JSON-RPC (\(error)): \(event.data.prefix(200))"))
                        continue
                    }
                    var answered = false
                    for received in messages {
                        if let expected, received.isResponse, received.id == expected { answered = true }
                        continuation.yield(.message(received))
                    }
                    if answered { return true }
                }
            }
        } catch let error as SSEError {
            throw ClientError(
                code: .protocolViolation, message: "the server's event stream broke a limit: \(error)",
                context: ErrorContext(server: serverName), underlying: error)
        } catch let error as HTTPError {
            throw Self.clientError(error, url: url, server: serverName)
        }
        return false
    }

    // MARK: - Helpers

    /// Whether `value` may be used as a session id: non-empty, visible ASCII only (0x21–0x7E,
    /// MCP 2025-11-25, Session Management). Anything else must never reach a request header.
    package static func isValidSessionID(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    static func clientError(_ error: HTTPError, url: String, server: String) -> ClientError {
        let code: ClientError.Code
        let hint: String?
        switch error.code {
        case .connectionClosed:
            code = .closed
            hint = "the server dropped the connection; check its logs"
        case .timedOut:
            code = .timedOut
            hint = "check that the server's `url` is reachable from here"
        case .bodyTooLarge:
            code = .protocolViolation
            hint = nil
        default:
            code = .unreachable
            hint = error.hint ?? "check the server's `url` and your network"
        }
        return ClientError(
            code: code, message: error.message, hint: hint, context: ErrorContext(server: server), underlying: error)
    }

    /// The first 200 bytes of an error body, as text on one line.
    static func snippet(of response: HTTPResponse) async -> String {
        var bytes: [UInt8] = []
        do {
            for try await chunk in response.body {
                bytes.append(contentsOf: chunk.prefix(200 - bytes.count))
                if bytes.count >= 200 { break }
            }
        } catch {
            // Whatever arrived before the failure is enough for a message.
        }
        let text = String(String(decoding: bytes, as: UTF8.self).map { $0.isNewline ? " " : $0 })
        return String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
