import Basics
import Foundation
import TestSupport
import Testing

/// The binary's error reporting (contract §6): step error codes from one closed set, a failed
/// run's top-level `error`, exit codes by one table, JSON Schema equality, numbers that are not
/// finite, and hints whose commands work as printed.
@Suite("error codes, exit codes and hints through the binary", .timeLimit(.minutes(3)))
struct ErrorReportingTests {
    /// A stand-in stdio MCP server: `initialize` (answered, refused with a JSON-RPC error that
    /// has `data`, or never answered), `tools/list` with one tool `pick` whose schema has an
    /// `enum` of an object and a `uniqueItems` array, and `tools/call` echoing the arguments.
    /// Every method it receives is appended to the log file.
    static let standIn = #"""
        import json, sys
        mode, log = sys.argv[1], open(sys.argv[2], "a")
        TOOL = {"name": "pick", "inputSchema": {"type": "object", "properties": {
            "p": {"enum": [{"n": 1, "tags": [2]}]}, "u": {"type": "array", "uniqueItems": True}}}}
        def send(message):
            sys.stdout.write(json.dumps(message) + "\n")
            sys.stdout.flush()
        for line in sys.stdin:
            message = json.loads(line)
            method, ident = message.get("method"), message.get("id")
            log.write(f"{method}\n")
            log.flush()
            if ident is None:
                continue
            if method == "initialize" and mode == "init-error":
                send({"jsonrpc": "2.0", "id": ident, "error": {
                    "code": -32602, "message": "unsupported client", "data": {"supported": ["other"]}}})
            elif method == "initialize" and mode == "init-hang":
                pass
            elif method == "initialize":
                send({"jsonrpc": "2.0", "id": ident, "result": {
                    "protocolVersion": message["params"]["protocolVersion"], "capabilities": {"tools": {}},
                    "serverInfo": {"name": "stand-in", "version": "1"}}})
            elif method == "tools/list":
                send({"jsonrpc": "2.0", "id": ident, "result": {"tools": [TOOL]}})
            elif method == "tools/call":
                send({"jsonrpc": "2.0", "id": ident, "result": {"content": [
                    {"type": "text", "text": json.dumps(message["params"].get("arguments"))}], "isError": False}})
            else:
                send({"jsonrpc": "2.0", "id": ident, "error": {"code": -32601, "message": "unknown method"}})
        """#

    /// A folder with the stand-in, its log, and the `servers:` YAML naming it `standin` in `mode`.
    struct StandIn {
        var folder: String
        var log: String
        var serversYAML: String
        var serversJSON: String

        init(mode: String) throws {
            folder = try temporaryDirectory("stand-in-\(mode)")
            let script = folder + "/stand_in.py"
            try ErrorReportingTests.standIn.write(toFile: script, atomically: true, encoding: .utf8)
            log = folder + "/methods.log"
            let python = try venvPython()
            // A short timeout only where `initialize` is meant to go unanswered: a busy machine
            // may take seconds to start Python.
            let timeout = mode == "init-hang" ? 1500 : 60000
            serversYAML = """
                servers:
                  standin:
                    transport: stdio
                    command: '\(python)'
                    args: ['\(script)', '\(mode)', '\(log)']
                    timeout: \(timeout)
                """
            serversJSON = JSONValue.object([
                "standin": [
                    "transport": "stdio", "command": .string(python),
                    "args": [.string(script), .string(mode), .string(log)], "timeout": .integer(timeout),
                ]
            ]).serialized()
        }

        /// The methods the stand-in received.
        var methods: [String] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        /// Writes a workflow with the stand-in's servers and `steps`, returns its path.
        func workflow(_ steps: String, name: String = "flow.yaml") throws -> String {
            let path = folder + "/" + name
            try (serversYAML + "\n" + steps).write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    @Test("a failed run's top-level error is the failing step's error; jsonl events carry the same codes")
    func topLevelError() async throws {
        try await withFixture(.stdio) { servers in
            let folder = try temporaryDirectory("top-level-error")
            let flow = folder + "/flow.yaml"
            try """
            steps:
              - id: first
                server: fixture
                tool: echo
                arguments: { text: hi }
              - id: broken
                server: fixture
                tool: protocol_error
                arguments: { code: -32042, message: quota }
              - id: later
                server: fixture
                tool: echo
                arguments: { text: never }
            """.write(toFile: flow, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(["run", flow], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 1, "\(run)")
            let results = try run.json()
            let stepError = try #require(results.step("broken")?["error"]?.objectValue, "\(run)")
            #expect(stepError["code"] == "rpc_error")
            #expect(stepError["rpcCode"] == -32042)
            #expect(stepError["data"] == ["fixture": true])
            var expected = stepError
            expected["step"] = "broken"
            expected["server"] = "fixture"
            #expect(results["error"] == .object(expected), "\(results.serialized())")
            #expect(results.step("later")?["error"]?["code"] == "not_run")

            let jsonl = try await runMCPRun(
                ["run", flow, "--format", "jsonl"], environment: ["MCP_SERVERS": servers])
            #expect(jsonl.exitCode == 1, "\(jsonl)")
            let events = try jsonl.jsonLines()
            let finished = events.first { $0["event"] == "step.finished" && $0["step"]?["id"] == "broken" }
            #expect(finished?["step"]?["error"]?["code"] == "rpc_error", "\(jsonl)")
            #expect(finished?["step"]?["error"]?["rpcCode"] == -32042)
            let last = events.last { $0["event"] == "run.finished" }
            #expect(last?["results"]?["error"]?["code"] == "rpc_error")
            #expect(last?["results"]?["error"]?["step"] == "broken")
        }
    }

    @Test(
        "an initialize answered with a JSON-RPC error, or not answered in time, exits 4 for run, call and tools",
        arguments: [("init-error", "protocol_error"), ("init-hang", "unreachable")])
    func initializeFailure(mode: String, code: String) async throws {
        let standIn = try StandIn(mode: mode)
        let flow = try standIn.workflow(
            """
            steps:
              - id: a
                server: standin
                tool: pick
            """)
        let run = try await runMCPRun(["run", flow], deadline: .seconds(30))
        #expect(run.exitCode == 4, "\(run)")
        let results = try run.json()
        #expect(results["error"]?["code"] == .string(code), "\(results.serialized())")
        #expect(results.step("a")?["error"]?["code"] == .string(code))
        // ServerSession classifies the failure where it knows it (MCPClient, initializeFailure).
        #expect(
            run.stderr.contains(
                mode == "init-error" ? "answered 'initialize' with error" : "did not answer 'initialize'"),
            "\(run)")
        if mode == "init-error" {
            #expect(results["error"]?["rpcCode"] == -32602)
            #expect(results["error"]?["data"] == ["supported": ["other"]])
        }
        let environment = ["MCP_SERVERS": standIn.serversJSON]
        let call = try await runMCPRun(["call", "standin", "pick"], environment: environment, deadline: .seconds(30))
        #expect(call.exitCode == 4, "\(call)")
        let tools = try await runMCPRun(["tools", "standin"], environment: environment, deadline: .seconds(30))
        #expect(tools.exitCode == 4, "\(tools)")
    }

    @Test("enum compares numbers by value inside objects and arrays; uniqueItems too")
    func schemaEquality() async throws {
        let standIn = try StandIn(mode: "ok")
        let flow = try standIn.workflow(
            """
            steps:
              - id: same
                server: standin
                tool: pick
                arguments: { p: { n: 1.0, tags: [2e0] } }
              - id: duplicate
                server: standin
                tool: pick
                arguments: { u: [{ a: 1 }, { a: 1.0 }] }
            """)
        let run = try await runMCPRun(["run", flow])
        #expect(run.exitCode == 1, "\(run)")
        let results = try run.json()
        #expect(results.step("same")?["status"] == "succeeded", "\(results.serialized())")
        #expect(results.step("duplicate")?["error"]?["code"] == "schema_mismatch")
        #expect(
            results.step("duplicate")?["error"]?["message"]?.stringValue?.contains("items 0 and 1 are equal") == true,
            "\(results.serialized())")
        #expect(standIn.methods.filter { $0 == "tools/call" }.count == 1, "\(standIn.methods)")
    }

    @Test("a number that is not finite in arguments or inputs is an error naming it; nothing is sent")
    func nonFinite() async throws {
        let standIn = try StandIn(mode: "ok")
        let flow = try standIn.workflow(
            """
            inputs:
              ratio: { type: number, default: 1 }
            steps:
              - id: a
                server: standin
                tool: pick
                arguments: { p: { n: '${{ 1e999 }}', tags: ['${{ inputs.ratio * 1e308 * 10 }}'] } }
            """)
        let run = try await runMCPRun(["run", flow])
        #expect(run.exitCode == 1, "\(run)")
        let results = try run.json()
        #expect(results.step("a")?["error"]?["code"] == "invalid_arguments", "\(results.serialized())")
        #expect(run.stderr.contains("argument 'p.n' is Infinity, which JSON cannot carry"), "\(run)")
        #expect(results.step("a")?["arguments"]?["p"]?["n"] == "Infinity", "never written as null")
        #expect(!standIn.methods.contains("tools/call"), "\(standIn.methods)")
        #expect(results["error"]?["code"] == "invalid_arguments")

        let dryRun = try await runMCPRun(["run", flow, "--dry-run"])
        #expect(dryRun.exitCode == 1, "\(dryRun)")
        #expect(dryRun.stderr.contains("argument 'p.n' is Infinity, which JSON cannot carry"), "\(dryRun)")
        #expect(!dryRun.stdout.contains("null"), "\(dryRun)")

        let input = try await runMCPRun(["run", flow, "--input", "ratio=nan"])
        #expect(input.exitCode == 2, "\(input)")
        #expect(input.stderr.contains("input 'ratio' is NaN, which JSON cannot carry"), "\(input)")
        #expect(try input.json()["error"]?["code"] == "invalid_input")

        let call = try await runMCPRun(
            ["call", "standin", "pick", "p=1e999"], environment: ["MCP_SERVERS": standIn.serversJSON])
        // `1e999` is beyond a double's range, so the JSON reading of `k=v` refuses it (never
        // infinity) and it stays the text '1e999', which the schema check then refuses.
        #expect(call.exitCode == 1, "\(call)")
        #expect(call.stderr.contains(#""1e999" is not one of"#), "\(call)")
        #expect(!standIn.methods.contains("tools/call"), "\(standIn.methods)")
    }

    @Test("validate reports YAML's .inf and .nan in a value or an input default with file:line:col")
    func nonFiniteStatically() async throws {
        let standIn = try StandIn(mode: "ok")
        let flow = try standIn.workflow(
            """
            inputs:
              ratio: { type: number, default: .nan }
            steps:
              - id: a
                server: standin
                tool: pick
                arguments: { p: { n: -.inf } }
            """)
        let validate = try await runMCPRun(["validate", flow])
        #expect(validate.exitCode == 2, "\(validate)")
        #expect(validate.stderr.contains("\(flow):8:35: input 'ratio' default '.nan' is NaN"), "\(validate)")
        #expect(validate.stderr.contains("\(flow):13:26: step 'a': the value '-.inf' is -Infinity"), "\(validate)")
        let run = try await runMCPRun(["run", flow])
        #expect(run.exitCode == 2, "\(run)")
        #expect(standIn.methods.isEmpty, "nothing was started: \(standIn.methods)")
    }

    /// The `mcp-run …` command a hint on stderr names (`run 'mcp-run …'`), split into words as a
    /// POSIX shell would (double-quoted words kept whole).
    static func hintedCommand(in stderr: String) throws -> [String] {
        let start = try #require(stderr.range(of: "'mcp-run "), "no hinted command in: \(stderr)")
        let rest = stderr[start.upperBound...]
        let end = try #require(rest.firstIndex(of: "'"))
        var words: [String] = []
        var word = ""
        var quoted = false
        var escaped = false
        for character in rest[..<end] {
            if escaped {
                word.append(character)
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == " " && !quoted {
                if !word.isEmpty { words.append(word) }
                word = ""
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { words.append(word) }
        return words
    }

    @Test("the login hint of a server declared in a workflow file names the file, and the command works as printed")
    func loginHintForWorkflowServer() async throws {
        try await withServer("oauth.py", arguments: ["--client", "web-public::none"]) { server in
            // A folder with a space in its name: the hint must quote it for the shell.
            let folder = try temporaryDirectory("hint") + "/my flows"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let flow = folder + "/flow.yaml"
            try """
            servers:
              secured:
                url: \(server.url())
                transport: streamable-http
                authType: oauth2
                oauth: { clientId: web-public, tokenEndpointAuthMethod: none }
            steps:
              - id: who
                server: secured
                tool: whoami
            """.write(toFile: flow, atomically: true, encoding: .utf8)
            let environment = ["CI": "1", "MCP_RUN_HOME": try temporaryDirectory("hint-home")]
            let run = try await runMCPRun(["run", flow], environment: environment, deadline: .seconds(30))
            #expect(run.exitCode == 3, "\(run)")
            let command = try Self.hintedCommand(in: run.stderr)
            #expect(command == ["auth", "login", "secured", "-f", flow], "\(run.stderr)")
            #expect(try run.json()["error"]?["hint"]?.stringValue?.contains("-f \"\(flow)\"") == true)
            let login = try await runMCPRun(command, environment: environment, deadline: .seconds(30))
            #expect(login.exitCode == 3, "accepted, then refused only for being non-interactive: \(login)")
            #expect(!login.stderr.contains("unknown server"), "\(login)")
        }
    }

    @Test("the login hint for a server given as a URL names a command auth login accepts")
    func loginHintForURL() async throws {
        try await withServer("oauth.py", arguments: ["--client", "web-public::none"]) { server in
            let environment = ["CI": "1", "MCP_RUN_HOME": try temporaryDirectory("hint-home")]
            let tools = try await runMCPRun(["tools", server.url()], environment: environment, deadline: .seconds(30))
            #expect(tools.exitCode == 3, "\(tools)")
            let command = try Self.hintedCommand(in: tools.stderr)
            #expect(command == ["auth", "login", server.url()], "\(tools.stderr)")
            let login = try await runMCPRun(command, environment: environment, deadline: .seconds(30))
            #expect(login.exitCode == 3, "accepted as oauth2, then refused only for being non-interactive: \(login)")
            #expect(!login.stderr.contains("nothing to log in to"), "\(login)")
        }
    }

    @Test("a transport that gives up on a Retry-After too long to wait says so, and counts no retries it did not make")
    func retryAfterTooLong() async throws {
        try await withServer("faults.py", arguments: []) { server in
            let folder = try temporaryDirectory("retry-after-too-long")
            let flow = folder + "/flow.yaml"
            try """
            steps:
              - id: busy
                server: faults
                tool: echo
                arguments: { text: busy, fault: status, status: 503, times: 9, retry_after: "120" }
            """.write(toFile: flow, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(
                ["run", flow],
                environment: [
                    "MCP_SERVERS": #"{"faults": {"url": "\#(server.url())", "transport": "streamable-http"}}"#
                ],
                deadline: .seconds(60))
            #expect(run.exitCode == 4, "\(run)")
            let message = try run.json().step("busy")?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("HTTP 503 to 'tools/call'; no retry was made: it asked"), "\(message)")
            #expect(message.contains("(Retry-After '120'), longer than mcp-run waits"), "\(message)")
            #expect(!message.contains("retries"), "\(message)")
            let calls = server.stderr.split(separator: "\n").filter { $0.hasPrefix("faults: call ") }
            #expect(calls.count == 1, "no retry was made: \(server.stderr)")
        }
    }
}
