import Basics
import Foundation
import TestSupport
import Testing

/// `mcp-run serve` through the real binary, against the `tools.py` fixture server (contract §9).
@Suite("Gateway", .timeLimit(.minutes(2)))
struct GatewayTests {
    @Test("a wrong or missing API key gets 401 on every /api/v1 route and changes nothing")
    func apiKey() async throws {
        try await withTemporaryDirectory("gateway-key") { home in
            try await withGateway(home: home) { gateway in
                #expect(try await gateway.request("GET", "/healthz", apiKey: "").status == 200)
                let body = #"{"name": "x", "url": "http://127.0.0.1:1/mcp"}"#
                for key in ["", "wrong", gateway.apiKey + "x", String(gateway.apiKey.dropLast())] {
                    for (method, path) in [
                        ("GET", "/api/v1/servers"), ("POST", "/api/v1/servers"), ("DELETE", "/api/v1/servers/x"),
                        ("GET", "/api/v1/mcp/x/tools"), ("POST", "/api/v1/mcp/x/tools/echo"),
                    ] {
                        let answer = try await gateway.request(
                            method, path, body: method == "POST" ? body : nil, apiKey: key)
                        #expect(answer.status == 401, "\(method) \(path) with '\(key)': \(answer)")
                        #expect(answer.json["error"] == "unauthorized")
                    }
                }
                #expect(!FileManager.default.fileExists(atPath: home + "/gateway-servers.json"))
                let list = try await gateway.request("GET", "/api/v1/servers")
                #expect(list.json == ["servers": []], "\(list)")
            }
        }
    }

    @Test("serve refuses to start without MCP_RUN_API_KEY or with a bad --listen or --public-url (exit 2)")
    func startRefusals() async throws {
        try await withTemporaryDirectory("gateway-refusals") { home in
            let cases: [([String], [String: String], String)] = [
                (["serve", "--listen", "127.0.0.1:0"], [:], "MCP_RUN_API_KEY"),
                (["serve", "--listen", "nope"], ["MCP_RUN_API_KEY": "k"], "HOST:PORT"),
                (["serve", "--listen", "300.1.1.1:0"], ["MCP_RUN_API_KEY": "k"], "IPv4"),
                (
                    ["serve", "--listen", "127.0.0.1:0", "--public-url", "ftp://x"], ["MCP_RUN_API_KEY": "k"],
                    "--public-url"
                ),
            ]
            for (arguments, environment, expected) in cases {
                var all = environment
                all["MCP_RUN_HOME"] = home
                let run = try await runMCPRun(arguments, environment: all)
                #expect(run.exitCode == 2, "\(run)")
                #expect(run.stderr.contains(expected), "\(run)")
            }
        }
    }

    @Test("the serve command lines of docs/gateway.md parse (checked up to the missing key, so nothing binds)")
    func documentedCommandLinesParse() async throws {
        let text = try String(contentsOfFile: repoPath("docs/gateway.md"), encoding: .utf8)
        let lines = text.split(separator: "\n").filter {
            $0.contains("mcp-run serve --") && !$0.contains("`mcp-run serve:")
        }
        #expect(lines.count == 2, "\(lines)")
        for line in lines {
            guard let range = line.range(of: "mcp-run serve ") else { continue }
            let arguments =
                ["serve"]
                + line[range.upperBound...].split(separator: " ").map {
                    $0.replacingOccurrences(of: "$PORT", with: "8080").replacingOccurrences(
                        of: "$APP_NAME", with: "app")
                }
            try await withTemporaryDirectory("gateway-doc-lines") { home in
                let run = try await runMCPRun(arguments, environment: ["MCP_RUN_HOME": home])
                #expect(run.exitCode == 2 && run.stderr.contains("needs MCP_RUN_API_KEY"), "\(line): \(run)")
            }
        }
    }

    static let invalidBodies: [(String, String)] = [
        ("not json", "body"),
        ("[1, 2]", "body"),
        (#"{"url": "http://127.0.0.1:1/mcp"}"#, "name"),
        (#"{"name": 7, "url": "http://127.0.0.1:1/mcp"}"#, "name"),
        (#"{"name": "a b", "url": "http://127.0.0.1:1/mcp"}"#, "name"),
        (#"{"name": "s"}"#, "url"),
        (#"{"name": "s", "url": "http://127.0.0.1:1/mcp", "colour": "red"}"#, "colour"),
        (#"{"name": "s", "url": "http://127.0.0.1:1/mcp", "transport": "carrier-pigeon"}"#, "transport"),
        (#"{"name": "s", "command": "/bin/sh", "args": ["-c", "id"]}"#, "command"),
        (#"{"name": "s", "url": "http://127.0.0.1:1/mcp", "headers": {"X": "${{ env.HOME }}"}}"#, "headers.X"),
    ]

    @Test("an invalid server body is answered 400 naming the field, and nothing is stored")
    func invalidBodies() async throws {
        try await withTemporaryDirectory("gateway-invalid") { home in
            try await withGateway(home: home) { gateway in
                for (body, field) in Self.invalidBodies {
                    let answer = try await gateway.request("POST", "/api/v1/servers", body: body)
                    #expect(answer.status == 400, "\(body): \(answer)")
                    #expect(answer.json["field"]?.stringValue == field, "\(body): \(answer)")
                    #expect(answer.json["message"]?.stringValue?.isEmpty == false)
                }
                #expect(try await gateway.request("GET", "/api/v1/servers").json == ["servers": []])
            }
        }
    }

    @Test("a name in use, registered or from MCP_SERVERS, is answered 409; fixed servers cannot be deleted")
    func duplicateNames() async throws {
        try await withTemporaryDirectory("gateway-dup") { home in
            let fixed = #"{"fixed": {"url": "http://127.0.0.1:1/mcp"}}"#
            try await withGateway(home: home, environment: ["MCP_SERVERS": fixed]) { gateway in
                let body = #"{"name": "one", "url": "http://127.0.0.1:1/mcp"}"#
                #expect(try await gateway.request("POST", "/api/v1/servers", body: body).status == 201)
                let again = try await gateway.request("POST", "/api/v1/servers", body: body)
                #expect(again.status == 409, "\(again)")
                #expect(again.json["error"] == "name_in_use")
                let clash = #"{"name": "fixed", "url": "http://127.0.0.1:2/mcp"}"#
                #expect(try await gateway.request("POST", "/api/v1/servers", body: clash).status == 409)
                #expect(try await gateway.request("DELETE", "/api/v1/servers/fixed").status == 403)
                #expect(try await gateway.request("DELETE", "/api/v1/servers/nobody").status == 404)
                #expect(try await gateway.request("DELETE", "/api/v1/servers/one").status == 200)
                #expect(try await gateway.request("GET", "/api/v1/servers/one").status == 404)
                #expect(try await gateway.request("POST", "/api/v1/servers", body: body).status == 201)
            }
        }
    }

    @Test("MCP_SERVERS secrets never appear in any response or in the log")
    func fixedServerSecretsStayHidden() async throws {
        let canary = "canary-7c41d9e0b2"
        try await withServer(
            "tools.py", transport: .streamableHTTP, arguments: ["--auth", "bearer"],
            environment: ["FIXTURE_TOKEN": canary]
        ) { server in
            try await withTemporaryDirectory("gateway-canary") { home in
                let servers = """
                    {"fixed": {"url": "\(server.endpoint)", "authType": "bearer-token", "token": "\(canary)",
                      "headers": {"X-Extra": "\(canary)"}},
                     "other": {"url": "http://user:\(canary)@127.0.0.1:1/mcp?key=\(canary)", "authType": "api-key",
                      "apiKey": "\(canary)"}}
                    """
                try await withGateway(home: home, environment: ["MCP_SERVERS": servers]) { gateway in
                    var answers: [RunningGateway.Answer] = []
                    answers.append(try await gateway.request("GET", "/api/v1/servers"))
                    answers.append(try await gateway.request("GET", "/api/v1/servers/fixed"))
                    answers.append(try await gateway.request("GET", "/api/v1/servers/other"))
                    answers.append(try await gateway.request("GET", "/api/v1/mcp/fixed/tools"))
                    let whoami = try await gateway.request("POST", "/api/v1/mcp/fixed/tools/whoami", body: "{}")
                    answers.append(whoami)
                    // A careless server echoing the header back: the gateway masks what it knows.
                    answers.append(
                        try await gateway.request(
                            "POST", "/api/v1/mcp/fixed/tools/header", body: #"{"name": "x-extra"}"#))
                    answers.append(try await gateway.request("GET", "/api/v1/mcp/other/tools"))
                    #expect(answers[0].status == 200 && answers[3].status == 200, "\(answers)")
                    #expect(whoami.json["structuredContent"]?["authorizationScheme"] == "Bearer", "\(whoami)")
                    #expect(answers[1].json["token"] == "***")
                    #expect(answers[2].json["apiKey"] == "***")
                    for answer in answers {
                        #expect(!answer.text.contains(canary), "\(answer)")
                    }
                    #expect(await gateway.stop()?.exitCode == 0)
                    #expect(!gateway.process.stderr.contains(canary), "\(gateway.process.stderr)")
                    #expect(gateway.process.stderr.contains("GET /api/v1/servers 200"))
                }
            }
        }
    }

    @Test("a YAML --servers file's credentials are hidden too, echoes included")
    func serversFileSecretsStayHidden() async throws {
        let canary = "yaml-canary-5d2e81"
        try await withServer("tools.py", transport: .streamableHTTP) { server in
            try await withTemporaryDirectory("gateway-yaml") { home in
                let file = home + "/servers.yaml"
                try """
                fromfile:
                  url: \(server.endpoint)
                  headers:
                    X-Extra: \(canary)
                """.write(toFile: file, atomically: true, encoding: .utf8)
                try await withGateway(home: home, arguments: ["--servers", file]) { gateway in
                    let list = try await gateway.request("GET", "/api/v1/servers")
                    #expect(list.json["servers"]?[0]?["headers"] == ["X-Extra": "***"], "\(list)")
                    #expect(list.json["servers"]?[0]?["readOnly"] == true)
                    let echo = try await gateway.request(
                        "POST", "/api/v1/mcp/fromfile/tools/header", body: #"{"name": "x-extra"}"#)
                    #expect(echo.status == 200 && echo.text.contains("x-extra: ***"), "\(echo)")
                    for answer in [list, echo] { #expect(!answer.text.contains(canary), "\(answer)") }
                }
            }
        }
    }

    @Test("registered servers survive a restart, in a 0600 file; a deleted one stays deleted")
    func persistence() async throws {
        try await withServer("tools.py", transport: .streamableHTTP) { server in
            try await withTemporaryDirectory("gateway-persist") { home in
                try await withGateway(home: home) { (gateway: RunningGateway) async throws in
                    for name in ["kept", "dropped"] {
                        let body = #"{"name": "\#(name)", "url": "\#(server.endpoint)"}"#
                        #expect(try await gateway.request("POST", "/api/v1/servers", body: body).status == 201)
                    }
                    #expect(try await gateway.request("DELETE", "/api/v1/servers/dropped").status == 200)
                    #expect(await gateway.stop()?.exitCode == 0)
                }
                let attributes = try FileManager.default.attributesOfItem(atPath: home + "/gateway-servers.json")
                #expect((attributes[.posixPermissions] as? Int) == 0o600)
                try await withGateway(home: home) { gateway in
                    let list = try await gateway.request("GET", "/api/v1/servers")
                    #expect(list.json["servers"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["kept"])
                    let call = try await gateway.request(
                        "POST", "/api/v1/mcp/kept/tools/echo", body: #"{"text": "after restart"}"#)
                    #expect(call.status == 200, "\(call)")
                    #expect(call.json["content"]?[0]?["text"] == "after restart")
                }
            }
        }
    }

    @Test("tools are listed and called; bad arguments are 400 naming the path; a tool error is 200 with isError")
    func toolsAndCalls() async throws {
        try await withServer(
            "tools.py", transport: .streamableHTTP, arguments: ["--auth", "bearer"],
            environment: ["FIXTURE_TOKEN": "right-token"]
        ) { keyed in try await toolsAndCalls(keyed: keyed) }
    }

    private func toolsAndCalls(keyed: FixtureServer) async throws {
        try await withServer("tools.py", transport: .streamableHTTP) { server in
            try await withTemporaryDirectory("gateway-tools") { home in
                let servers = """
                    {"fx": {"url": "\(server.endpoint)"},
                     "keyed": {"url": "\(keyed.endpoint)", "authType": "bearer-token", "token": "wrong-token"}}
                    """
                try await withGateway(home: home, environment: ["MCP_SERVERS": servers]) { gateway in
                    let tools = try await gateway.request("GET", "/api/v1/mcp/fx/tools")
                    let names = tools.json["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
                    #expect(names.contains("add") && names.contains("echo"), "\(tools)")
                    let sum = try await gateway.request("POST", "/api/v1/mcp/fx/tools/add", body: #"{"a": 2, "b": 3}"#)
                    #expect(sum.json["structuredContent"] == ["result": 5], "\(sum)")
                    let wrong = try await gateway.request(
                        "POST", "/api/v1/mcp/fx/tools/add", body: #"{"a": "two", "b": 3}"#)
                    #expect(wrong.status == 400 && wrong.json["path"] == "/a", "\(wrong)")
                    let failed = try await gateway.request(
                        "POST", "/api/v1/mcp/fx/tools/fail", body: #"{"message": "boom"}"#)
                    #expect(failed.status == 200 && failed.json["isError"] == true, "\(failed)")
                    let unknown = try await gateway.request("POST", "/api/v1/mcp/fx/tools/ad", body: "{}")
                    #expect(unknown.status == 404 && unknown.json["hint"]?.stringValue?.contains("'add'") == true)
                    let rpc = try await gateway.request("POST", "/api/v1/mcp/fx/tools/protocol_error", body: "{}")
                    let refused = try await gateway.request("GET", "/api/v1/mcp/keyed/tools")
                    #expect(refused.status == 502 && refused.json["error"] == "upstream_unauthorized", "\(refused)")
                    #expect(rpc.status == 502 && rpc.json["rpcCode"] == -32000, "\(rpc)")
                    #expect(try await gateway.request("GET", "/api/v1/mcp/nobody/tools").status == 404)
                }
            }
        }
    }

    @Test("an unreachable server is 502 and the gateway goes on serving")
    func unreachableThenBack() async throws {
        try await withTemporaryDirectory("gateway-down") { home in
            try await withGateway(home: home) { gateway in
                let body = #"{"name": "down", "url": "http://127.0.0.1:9/mcp"}"#
                #expect(try await gateway.request("POST", "/api/v1/servers", body: body).status == 201)
                let answer = try await gateway.request("GET", "/api/v1/mcp/down/tools")
                #expect(answer.status == 502, "\(answer)")
                #expect(answer.json["error"] == "unreachable")
                #expect(try await gateway.request("GET", "/healthz").status == 200)
            }
        }
    }

    @Test("20 concurrent calls share one upstream session")
    func concurrentCallsShareOneSession() async throws {
        try await withServer("tools.py", transport: .streamableHTTP) { server in
            try await withTemporaryDirectory("gateway-concurrent") { home in
                // Pinned to the handshake era, whose sessions the server can name: MCP 2026-07-28
                // has no session id to compare (the gateway still shares one ServerSession).
                let servers = #"{"fx": {"url": "\#(server.endpoint)", "protocolVersion": "2025-11-25"}}"#
                try await withGateway(home: home, environment: ["MCP_SERVERS": servers]) { gateway in
                    let answers = try await withThrowingTaskGroup(of: RunningGateway.Answer.self) { group in
                        for index in 0..<20 {
                            group.addTask {
                                // Half wait upstream, so calls overlap; every one reports its session.
                                if index % 2 == 0 {
                                    return try await gateway.request(
                                        "POST", "/api/v1/mcp/fx/tools/sleep", body: #"{"ms": 300}"#)
                                }
                                return try await gateway.request(
                                    "POST", "/api/v1/mcp/fx/tools/header", body: #"{"name": "mcp-session-id"}"#)
                            }
                        }
                        var all: [RunningGateway.Answer] = []
                        for try await answer in group { all.append(answer) }
                        return all
                    }
                    #expect(answers.allSatisfy { $0.status == 200 }, "\(answers)")
                    #expect(answers.filter { $0.text.contains("slept 300") }.count == 10)
                    let sessions = Set(
                        answers.compactMap { $0.json["content"]?[0]?["text"]?.stringValue }
                            .filter { $0.contains("mcp-session-id:") })
                    #expect(sessions.count == 1, "\(sessions)")
                    #expect(sessions.first?.hasSuffix("mcp-session-id: None") == false)
                }
            }
        }
    }

    @Test("a call over the server's timeout is 504, and the server gets notifications/cancelled for it")
    func timeoutCancelsUpstream() async throws {
        try await withServer("faults.py", arguments: []) { server in
            try await withTemporaryDirectory("gateway-timeout") { home in
                let servers =
                    #"{"faults": {"url": "\#(server.url())", "transport": "streamable-http", "timeout": 500}}"#
                try await withGateway(home: home, environment: ["MCP_SERVERS": servers]) { gateway in
                    let answer = try await gateway.request(
                        "POST", "/api/v1/mcp/faults/tools/sleep", body: #"{"ms": 20000}"#)
                    #expect(answer.status == 504 && answer.json["error"] == "timeout", "\(answer)")
                    // The server writes its notes asynchronously: wait for the cancellation, bounded.
                    var cancelled: [JSONValue] = []
                    for _ in 0..<100 where cancelled.isEmpty {
                        let url = try #require(URL(string: server.baseURL + "/stats"))
                        let stats = try JSONValue.parse(Array(try Data(contentsOf: url)))
                        cancelled = stats["cancelled"]?.arrayValue ?? []
                        if cancelled.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
                    }
                    #expect(cancelled.count == 1, "no notifications/cancelled reached the server: \(server.stderr)")
                    let after = try await gateway.request(
                        "POST", "/api/v1/mcp/faults/tools/echo", body: #"{"text": "ok"}"#)
                    #expect(after.status == 200, "\(after)")
                }
            }
        }
    }

    @Test("a slow call to one server does not hold up calls to another")
    func slowServerDoesNotBlockOthers() async throws {
        try await withServer("faults.py", arguments: []) { slowServer in
            try await withServer("tools.py", transport: .streamableHTTP) { fastServer in
                try await withTemporaryDirectory("gateway-isolation") { home in
                    let servers = """
                        {"slow": {"url": "\(slowServer.url())", "transport": "streamable-http", "timeout": 8000},
                         "fast": {"url": "\(fastServer.endpoint)"}}
                        """
                    try await withGateway(home: home, environment: ["MCP_SERVERS": servers]) { gateway in
                        let slowDone = Locked(false)  // set by the slow request's task, read here
                        async let slow: RunningGateway.Answer = {
                            defer { slowDone.withLock { $0 = true } }
                            return try await gateway.request(
                                "POST", "/api/v1/mcp/slow/tools/sleep", body: #"{"ms": 20000}"#)
                        }()
                        // Wait (bounded) until the slow call has reached its server.
                        var reached = false
                        for _ in 0..<200 where !reached {
                            reached = slowServer.stderr.contains("faults: call ")
                            if !reached { try await Task.sleep(for: .milliseconds(50)) }
                        }
                        #expect(reached, "\(slowServer.stderr)")
                        for _ in 0..<3 {
                            let fast = try await gateway.request(
                                "POST", "/api/v1/mcp/fast/tools/echo", body: #"{"text": "quick"}"#)
                            #expect(fast.status == 200, "\(fast)")
                        }
                        #expect(!slowDone.withLock { $0 }, "the slow call ended before the fast ones")
                        #expect(try await slow.status == 504)
                    }
                }
            }
        }
    }

    static let malformedRequests: [(String, String)] = [
        ("garbage request line", "HELLO\r\n\r\n"),
        ("oversized headers", "GET /healthz HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 40_000) + "\r\n\r\n"),
        ("bad Content-Length", "POST /api/v1/servers HTTP/1.1\r\nContent-Length: ten\r\n\r\n"),
        ("a body over 1 MiB", "POST /api/v1/servers HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n"),
    ]

    @Test("malformed HTTP is answered 4xx and closed while the gateway keeps serving")
    func malformedHTTP() async throws {
        try await withTemporaryDirectory("gateway-malformed") { home in
            try await withGateway(home: home) { gateway in
                for (name, request) in Self.malformedRequests {
                    let client = try RawClient(port: gateway.port)
                    await client.send(request)
                    let response = await client.readResponse()
                    let status = Int(response.dropFirst("HTTP/1.1 ".count).prefix(3)) ?? 0
                    #expect((400..<500).contains(status), "\(name): \(response)")
                    #expect(await client.isClosedByPeer(), "\(name)")
                }
                // A request that stops halfway is answered 408 after the read timeout (10 s).
                let slow = try RawClient(port: gateway.port)
                await slow.send("GET /healthz HTTP/1.1\r\nHost: x")
                let timedOut = await slow.readResponse()
                #expect(timedOut.hasPrefix("HTTP/1.1 408 "), "\(timedOut)")
                #expect(try await gateway.request("GET", "/healthz").status == 200)
            }
        }
    }

    @Test("SIGTERM lets a request in flight finish, then exits 0")
    func sigtermDrains() async throws {
        try await withServer("tools.py", transport: .streamableHTTP) { server in
            try await withTemporaryDirectory("gateway-sigterm") { home in
                let servers = #"{"fx": {"url": "\#(server.endpoint)"}}"#
                try await withGateway(home: home, environment: ["MCP_SERVERS": servers], arguments: ["-v"]) {
                    gateway in
                    #expect(try await gateway.request("GET", "/api/v1/mcp/fx/tools").status == 200)
                    async let slow = gateway.request("POST", "/api/v1/mcp/fx/tools/sleep", body: #"{"ms": 1500}"#)
                    let arrived = await gateway.process.waitForStderrLine(timeout: .seconds(30)) {
                        $0.contains("-> POST /api/v1/mcp/fx/tools/sleep") ? true : nil
                    }
                    #expect(arrived == true)
                    gateway.process.send(signal: SIGTERM)
                    let answer = try await slow
                    #expect(answer.status == 200, "\(answer)")
                    #expect(answer.json["content"]?[0]?["text"] == "slept 1500")
                    let ended = await gateway.process.waitForExit(timeout: .seconds(30))
                    #expect(ended?.exitCode == 0, "\(gateway.process.stderr)")
                    #expect(gateway.process.stderr.contains("mcp-run serve: stopped"))
                }
            }
        }
    }
}

/// `POST /api/v1/workflows/:name/run` through the real binary.
@Suite("Gateway workflows", .timeLimit(.minutes(2)))
struct GatewayWorkflowTests {
    @Test("a workflow runs by name with the body's inputs and answers its results document")
    func runByName() async throws {
        try await withServer("tools.py", transport: .streamableHTTP) { server in
            try await withTemporaryDirectory("gateway-workflows") { home in
                let folder = home + "/flows"
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let workflow = """
                    name: greet
                    inputs:
                      who: { type: string }
                    steps:
                      - id: hello
                        server: fx
                        tool: echo
                        arguments: { text: "hello, ${{ inputs.who }}" }
                    """
                try workflow.write(toFile: folder + "/greet.yaml", atomically: true, encoding: .utf8)
                let servers = #"{"fx": {"url": "\#(server.endpoint)"}}"#
                try await withGateway(
                    home: home, environment: ["MCP_SERVERS": servers], arguments: ["--workflows", folder]
                ) { gateway in
                    let run = try await gateway.request(
                        "POST", "/api/v1/workflows/greet/run", body: #"{"inputs": {"who": "Ada"}}"#)
                    #expect(run.status == 200, "\(run)")
                    #expect(run.json["status"] == "succeeded", "\(run)")
                    #expect(run.json["steps"]?[0]?["result"]?["content"]?[0]?["text"] == "hello, Ada", "\(run)")
                    let missing = try await gateway.request("POST", "/api/v1/workflows/greet/run", body: "{}")
                    #expect(missing.status == 200 && missing.json["status"] != "succeeded", "\(missing)")
                    let bad = try await gateway.request(
                        "POST", "/api/v1/workflows/greet/run", body: #"{"inputs": [1]}"#)
                    #expect(bad.status == 400 && bad.json["field"] == "inputs", "\(bad)")
                    for name in ["nothere", "..%2Fgreet", ".hidden"] {
                        let unknown = try await gateway.request("POST", "/api/v1/workflows/\(name)/run", body: "{}")
                        #expect(unknown.status == 404, "\(name): \(unknown)")
                    }
                    #expect(
                        try await gateway.request("POST", "/api/v1/workflows/greet/run", body: "{}", apiKey: "no")
                            .status == 401)
                }
            }
        }
    }
}
