import Basics
import HTTP

@testable import MCPClient

/// An in-process HTTP peer for the transports (`HTTPSending`): every request is recorded, and
/// answered by `respond` from the request and how many came before it. No sockets, no process.
actor InProcessHTTPServer: HTTPSending {
    typealias Responder = @Sendable (_ request: HTTPRequest, _ index: Int) async throws -> HTTPResponse

    private let respond: Responder
    /// The requests received, in order.
    private(set) var requests: [HTTPRequest] = []

    init(respond: @escaping Responder) { self.respond = respond }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        requests.append(request)
        return try await respond(request, requests.count - 1)
    }

    /// A response with `body` and the given header fields.
    static func response(_ status: Int, _ body: String = "", headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders(headers), body: HTTPBody(chunks: [Array(body.utf8)]))
    }

    /// A 200 JSON body carrying `message`, with more header fields.
    static func json(_ message: JSONRPCMessage, headers: [(String, String)] = []) -> HTTPResponse {
        response(
            200, String(decoding: message.serializedBytes, as: UTF8.self),
            headers: [(MCPHeader.contentType, MCPHeader.json)] + headers)
    }

    /// A 200 event stream whose body is `events`, sent in one chunk per event.
    static func eventStream(_ events: [String], headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: 200, headers: HTTPHeaders([(MCPHeader.contentType, MCPHeader.eventStream)] + headers),
            body: HTTPBody(chunks: events.map { Array($0.utf8) }))
    }

    /// The `initialize` result of a server speaking `version`.
    static func initializeResult(id: RequestID, version: String = "2025-11-25") -> JSONRPCMessage {
        .response(
            id: id, result: ["protocolVersion": .string(version), "serverInfo": ["name": "fake"], "capabilities": [:]])
    }
}

extension Transport {
    /// The next `count` messages delivered through `incoming` (fewer if it ends first).
    func messages(_ count: Int) async -> [JSONRPCMessage] {
        var received: [JSONRPCMessage] = []
        for await event in incoming where received.count < count {
            if case .message(let message) = event { received.append(message) }
            if received.count == count { break }
        }
        return received
    }
}

/// An SSE event carrying `message`, with the fields in `before` (such as `id: e1`) first.
func sseEvent(_ message: JSONRPCMessage, before: String = "") -> String {
    before + "data: \(String(decoding: message.serializedBytes, as: UTF8.self))\n\n"
}

extension HTTPRequest {
    /// The plain value of the first header field named `name` (any case); `***` for a secret one.
    func header(_ name: String) -> String? {
        guard let field = headers.first(where: { $0.name.lowercased() == name.lowercased() }) else { return nil }
        switch field.value {
        case .plain(let text): return text
        case .secret: return "***"
        }
    }

    /// The JSON-RPC message in the body (nil for a GET or a DELETE).
    var message: JSONRPCMessage? {
        guard let body else { return nil }
        return try? JSONRPCMessage.decodeAll(body).first
    }
}
