import Basics
import HTTP
import Testing

@testable import MCPClient

/// Streamable HTTP through an in-process `HTTPSending`: the transport's decisions, no sockets.
@Suite("Streamable HTTP transport against an in-process server", .timeLimit(.minutes(1)))
struct StreamableHTTPExchangeTests {
    static let url = "http://127.0.0.1:9/mcp"
    static let initialize = JSONRPCMessage.request(id: .number(1), method: "initialize", params: ["x": 1])

    static func transport(_ server: InProcessHTTPServer, headers: [HTTPHeader] = []) -> StreamableHTTPTransport {
        StreamableHTTPTransport(url: url, headers: headers, serverName: "s", logger: .silent, client: server)
    }

    @Test("a 401 with a Bearer challenge to a server without credentials says it wants OAuth", .timeLimit(.minutes(1)))
    func unauthorizedWantsOAuth() async throws {
        let server = InProcessHTTPServer { _, _ in
            InProcessHTTPServer.response(
                401,
                headers: [(MCPHeader.wwwAuthenticate, #"Bearer resource_metadata="http://127.0.0.1:9/.well-known""#)])
        }
        let transport = Self.transport(server)
        let error = await #expect(throws: ClientError.self) { try await transport.send(Self.initialize) }
        #expect(error?.code == .unauthorized(401))
        #expect(error?.message.contains("requires OAuth") == true)
        await transport.close()
    }

    @Test("a 401 to configured credentials is unauthorized, never a protocol violation", .timeLimit(.minutes(1)))
    func unauthorizedWithCredentials() async throws {
        let server = InProcessHTTPServer { _, _ in
            InProcessHTTPServer.response(401, "no", headers: [(MCPHeader.wwwAuthenticate, "Bearer")])
        }
        let credentials = HTTPHeader(name: MCPHeader.authorization, value: .secret(Secret("Bearer t0k3n-fake")))
        let transport = Self.transport(server, headers: [credentials])
        let error = await #expect(throws: ClientError.self) { try await transport.send(Self.initialize) }
        #expect(error?.code == .unauthorized(401))
        #expect(error?.message == "the server refused the request with HTTP 401")
        await transport.close()
    }

    @Test("another status is a protocol violation naming it and the body", .timeLimit(.minutes(1)))
    func otherStatus() async throws {
        let server = InProcessHTTPServer { _, _ in InProcessHTTPServer.response(418, "short and stout\n") }
        let transport = Self.transport(server)
        let error = await #expect(throws: ClientError.self) { try await transport.send(Self.initialize) }
        #expect(error?.code == .protocolViolation)
        #expect(error?.httpStatus == 418)
        #expect(error?.message == "the server answered HTTP 418: short and stout")
        await transport.close()
    }

    @Test(
        "a 400 answering initialize with one of the modern protocol's errors is initialize's answer (MCP 2026-07-28)",
        arguments: [(-32022, true), (-32600, false)])
    func handshakeRefusedInA400(code: Int, isAnswer: Bool) async throws {
        // What the official SDKs send once they serve 2026-07-28; -32600 is a legacy server's own 400.
        let body =
            #"{"jsonrpc":"2.0","id":1,"error":{"code":\#(code),"message":"no handshake","data":{"supported":["2026-07-28"]}}}"#
        let server = InProcessHTTPServer { _, _ in
            InProcessHTTPServer.response(400, body, headers: [(MCPHeader.contentType, MCPHeader.json)])
        }
        let transport = Self.transport(server)
        if isAnswer {
            let answer = try await transport.sendReturningAnswer(Self.initialize)
            guard case .errorResponse(.number(1), let error)? = answer else {
                Issue.record("not an error answer: \(String(describing: answer))")
                return
            }
            #expect(error.code == code && error.data?["supported"] == ["2026-07-28"])
        } else {
            let error = await #expect(throws: ClientError.self) { try await transport.send(Self.initialize) }
            #expect(error?.code == .protocolViolation)
            #expect(error?.httpStatus == 400, "the status a legacy fallback reads")
            #expect(
                error?.message.contains("no handshake") == true, "the body still shows: \(String(describing: error))")
        }
        await transport.close()
    }

    @Test(
        "a 404 to a request in a session starts a new session and sends the request once more", .timeLimit(.minutes(1)))
    func renewsExpiredSession() async throws {
        let list = JSONRPCMessage.request(id: .number(2), method: "tools/list", params: nil)
        let server = InProcessHTTPServer { request, index in
            switch index {
            case 0:
                return InProcessHTTPServer.json(
                    InProcessHTTPServer.initializeResult(id: .number(1)), headers: [(MCPHeader.sessionID, "s1")])
            case 1: return InProcessHTTPServer.response(404, "session gone")
            case 2:
                return InProcessHTTPServer.json(
                    InProcessHTTPServer.initializeResult(id: .string("mcp-run-renew-1")),
                    headers: [(MCPHeader.sessionID, "s2")])
            case 3: return InProcessHTTPServer.response(202)
            default: return InProcessHTTPServer.json(.response(id: .number(2), result: ["tools": []]))
            }
        }
        let transport = Self.transport(server)
        _ = try await transport.sendReturningAnswer(Self.initialize)
        let answer = try await transport.sendReturningAnswer(list)
        #expect(answer == .response(id: .number(2), result: ["tools": []]))
        #expect(await transport.currentSessionID == "s2")
        let requests = await server.requests
        #expect(
            requests.map { $0.message?.method } == [
                "initialize", "tools/list", "initialize", "notifications/initialized", "tools/list",
            ])
        #expect(requests.map { $0.header(MCPHeader.sessionID) } == [nil, "s1", nil, "s2", "s2"])
        // The new session's initialize carries the first one's parameters.
        #expect(requests[2].message == .request(id: .string("mcp-run-renew-1"), method: "initialize", params: ["x": 1]))
        await transport.close()
    }

    /// A provider whose token never changes: what a cached OAuth token looks like to the transport.
    private struct FixedToken: AuthorizationProvider {
        let header = HTTPHeader(name: MCPHeader.authorization, value: .plain("Bearer fixed-token"))
        func currentAuthorization(logger: Logger) async throws -> HTTPHeader? { header }
        func authorizationAfterUnauthorized(
            challenges: [String], rejected: HTTPHeader?, logger: Logger
        ) async throws -> HTTPHeader { header }
        func authorizationAfterForbidden(
            challenges: [String], rejected: HTTPHeader?, logger: Logger
        ) async throws -> HTTPHeader? { nil }
    }

    @Test(
        "a 400 saying the session is unknown renews it like a 404, and the new initialize carries the OAuth token",
        .timeLimit(.minutes(1)))
    func renewsOn400WithToken() async throws {
        let list = JSONRPCMessage.request(id: .number(2), method: "tools/list", params: nil)
        let server = InProcessHTTPServer { request, index in
            // Like a server guarding every request: no token, no answer.
            guard request.header(MCPHeader.authorization) == "Bearer fixed-token" else {
                return InProcessHTTPServer.response(
                    401, "token required", headers: [(MCPHeader.wwwAuthenticate, "Bearer")])
            }
            switch index {
            case 0:
                return InProcessHTTPServer.json(
                    InProcessHTTPServer.initializeResult(id: .number(1)), headers: [(MCPHeader.sessionID, "s1")])
            case 1:
                return InProcessHTTPServer.response(
                    400, #"{"error":{"message":"Bad Request: No valid session ID provided"}}"#)
            case 2:
                return InProcessHTTPServer.json(
                    InProcessHTTPServer.initializeResult(id: .string("mcp-run-renew-1")),
                    headers: [(MCPHeader.sessionID, "s2")])
            case 3: return InProcessHTTPServer.response(202)
            default: return InProcessHTTPServer.json(.response(id: .number(2), result: ["tools": []]))
            }
        }
        let transport = StreamableHTTPTransport(
            url: Self.url, headers: [], serverName: "s", logger: .silent, client: server, authorization: FixedToken())
        _ = try await transport.sendReturningAnswer(Self.initialize)
        let answer = try await transport.sendReturningAnswer(list)
        #expect(answer == .response(id: .number(2), result: ["tools": []]))
        let requests = await server.requests
        #expect(
            requests.map { $0.message?.method } == [
                "initialize", "tools/list", "initialize", "notifications/initialized", "tools/list",
            ])
        #expect(requests.allSatisfy { $0.header(MCPHeader.authorization) == "Bearer fixed-token" })
        await transport.close()
    }

    @Test(
        "any other 400 to a request in a session is reported with its body, and nothing is renewed",
        .timeLimit(.minutes(1)))
    func otherBadRequestIsReported() async throws {
        let list = JSONRPCMessage.request(id: .number(2), method: "tools/list", params: nil)
        let server = InProcessHTTPServer { _, index in
            index == 0
                ? InProcessHTTPServer.json(
                    InProcessHTTPServer.initializeResult(id: .number(1)), headers: [(MCPHeader.sessionID, "s1")])
                : InProcessHTTPServer.response(400, "Bad Request: cursor is malformed")
        }
        let transport = Self.transport(server)
        _ = try await transport.sendReturningAnswer(Self.initialize)
        let error = await #expect(throws: ClientError.self) { try await transport.sendReturningAnswer(list) }
        #expect(error?.httpStatus == 400)
        #expect(error?.message == "the server answered HTTP 400: Bad Request: cursor is malformed")
        #expect(await server.requests.count == 2)
        await transport.close()
    }

    @Test("an SSE answer delivers what comes before the response, and skips a priming event", .timeLimit(.minutes(1)))
    func decodesEventStream() async throws {
        let progress = JSONRPCMessage.notification(method: "notifications/progress", params: ["progress": 1])
        let answer = InProcessHTTPServer.initializeResult(id: .number(1))
        let server = InProcessHTTPServer { _, _ in
            InProcessHTTPServer.eventStream([
                "id: p0\ndata:\n\n",
                sseEvent(progress, before: "event: message\n"), sseEvent(answer, before: "id: e1\n"),
            ])
        }
        let transport = Self.transport(server)
        #expect(try await transport.sendReturningAnswer(Self.initialize) == nil)
        #expect(await transport.messages(2) == [progress, answer])
        await transport.close()
    }

    @Test("a POST stream that drops after an event id is resumed with GET and Last-Event-ID", .timeLimit(.minutes(1)))
    func resumesDroppedStream() async throws {
        let answer = InProcessHTTPServer.initializeResult(id: .number(1))
        let server = InProcessHTTPServer { _, index in
            index == 0
                ? InProcessHTTPServer.eventStream(["retry: 0\nid: e1\ndata:\n\n"])
                : InProcessHTTPServer.eventStream([sseEvent(answer, before: "id: e2\n")])
        }
        let transport = Self.transport(server)
        try await transport.send(Self.initialize)
        #expect(await transport.messages(1) == [answer])
        let requests = await server.requests
        #expect(requests.map(\.method) == ["POST", "GET"])
        #expect(requests[1].header(MCPHeader.lastEventID) == "e1")
        #expect(requests[1].header(MCPHeader.accept) == MCPHeader.acceptStream)
        await transport.close()
    }
}
