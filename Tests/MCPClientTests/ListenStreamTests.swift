import Basics
import Testing

@testable import MCPClient

/// The session's `subscriptions/listen` stream (MCP 2026-07-28, Subscriptions) against an
/// in-memory peer that shares one channel, as stdio does: the request, its acknowledgement, the
/// demultiplexing by `_meta.io.modelcontextprotocol/subscriptionId`, and the
/// `notifications/cancelled` that ends it. `SubscriptionTests` (EndToEndTests) covers the SDK's
/// server over stdio and Streamable HTTP.
@Suite("subscriptions/listen against an in-memory peer", .timeLimit(.minutes(1)))
struct ListenStreamTests {
    /// A modern peer: `server/discover` advertises `capabilities`; `subscriptions/listen` is
    /// answered by `listen` (given the request's id and params); anything else with an empty result.
    static func peer(
        capabilities: JSONValue = ["tools": ["listChanged": true], "prompts": ["listChanged": true]],
        listen: @escaping @Sendable (RequestID, JSONValue?, FakeTransport) -> Void
    ) -> FakeTransport {
        FakeTransport { message, transport in
            switch message {
            case .request(let id, MCPMethod.serverDiscover, _):
                transport.deliver(
                    .response(
                        id: id,
                        result: [
                            "resultType": "complete", "supportedVersions": ["2026-07-28"],
                            "capabilities": capabilities,
                        ]))
            case .request(let id, MCPMethod.subscriptionsListen, let params):
                listen(id, params, transport)
            case .request(let id, _, _):
                transport.deliver(.response(id: id, result: ["content": []]))
            default:
                break
            }
        }
    }

    /// A notification on subscription `id`.
    static func onSubscription(_ id: RequestID, _ method: String, _ params: [String: JSONValue] = [:]) -> JSONRPCMessage
    {
        var members = params
        members["_meta"] = ["io.modelcontextprotocol/subscriptionId": id.jsonValue]
        return .notification(method: method, params: .object(members))
    }

    static func open(
        _ transport: FakeTransport, observer: (@Sendable (ServerNotification) -> Void)? = nil, listens: Bool = true
    ) async throws -> ServerSession {
        try await ServerSession.open(
            transport: transport, name: "fake", requestTimeout: .seconds(5), logger: .silent, observer: observer,
            versions: .dualEra, listensForChanges: listens)
    }

    @Test(
        "a listening session asks for the list changes the server advertises, demultiplexes by subscription id, and cancels the listen request at close"
    )
    func listensAndCancels() async throws {
        let transport = Self.peer { id, _, transport in
            transport.deliver(
                Self.onSubscription(
                    id, MCPMethod.subscriptionsAcknowledged,
                    ["notifications": ["toolsListChanged": true, "promptsListChanged": true]]))
            // Another subscription's change comes first on the shared channel: not ours, ignored.
            transport.deliver(Self.onSubscription(.number(99), MCPMethod.toolsListChanged))
            transport.deliver(Self.onSubscription(id, MCPMethod.promptsListChanged))
            transport.deliver(Self.onSubscription(id, MCPMethod.toolsListChanged))
        }
        let (observed, observe) = AsyncStream<String>.makeStream()
        let session = try await Self.open(transport) { notification in
            if case .other(let method, _) = notification { observe.yield(method) }
        }
        var sent = transport.sent.makeAsyncIterator()
        #expect(await sent.next()?.method == MCPMethod.serverDiscover)
        guard case .request(let listenID, MCPMethod.subscriptionsListen, let params)? = await sent.next() else {
            Issue.record("the second message is not subscriptions/listen")
            return
        }
        #expect(params?["notifications"] == ["toolsListChanged": true, "promptsListChanged": true])
        #expect(params?["_meta"]?["io.modelcontextprotocol/protocolVersion"] == "2026-07-28")
        var methods = observed.makeAsyncIterator()
        #expect(await methods.next() == MCPMethod.promptsListChanged)
        #expect(await methods.next() == MCPMethod.toolsListChanged)
        await session.close()
        var cancelled: JSONRPCMessage?
        while cancelled == nil, let message = await sent.next() {
            if message.method == MCPMethod.cancelled { cancelled = message }
        }
        guard case .notification(_, let notice)? = cancelled else {
            Issue.record("no notifications/cancelled at close")
            return
        }
        #expect(notice?["requestId"] == listenID.jsonValue)
    }

    @Test("a session not asked to listen, or whose server advertises no tools.listChanged, sends no listen request")
    func noListen() async throws {
        for (capabilities, listens) in [
            (["tools": ["listChanged": true]] as JSONValue, false),
            (["tools": [:], "prompts": ["listChanged": true]] as JSONValue, true),
        ] {
            let transport = Self.peer(capabilities: capabilities) { _, _, _ in
                Issue.record("subscriptions/listen was sent")
            }
            let session = try await Self.open(transport, listens: listens)
            _ = try await session.callTool("echo", arguments: [:], timeout: nil)
            await session.close()
            var methods: [String] = []
            for await message in transport.sent { methods.append(message.method ?? "response") }
            #expect(methods == [MCPMethod.serverDiscover, MCPMethod.toolsCall], "\(capabilities)")
        }
    }

    @Test("a refused listen request leaves the session working, and nothing is cancelled at close")
    func refused() async throws {
        let transport = Self.peer { id, _, transport in
            transport.deliver(
                .errorResponse(id: id, error: JSONRPCError(code: -32603, message: "Subscription limit reached")))
        }
        let session = try await Self.open(transport)
        let result = try await session.callTool("echo", arguments: [:], timeout: nil)
        #expect(result == ["content": []])
        await session.close()
        var methods: [String] = []
        for await message in transport.sent { methods.append(message.method ?? "response") }
        #expect(methods == [MCPMethod.serverDiscover, MCPMethod.subscriptionsListen, MCPMethod.toolsCall])
    }

    @Test("an acknowledgement without tool list changes closes the stream at once")
    func acknowledgedWithoutTools() async throws {
        let transport = Self.peer { id, _, transport in
            transport.deliver(
                Self.onSubscription(
                    id, MCPMethod.subscriptionsAcknowledged, ["notifications": ["promptsListChanged": true]]))
        }
        let session = try await Self.open(transport)
        var sent = transport.sent.makeAsyncIterator()
        #expect(await sent.next()?.method == MCPMethod.serverDiscover)
        let listen = await sent.next()
        #expect(listen?.method == MCPMethod.subscriptionsListen)
        // The acknowledgement ends the stream: nothing else was sent meanwhile.
        let next = await sent.next()
        #expect(next?.method == MCPMethod.cancelled)
        if case .notification(_, let params)? = next { #expect(params?["requestId"] == listen?.id?.jsonValue) }
        await session.close()
    }

    @Test("a stream that drops after its acknowledgement is not reopened, and the tool list is marked stale")
    func dropped() async throws {
        let transport = DroppingTransport()
        let (observed, observe) = AsyncStream<String>.makeStream()
        let session = try await ServerSession.open(
            transport: transport, name: "fake", requestTimeout: .seconds(5), logger: .silent,
            observer: { notification in
                if case .other(let method, _) = notification { observe.yield(method) }
            }, versions: .dualEra, listensForChanges: true)
        // The stream drops once this call is answered.
        _ = try await session.callTool("echo", arguments: [:], timeout: nil)
        var methods = observed.makeAsyncIterator()
        #expect(await methods.next() == MCPMethod.toolsListChanged)
        _ = try await session.callTool("echo", arguments: [:], timeout: nil)
        await session.close()
        #expect(
            await transport.methods == [
                MCPMethod.serverDiscover, MCPMethod.subscriptionsListen, MCPMethod.toolsCall, MCPMethod.toolsCall,
            ])
    }

    @Test(
        "a subscription filter reads only true flags, and a message's subscription id is read from _meta",
        arguments: [
            (["toolsListChanged": true, "promptsListChanged": false] as JSONValue, "tools"),
            (["resourcesListChanged": true, "resourceSubscriptions": ["x://y"]] as JSONValue, "resources"),
            (["toolsListChanged": "yes"] as JSONValue, "nothing"),
            (JSONValue.null, "nothing"),
        ])
    func filter(wire: JSONValue, described: String) {
        #expect(MCPWire.SubscriptionFilter(wire: wire).description == described)
        #expect(MCPWire.subscriptionID(in: ["_meta": ["io.modelcontextprotocol/subscriptionId": 7]]) == .number(7))
        #expect(MCPWire.subscriptionID(in: ["_meta": ["io.modelcontextprotocol/subscriptionId": "s"]]) == .string("s"))
        #expect(MCPWire.subscriptionID(in: ["_meta": [:]]) == nil)
    }
}

/// A modern peer whose listen stream is acknowledged, then drops (as an HTTP stream cut by a
/// proxy does: its request fails unanswered) once a later request has been answered.
private actor DroppingTransport: Transport {
    nonisolated let incoming: AsyncStream<TransportEvent>
    private let continuation: AsyncStream<TransportEvent>.Continuation
    /// Every message sent, by method.
    private(set) var methods: [String] = []
    private var held: CheckedContinuation<Void, Never>?
    private var answered = false

    init() { (incoming, continuation) = AsyncStream.makeStream() }

    func send(_ message: JSONRPCMessage) async throws {
        methods.append(message.method ?? "response")
        switch message {
        case .request(let id, MCPMethod.serverDiscover, _):
            continuation.yield(
                .message(
                    .response(
                        id: id,
                        result: [
                            "resultType": "complete", "supportedVersions": ["2026-07-28"],
                            "capabilities": ["tools": ["listChanged": true]],
                        ])))
        case .request(let id, MCPMethod.subscriptionsListen, _):
            continuation.yield(
                .message(
                    ListenStreamTests.onSubscription(
                        id, MCPMethod.subscriptionsAcknowledged, ["notifications": ["toolsListChanged": true]])))
            if !answered { await withCheckedContinuation { held = $0 } }
            throw ClientError(code: .closed, message: "the event stream dropped")
        case .request(let id, _, _):
            continuation.yield(.message(.response(id: id, result: ["content": []])))
            answered = true
            held?.resume()
            held = nil
        default:
            break
        }
    }

    func close() { continuation.finish() }
}
