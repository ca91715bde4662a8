import Basics
import HTTP
import Testing

@testable import MCPClient

/// Legacy HTTP+SSE through an in-process `HTTPSending`: the endpoint, the POSTs and the stream's
/// messages, no sockets.
@Suite("legacy HTTP+SSE transport against an in-process server", .timeLimit(.minutes(1)))
struct LegacySSEExchangeTests {
    static let url = "http://127.0.0.1:9/sse"
    static let initialize = JSONRPCMessage.request(id: .number(1), method: "initialize", params: nil)

    /// Connects to a server whose GET stream starts with an `endpoint` event naming `endpoint`
    /// and then yields what `body` feeds it, and whose POSTs get `postStatus`; closes at the end.
    static func withTransport(
        endpoint: String, postStatus: Int = 202,
        _ body: (LegacySSETransport, InProcessHTTPServer, AsyncThrowingStream<[UInt8], any Error>.Continuation)
            async throws -> Void
    ) async throws {
        let (stream, feed) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        defer { feed.finish() }
        feed.yield(Array("event: endpoint\ndata: \(endpoint)\n\n".utf8))
        let server = InProcessHTTPServer { request, _ in
            guard request.method == "GET" else { return InProcessHTTPServer.response(postStatus, "Accepted") }
            return HTTPResponse(
                status: 200, headers: HTTPHeaders([(MCPHeader.contentType, MCPHeader.eventStream)]),
                body: HTTPBody(stream))
        }
        let transport = try await LegacySSETransport.connect(
            url: url, headers: [], serverName: "s", requestTimeout: .seconds(30), logger: .silent, client: server)
        do {
            try await body(transport, server, feed)
        } catch {
            await transport.close()
            throw error
        }
        await transport.close()
    }

    @Test(
        "messages are POSTed to the endpoint event's URL and answers arrive as message events",
        .timeLimit(.minutes(1)))
    func endpointAndMessages() async throws {
        try await Self.withTransport(endpoint: "/messages?session_id=1") { transport, server, feed in
            #expect(await transport.messagesURL == "http://127.0.0.1:9/messages?session_id=1")
            try await transport.send(Self.initialize)
            let answer = InProcessHTTPServer.initializeResult(id: .number(1))
            feed.yield(Array(sseEvent(answer, before: "event: message\n").utf8))
            #expect(await transport.messages(1) == [answer])
            let requests = await server.requests
            #expect(requests.map(\.method) == ["GET", "POST"])
            #expect(requests.map(\.url) == [Self.url, "http://127.0.0.1:9/messages?session_id=1"])
            #expect(requests[0].header(MCPHeader.accept) == MCPHeader.acceptStream)
        }
    }

    @Test("a POST answered 403 is unauthorized", .timeLimit(.minutes(1)))
    func forbiddenPost() async throws {
        try await Self.withTransport(endpoint: "/messages", postStatus: 403) { transport, _, _ in
            let error = await #expect(throws: ClientError.self) { try await transport.send(Self.initialize) }
            #expect(error?.code == .unauthorized(403))
        }
    }

    @Test("an endpoint on another origin is refused", .timeLimit(.minutes(1)))
    func foreignEndpoint() async throws {
        let error = await #expect(throws: ClientError.self) {
            try await Self.withTransport(endpoint: "http://evil.example/messages") { _, _, _ in }
        }
        #expect(error?.code == .protocolViolation)
        #expect(error?.message.contains("another origin") == true)
    }
}
