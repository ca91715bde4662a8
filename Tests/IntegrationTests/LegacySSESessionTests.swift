import Basics
import Foundation
import HTTP
import TestSupport
import Testing

@testable import MCPClient

/// The fixture `tools.py` over legacy HTTP+SSE (MCP 2024-11-05), and the `transport: sse`
/// negotiation between Streamable HTTP and legacy HTTP+SSE (contract §2, §8).
@Suite("ServerSession over legacy HTTP+SSE against tools.py", .timeLimit(.minutes(4)))
struct LegacySSESessionTests {
    static let token = "t0k3n-fake-legacy"
    static var authorization: [HTTPHeader] {
        [HTTPHeader(name: "Authorization", value: .secret(Secret("Bearer \(token)")))]
    }

    func withSession<R>(
        url: String, transport: HTTPTransportKind, headers: [HTTPHeader] = Self.authorization,
        requestTimeout: Duration = .seconds(30), logger: Logger = .silent,
        observer: (@Sendable (ServerNotification) -> Void)? = nil, _ body: (ServerSession) async throws -> R
    ) async throws -> R {
        let config = ServerConfig(
            name: "legacy", endpoint: .http(url: url, transport: transport), headers: headers,
            requestTimeout: requestTimeout)
        let session = try await ServerSession.open(config, logger: logger, observer: observer)
        do {
            let result = try await body(session)
            await session.close()
            return result
        } catch {
            await session.close()
            throw error
        }
    }

    @Test("a legacy session does every client behaviour, with the config's headers on GET and POST")
    func everything() async throws {
        try await withServer(
            "tools.py", transport: .legacySSE, arguments: ["--auth", "bearer"],
            environment: ["FIXTURE_TOKEN": Self.token]
        ) { server in
            // Explicit `http-sse`: initialize, list, call, isError, rpc errors, resources, prompts,
            // concurrent calls, a timeout that sends notifications/cancelled.
            let lines = Locked<[String]>([])
            let logger = Logger(level: .verbose) { line in lines.withLock { $0.append(line) } }
            let notes = Locked<[ServerNotification]>([])
            try await withSession(
                url: server.endpoint, transport: .legacySSE, logger: logger,
                observer: { note in notes.withLock { $0.append(note) } }
            ) { session in
                #expect(await session.transportName == "http-sse")
                try await SessionChecks.all(session)
                let who = try await session.callTool("whoami", arguments: [:], timeout: nil)
                #expect(who["structuredContent"]?["authorizationScheme"] == "Bearer")
                #expect(who["structuredContent"]?["transport"] == "http")
                let logged = try await session.callTool(
                    "log", arguments: ["message": "hello legacy", "level": "warning"], timeout: nil)
                #expect(logged["content"]?[0]?["text"] == "logged")
            }
            #expect(
                notes.value.contains { if case .log(_, _, let data) = $0 { data == "hello legacy" } else { false } })
            #expect(lines.value.contains { $0.contains("[legacy] transport: legacy http+sse") })
            #expect(lines.value.contains { $0.contains("legacy endpoint: \(server.baseURL)/messages/") })
            #expect(!lines.value.contains { $0.contains(Self.token) })

            // The default (`sse`) falls back: the POST to /sse gets 405.
            lines.withLock { $0.removeAll() }
            try await withSession(url: server.endpoint, transport: .negotiate, logger: logger) { session in
                #expect(await session.transportName == "http-sse")
                let echo = try await session.callTool("echo", arguments: ["text": "negotiated"], timeout: nil)
                #expect(echo["content"]?[0]?["text"] == "negotiated")
            }
            #expect(lines.value.contains { $0.contains("got HTTP 405: trying legacy HTTP+SSE") })
            #expect(lines.value.contains { $0.contains("[legacy] transport: legacy http+sse") })

            // A 401 is never a fallback, in either mode.
            let wrong = [HTTPHeader(name: "Authorization", value: .secret(Secret("Bearer wrong-token")))]
            for kind in [HTTPTransportKind.negotiate, .legacySSE] {
                let error = await #expect(throws: ClientError.self) {
                    try await withSession(url: server.endpoint, transport: kind, headers: wrong) { _ in }
                }
                #expect(error?.code == .unauthorized(401))
                #expect(error?.context.server == "legacy")
                #expect(error.map { "\($0) \($0.hint ?? "")".contains("wrong-token") } == false)
            }

            // Replaced headers (the token-refresh hook) go on later POSTs.
            let transport = try await LegacySSETransport.connect(
                url: server.endpoint, headers: Self.authorization, serverName: "legacy",
                requestTimeout: .seconds(30), logger: .silent)
            let session = try await ServerSession.open(transport: transport, name: "legacy", logger: .silent)
            await transport.replaceHeaders(wrong)
            let refused = await #expect(throws: ClientError.self) {
                try await session.callTool("echo", arguments: ["text": "x"], timeout: nil)
            }
            #expect(refused?.code == .unauthorized(401))
            await session.close()
        }
    }

    @Test("the default transport stays on Streamable HTTP when the server speaks it")
    func negotiationKeepsStreamableHTTP() async throws {
        try await withServer("tools.py", transport: .streamableHTTP) { server in
            let lines = Locked<[String]>([])
            let logger = Logger(level: .verbose) { line in lines.withLock { $0.append(line) } }
            try await withSession(url: server.endpoint, transport: .negotiate, headers: [], logger: logger) {
                session in
                #expect(await session.transportName == "streamable-http")
                let who = try await session.callTool("whoami", arguments: [:], timeout: nil)
                #expect(who["structuredContent"]?["transport"] == "http")
            }
            #expect(lines.value.contains { $0.contains("[legacy] transport: streamable-http") })
            #expect(!lines.value.contains { $0.contains("legacy http+sse") })
            // The modern probe went out once and settled it: the negotiating POST was the real
            // one, and no handshake followed (MCP 2026-07-28).
            #expect(lines.value.filter { $0.contains("→") && $0.contains("\"server/discover\"") }.count == 1)
            #expect(!lines.value.contains { $0.contains("→") && $0.contains("\"initialize\"") })
        }
    }

    @Test("the event stream outlives the request timeout, and a stream that drops fails the request in flight promptly")
    func droppedStreamFailsPromptly() async throws {
        try await withServer("tools.py", transport: .legacySSE) { server in
            try await withSession(
                url: server.endpoint, transport: .legacySSE, headers: [], requestTimeout: .seconds(1)
            ) { session in
                // The server's 1 s timeout bounds each POST, never the long GET.
                let slept = try await session.callTool("sleep", arguments: ["ms": 1500], timeout: .seconds(10))
                #expect(slept["content"]?[0]?["text"] == "slept 1500")
                let clock = ContinuousClock()
                let started = clock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        let error = await #expect(throws: ClientError.self) {
                            try await session.callTool("sleep", arguments: ["ms": 20000], timeout: .seconds(30))
                        }
                        #expect(error?.code == .closed || error?.code == .unreachable)
                        #expect(error?.context.server == "legacy")
                    }
                    // Give the call time to be POSTed before the server dies.
                    try await Task.sleep(for: .milliseconds(500))
                    server.process.send(signal: SIGKILL)
                    try await group.waitForAll()
                }
                // Only "did not hang": generous, since a loaded machine is slow, not stuck.
                #expect(clock.now - started < .seconds(25))
                let after = await #expect(throws: ClientError.self) {
                    try await session.callTool("echo", arguments: ["text": "down"], timeout: nil)
                }
                #expect(after?.code == .closed)
            }
        }
    }

    @Test(
        "endpoints resolve against the stream's URL and must share its origin",
        arguments: [
            ("/messages/?session_id=1", "http://127.0.0.1:8000/messages/?session_id=1"),
            ("messages?x=1", "http://127.0.0.1:8000/v1/messages?x=1"),
            ("http://127.0.0.1:8000/m", "http://127.0.0.1:8000/m"),
            ("HTTP://127.0.0.1:8000/m", "http://127.0.0.1:8000/m"),
            ("http://127.0.0.2:8000/m", nil),
            ("http://127.0.0.1:8001/m", nil),
            ("https://127.0.0.1:8000/m", nil),
            ("//evil.example/m", nil),
        ] as [(String, String?)])
    func endpointResolution(raw: String, expected: String?) throws {
        let base = "http://127.0.0.1:8000/v1/sse"
        if let expected {
            let resolved = try LegacySSETransport.resolveEndpoint(raw, against: base, server: "s")
            #expect(resolved.lowercased() == expected.lowercased())
        } else {
            #expect(throws: ClientError.self) {
                try LegacySSETransport.resolveEndpoint(raw, against: base, server: "s")
            }
        }
    }

    @Test("only 400, 404 and 405 from the Streamable HTTP POST fall back")
    func fallbackStatuses() {
        func refused(_ status: Int) -> ClientError {
            var error = ClientError(code: .protocolViolation, message: "the server answered HTTP \(status): Not Found")
            error.httpStatus = status
            return error
        }
        #expect(NegotiatingHTTPTransport.fallbackStatus(refused(400)) == 400)
        #expect(NegotiatingHTTPTransport.fallbackStatus(refused(404)) == 404)
        #expect(NegotiatingHTTPTransport.fallbackStatus(refused(405)) == 405)
        #expect(NegotiatingHTTPTransport.fallbackStatus(refused(500)) == nil)
        #expect(NegotiatingHTTPTransport.fallbackStatus(ClientError(code: .unauthorized(401), message: "x")) == nil)
        #expect(NegotiatingHTTPTransport.fallbackStatus(ClientError(code: .unreachable, message: "x")) == nil)
        // The status, not the wording, decides.
        #expect(
            NegotiatingHTTPTransport.fallbackStatus(ClientError(code: .protocolViolation, message: "answered HTTP 404"))
                == nil)
    }

    @Test("server requests over the stream are answered, and a stream the server ends fails the call in flight")
    func serverRequestsAndServerEndedStream() async throws {
        try await withStdlibServer(Self.scriptedServer) { port in
            try await withSession(url: "http://127.0.0.1:\(port)/sse", transport: .legacySSE, headers: []) {
                session in
                #expect(await session.protocolVersion == "2024-11-05")
                let answers = try await session.callTool("answers", arguments: [:], timeout: .seconds(20))
                let text = try #require(answers["content"]?[0]?["text"]?.stringValue)
                let seen = try JSONValue.parse(text)
                #expect(seen["srv-ping"]?["result"] == [:])
                #expect(seen["srv-roots"]?["result"] == ["roots": []])
                #expect(seen["srv-sampling"]?["error"]?["code"] == .integer(JSONRPCError.methodNotFound))

                let clock = ContinuousClock()
                let started = clock.now
                let error = await #expect(throws: ClientError.self) {
                    try await session.callTool("drop", arguments: [:], timeout: .seconds(30))
                }
                #expect(error?.code == .closed)
                #expect(error?.context.server == "legacy")
                #expect(clock.now - started < .seconds(25), "waited for the call's 30 s timeout")
            }
        }
    }

    @Test("an endpoint event naming another origin is refused")
    func otherOriginRefused() async throws {
        try await withStdlibServer(Self.rogueServer) { port in
            let error = await #expect(throws: ClientError.self) {
                try await withSession(url: "http://127.0.0.1:\(port)/sse", transport: .legacySSE) { _ in }
            }
            #expect(error?.code == .protocolViolation)
            #expect(error?.message.contains("another origin") == true)
            #expect(error?.context.server == "legacy")
        }
    }

    @Test("a stream that never sends its endpoint event is unreachable within the request timeout")
    func missingEndpointTimesOut() async throws {
        try await withStdlibServer(Self.silentServer) { port in
            let clock = ContinuousClock()
            let started = clock.now
            let error = await #expect(throws: ClientError.self) {
                try await withSession(
                    url: "http://127.0.0.1:\(port)/sse", transport: .legacySSE, requestTimeout: .seconds(1)
                ) { _ in }
            }
            #expect(error?.code == .unreachable)
            #expect(error?.message.contains("no endpoint event") == true)
            #expect(error?.context.server == "legacy")
            #expect(clock.now - started < .seconds(25), "did not give up waiting for the endpoint event")
        }
    }

    /// An SSE stream that stays open and silent.
    static let silentServer = """
        import http.server, time
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(b": nothing to see\\n\\n")
                self.wfile.flush()
                time.sleep(60)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        print(f"READY {server.server_address[1]}", flush=True)
        server.serve_forever()
        """

    /// An SSE stream that announces an endpoint on another origin (127.0.0.2).
    static let rogueServer = """
        import http.server
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                port = self.server.server_address[1]
                self.wfile.write(f"event: endpoint\\ndata: http://127.0.0.2:{port}/messages\\n\\n".encode())
                self.wfile.flush()
            def do_POST(self):
                self.send_response(500)
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(f"READY {server.server_address[1]}", flush=True)
        server.serve_forever()
        """

    /// A scripted MCP 2024-11-05 server: after `notifications/initialized` it sends `ping`,
    /// `roots/list` and `sampling/createMessage` requests over the stream; the tool `answers`
    /// returns the client's answers (as JSON text) once all three arrived; the tool `drop` ends
    /// the stream without answering.
    static let scriptedServer = """
        import http.server, json, queue, threading
        events = queue.Queue()
        answers = {}
        all_answered = threading.Event()
        def push(message):
            events.put(message)
        def handle(message):
            method, mid = message.get("method"), message.get("id")
            if method == "initialize":
                push({"jsonrpc": "2.0", "id": mid, "result": {"protocolVersion": "2024-11-05",
                      "capabilities": {"tools": {}}, "serverInfo": {"name": "scripted", "version": "1"}}})
            elif method == "notifications/initialized":
                push({"jsonrpc": "2.0", "id": "srv-ping", "method": "ping"})
                push({"jsonrpc": "2.0", "id": "srv-roots", "method": "roots/list"})
                push({"jsonrpc": "2.0", "id": "srv-sampling", "method": "sampling/createMessage",
                      "params": {"messages": [], "maxTokens": 1}})
            elif method is None and isinstance(mid, str):
                answers[mid] = message
                if len(answers) == 3:
                    all_answered.set()
            elif method == "tools/call" and message["params"]["name"] == "answers":
                all_answered.wait(10)
                push({"jsonrpc": "2.0", "id": mid,
                      "result": {"content": [{"type": "text", "text": json.dumps(answers)}]}})
            elif method == "tools/call" and message["params"]["name"] == "drop":
                events.put(None)
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(b"event: endpoint\\ndata: /messages?session=1\\n\\n")
                self.wfile.flush()
                while (message := events.get()) is not None:
                    self.wfile.write(f"event: message\\ndata: {json.dumps(message)}\\n\\n".encode())
                    self.wfile.flush()
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(202)
                self.send_header("Content-Length", "8")
                self.end_headers()
                self.wfile.write(b"Accepted")
                self.wfile.flush()
                handle(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        print(f"READY {server.server_address[1]}", flush=True)
        server.serve_forever()
        """
}

/// Runs a Python stdlib HTTP server (`script`, which prints `READY <port>` once listening) with
/// the fixtures' interpreter, passes `body` its port, and stops it afterwards.
private func withStdlibServer(_ script: String, _ body: (Int) async throws -> Void) async throws {
    try await withTemporaryDirectory("stdlib-server") { directory in
        let path = "\(directory)/server.py"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let process = try await ChildProcess(
            executable: try venvPython(), arguments: ["-u", path], environment: ProcessInfo.processInfo.environment)
        let port = await process.waitForStdoutLine(timeout: .seconds(20)) { line -> Int? in
            let words = line.split(separator: " ")
            return words.count == 2 && words[0] == "READY" ? Int(words[1]) : nil
        }
        do {
            let port = try #require(port, "the server did not start: \(process.stderr)")
            try await body(port)
            await process.terminate()
        } catch {
            await process.terminate()
            throw error
        }
    }
}
