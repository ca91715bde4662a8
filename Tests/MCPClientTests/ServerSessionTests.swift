import Basics
import Testing

@testable import MCPClient

@Suite("ServerSession against an in-memory transport", .timeLimit(.minutes(1)))
struct ServerSessionTests {
    func open(
        _ transport: FakeTransport, observer: (@Sendable (ServerNotification) -> Void)? = nil
    ) async throws
        -> ServerSession
    {
        try await ServerSession.open(
            transport: transport, name: "fake", requestTimeout: .seconds(5), logger: .silent, observer: observer)
    }

    @Test("initialize offers 2025-11-25 with clientInfo and capabilities, then sends initialized")
    func initializeHandshake() async throws {
        let transport = FakeTransport.initializing(version: "2025-06-18")
        let session = try await open(transport)
        var iterator = transport.sent.makeAsyncIterator()
        let first = try #require(await iterator.next())
        guard case .request(_, "initialize", let params?) = first else {
            Issue.record("first message was \(first)")
            return
        }
        #expect(params["protocolVersion"] == "2025-11-25")
        #expect(params["clientInfo"]?["name"] == "mcp-run")
        #expect(params["capabilities"] == ["roots": ["listChanged": false], "elicitation": [:]])
        #expect(await iterator.next() == .notification(method: "notifications/initialized", params: nil))
        #expect(await session.protocolVersion == "2025-06-18")
        #expect(await session.serverInfo == ["name": "fake"])
        #expect(await transport.negotiatedVersion == "2025-06-18")
        await session.close()
    }

    @Test("every accepted version is accepted", arguments: ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"])
    func acceptedVersions(version: String) async throws {
        let session = try await open(.initializing(version: version))
        #expect(await session.protocolVersion == version)
        await session.close()
    }

    @Test("an unsupported version fails naming both versions and closes the transport")
    func unsupportedVersion() async throws {
        let transport = FakeTransport.initializing(version: "1999-01-01")
        let error = await #expect(throws: ClientError.self) { try await open(transport) }
        #expect(error?.code == .unsupportedVersion("1999-01-01"))
        #expect(error?.message.contains("1999-01-01") == true)
        #expect(error?.message.contains("2025-11-25") == true)
        #expect(error?.context.server == "fake")
        #expect(await transport.closeCount == 1)
    }

    @Test("concurrent requests are matched to their responses by id, in any order")
    func concurrentRequests() async throws {
        let held = Held()
        let transport = FakeTransport.initializing { message, transport in
            guard case .request(let id, "tools/call", let params?) = message else { return }
            let text = params["arguments"]?["text"] ?? .null
            // Answer in reverse order once three calls are in.
            for (id, text) in await held.add(id, text, releaseAt: 3).reversed() {
                transport.deliver(.response(id: id, result: ["content": [["type": "text", "text": text]]]))
            }
        }
        let session = try await open(transport)
        try await withThrowingTaskGroup(of: (String, JSONValue).self) { group in
            for word in ["a", "b", "c"] {
                group.addTask {
                    (word, try await session.callTool("echo", arguments: ["text": .string(word)], timeout: nil))
                }
            }
            for try await (word, result) in group {
                #expect(result["content"]?[0]?["text"] == .string(word))
            }
        }
        await session.close()
    }

    @Test("a timed-out request throws timedOut and sends notifications/cancelled with its id")
    func timeoutSendsCancelled() async throws {
        let transport = FakeTransport.initializing()  // never answers tools/call
        let session = try await open(transport)
        let error = await #expect(throws: ClientError.self) {
            try await session.callTool("sleep", arguments: ["ms": 10_000], timeout: .milliseconds(20))
        }
        #expect(error?.code == .timedOut)
        #expect(error?.context.method == "tools/call")
        #expect(error?.context.server == "fake")
        let call = await transport.sent.first { $0.method == "tools/call" }
        let cancelled = await transport.sent.first { $0.method == "notifications/cancelled" }
        guard case .notification(_, let params?) = cancelled else {
            Issue.record("no notifications/cancelled")
            return
        }
        #expect(params["requestId"] == call?.id?.jsonValue)
        await session.close()
    }

    @Test("a cancelled caller sends notifications/cancelled and gets .cancelled")
    func cancellationSendsCancelled() async throws {
        let started = AsyncStream<Void>.makeStream()
        let transport = FakeTransport.initializing { message, _ in
            if message.method == "tools/call" { started.continuation.yield() }
        }
        let session = try await open(transport)
        let call = Task { try await session.callTool("sleep", arguments: ["ms": 10_000], timeout: nil) }
        for await _ in started.stream { break }
        call.cancel()
        let result = await call.result
        #expect(throws: ClientError.self) { try result.get() }
        if case .failure(let error as ClientError) = result { #expect(error.code == .cancelled) }
        #expect(await transport.sent.first { $0.method == "notifications/cancelled" } != nil)
        await session.close()
    }

    @Test("a JSON-RPC error response is thrown as .rpc with code and message")
    func rpcError() async throws {
        let transport = FakeTransport.initializing { message, transport in
            guard case .request(let id, _, _) = message else { return }
            transport.deliver(.errorResponse(id: id, error: JSONRPCError(code: -32602, message: "unknown tool: x")))
        }
        let session = try await open(transport)
        let error = await #expect(throws: ClientError.self) {
            try await session.callTool("x", arguments: [:], timeout: nil)
        }
        #expect(error?.code == .rpc(code: -32602, message: "unknown tool: x"))
        #expect(error?.context.method == "tools/call")
        await session.close()
    }

    @Test("a JSON-RPC error keeps its data on the ClientError, as the server sent it")
    func rpcErrorData() async throws {
        let data: JSONValue = ["field": "text", "limits": [1, 2.5, .null]]
        let transport = FakeTransport.initializing { message, transport in
            guard case .request(let id, _, _) = message else { return }
            transport.deliver(.errorResponse(id: id, error: JSONRPCError(code: -32602, message: "bad", data: data)))
        }
        let session = try await open(transport)
        let error = await #expect(throws: ClientError.self) {
            try await session.callTool("x", arguments: [:], timeout: nil)
        }
        #expect(error?.rpcData == data)
        await session.close()
    }

    @Test("a JSON-RPC error answering initialize is a protocol violation keeping code and data")
    func initializeRPCError() async throws {
        let transport = FakeTransport { message, transport in
            guard case .request(let id, "initialize", _) = message else { return }
            transport.deliver(
                .errorResponse(id: id, error: JSONRPCError(code: -32600, message: "no", data: ["why": "version"])))
        }
        let error = await #expect(throws: ClientError.self) { try await open(transport) }
        #expect(error?.code == .protocolViolation)
        #expect(error?.message.contains("answered 'initialize' with error -32600: no") == true)
        #expect(error?.rpcData == ["why": "version"])
        #expect(
            (error?.underlying as? ClientError)?.code == .rpc(code: -32600, message: "no", data: ["why": "version"]))
        #expect(error?.context.server == "fake")
    }

    @Test("an initialize that gets no answer is unreachable, not a timed-out step")
    func initializeTimeout() async throws {
        let transport = FakeTransport { _, _ in }
        let error = await #expect(throws: ClientError.self) {
            try await ServerSession.open(
                transport: transport, name: "fake", requestTimeout: .milliseconds(200), logger: .silent)
        }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("did not answer 'initialize' within") == true)
    }

    @Test(
        "listTools stops at the page cap of a server that sends new cursors for ever, naming the cap",
        .timeLimit(.minutes(1)))
    func listToolsPageCap() async throws {
        let pages = Counter()
        let transport = FakeTransport.initializing { message, transport in
            guard case .request(let id, "tools/list", _) = message else { return }
            let page = await pages.next()
            transport.deliver(
                .response(
                    id: id, result: ["tools": [["name": .string("t\(page)")]], "nextCursor": .string("c\(page)")]))
        }
        let session = try await open(transport)
        let error = await #expect(throws: ClientError.self) { try await session.listTools() }
        #expect(error?.code == .protocolViolation)
        #expect(error?.message.contains("after \(ServerSession.maxListPages) pages") == true)
        #expect(error?.context.method == "tools/list")
        #expect(error?.context.server == "fake")
        #expect(await pages.value == ServerSession.maxListPages)
        await session.close()
    }

    @Test("listTools ends the list at an empty or repeated cursor", arguments: ["", "same"])
    func listToolsCursorEnds(cursor: String) async throws {
        let pages = Counter()
        let transport = FakeTransport.initializing { message, transport in
            guard case .request(let id, "tools/list", _) = message else { return }
            let page = await pages.next()
            transport.deliver(
                .response(id: id, result: ["tools": [["name": .string("t\(page)")]], "nextCursor": .string(cursor)]))
        }
        let session = try await open(transport)
        let tools = try await session.listTools()
        #expect(tools.map(\.name) == (cursor.isEmpty ? ["t1"] : ["t1", "t2"]))
        await session.close()
    }

    @Test("a tool result with isError is returned, not thrown")
    func toolErrorReturned() async throws {
        let transport = FakeTransport.initializing { message, transport in
            guard case .request(let id, _, _) = message else { return }
            transport.deliver(.response(id: id, result: ["content": [], "isError": true]))
        }
        let session = try await open(transport)
        let result = try await session.callTool("fail", arguments: [:], timeout: nil)
        #expect(result["isError"] == true)
        await session.close()
    }

    static let serverRequests: [(String, JSONRPCMessage)] = [
        ("ping", .response(id: .string("s"), result: [:])),
        ("roots/list", .response(id: .string("s"), result: ["roots": []])),
        ("elicitation/create", .response(id: .string("s"), result: ["action": "decline"])),
        ("sampling/createMessage", .errorResponse(id: .string("s"), error: JSONRPCError(code: -32601, message: ""))),
        ("something/else", .errorResponse(id: .string("s"), error: JSONRPCError(code: -32601, message: ""))),
    ]

    @Test("server requests are answered", arguments: serverRequests)
    func serverRequestsAnswered(method: String, expected: JSONRPCMessage) async throws {
        let transport = FakeTransport.initializing()
        let session = try await open(transport)
        transport.deliver(.request(id: .string("s"), method: method, params: [:]))
        let answer = await transport.sent.first { $0.isResponse }
        switch (answer, expected) {
        case (.errorResponse(let id, let error)?, .errorResponse(let expectedID, let expectedError)):
            #expect(id == expectedID && error.code == expectedError.code)
        default:
            #expect(answer == expected)
        }
        await session.close()
    }

    @Test("server notifications reach the observer")
    func notificationsObserved() async throws {
        let (seen, seenContinuation) = AsyncStream<ServerNotification>.makeStream()
        let transport = FakeTransport.initializing()
        let session = try await open(transport) { seenContinuation.yield($0) }
        transport.deliver(
            .notification(method: "notifications/message", params: ["level": "warning", "logger": "l", "data": "hi"]))
        transport.deliver(
            .notification(method: "notifications/progress", params: ["progressToken": 2, "progress": 1, "total": 4]))
        var iterator = seen.makeAsyncIterator()
        #expect(await iterator.next() == .log(level: "warning", logger: "l", data: "hi"))
        #expect(await iterator.next() == .progress(token: 2, progress: 1, total: 4, message: nil))
        await session.close()
    }

    @Test("tool calls carry a progress token only when there is an observer")
    func progressToken() async throws {
        let transport = FakeTransport.initializing { message, transport in
            guard case .request(let id, _, _) = message else { return }
            transport.deliver(.response(id: id, result: [:]))
        }
        let session = try await open(transport) { _ in }
        _ = try await session.callTool("echo", arguments: ["text": "x"], timeout: nil)
        let call = await transport.sent.first { $0.method == "tools/call" }
        guard case .request(let id, _, let params?) = call else { throw Failure("no call") }
        #expect(params["_meta"]?["progressToken"] == id.jsonValue)
        await session.close()
    }

    @Test("listTools follows nextCursor to the last page")
    func listToolsPages() async throws {
        let transport = FakeTransport.initializing { message, transport in
            guard case .request(let id, "tools/list", let params) = message else { return }
            switch params?["cursor"]?.stringValue {
            case nil:
                transport.deliver(.response(id: id, result: ["tools": [["name": "a"]], "nextCursor": "p2"]))
            case "p2":
                transport.deliver(
                    .response(
                        id: id,
                        result: ["tools": [["name": "b", "description": "B", "inputSchema": ["type": "object"]]]]))
            default:
                transport.deliver(.errorResponse(id: id, error: JSONRPCError(code: -32602, message: "bad cursor")))
            }
        }
        let session = try await open(transport)
        let tools = try await session.listTools()
        #expect(tools.map(\.name) == ["a", "b"])
        #expect(tools[1].description == "B")
        await session.close()
    }

    @Test("a transport that ends fails pending requests with its reason, and later ones too")
    func transportEnded() async throws {
        let transport = FakeTransport.initializing { message, transport in
            if message.method == "tools/call" {
                transport.end(ClientError(code: .closed, message: "the server process exited with status 1"))
            }
        }
        let session = try await open(transport)
        let error = await #expect(throws: ClientError.self) {
            try await session.callTool("echo", arguments: [:], timeout: nil)
        }
        #expect(error?.code == .closed)
        #expect(error?.message.contains("status 1") == true)
        #expect(error?.context.server == "fake")
        let later = await #expect(throws: ClientError.self) { try await session.listTools() }
        #expect(later?.code == .closed)
        await session.close()
    }

    @Test("a late response after a timeout is ignored and the session stays usable")
    func lateResponseIgnored() async throws {
        let first = Locked<RequestID?>(nil)
        let transport = FakeTransport.initializing { message, transport in
            guard case .request(let id, "tools/call", let params?) = message else { return }
            if params["arguments"]?["text"] == "slow" {
                first.withLock { $0 = id }
                return
            }
            // Answer the timed-out call now, late, and then this one.
            if let late = first.value { transport.deliver(.response(id: late, result: ["late": true])) }
            transport.deliver(.response(id: id, result: ["late": false]))
        }
        let session = try await open(transport)
        await #expect(throws: ClientError.self) {
            try await session.callTool("echo", arguments: ["text": "slow"], timeout: .milliseconds(10))
        }
        let result = try await session.callTool("echo", arguments: ["text": "fast"], timeout: nil)
        #expect(result == ["late": false])
        await session.close()
    }

    @Test("a server request arriving during a call is answered before the call completes")
    func serverRequestDuringCall() async throws {
        let transport = FakeTransport.initializing { message, transport in
            switch message {
            case .request(_, "tools/call", _):
                transport.deliver(.request(id: .string("p"), method: "ping", params: nil))
            case .response(.string("p"), _):
                // The ping was answered: now finish the call (id 2: initialize was 1).
                transport.deliver(.response(id: .number(2), result: ["pinged": true]))
            default:
                break
            }
        }
        let session = try await open(transport)
        let result = try await session.callTool("echo", arguments: [:], timeout: nil)
        #expect(result == ["pinged": true])
        await session.close()
    }

    @Test("initialize is never cancelled, even when it times out")
    func initializeNotCancelled() async throws {
        let transport = FakeTransport { _, _ in }  // never answers
        let error = await #expect(throws: ClientError.self) {
            try await ServerSession.open(
                transport: transport, name: "mute", requestTimeout: .milliseconds(20), logger: .silent)
        }
        // Unreachable, not timedOut: a session that never started is exit 4 (contract §6).
        #expect(error?.code == .unreachable)
        #expect(error?.context.method == "initialize")
        var methods: [String] = []
        for await message in transport.sent { methods.append(message.method ?? "") }
        #expect(methods == ["initialize"])
    }

    @Test("close is idempotent and fails later requests with .closed")
    func closeIdempotent() async throws {
        let transport = FakeTransport.initializing()
        let session = try await open(transport)
        await session.close()
        await session.close()
        #expect(await transport.closeCount == 1)
        let error = await #expect(throws: ClientError.self) { try await session.listTools() }
        #expect(error?.code == .closed)
    }
}

/// Collects calls until `releaseAt` have arrived, then hands all of them to the last caller.
actor Held {
    private var items: [(RequestID, JSONValue)] = []
    func add(_ id: RequestID, _ value: JSONValue, releaseAt: Int) -> [(RequestID, JSONValue)] {
        items.append((id, value))
        return items.count == releaseAt ? items : []
    }
}

struct Failure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A count shared with a scripted server.
actor Counter {
    private(set) var value = 0

    /// Adds one and returns the new value.
    func next() -> Int {
        value += 1
        return value
    }
}
