import Basics
import Foundation
import TestSupport
import Testing

@Suite("mcp-run run", .timeLimit(.minutes(3)))
struct RunTests {
    @Test("every step feature works end to end over each transport", arguments: ServerRoute.allCases)
    func everyStepFeature(transport: ServerRoute) async throws {
        try await withFixture(transport) { servers in
            let run = try await runMCPRun(
                ["run", fixture("workflows/features.yaml"), "--input", "who=Ada", "--input", "n=5"],
                environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results["status"] == "succeeded", "\(run)")
            #expect(results["inputs"] == ["who": "Ada", "n": 5])
            #expect(results["outputs"]?["total"] == 45)
            #expect(results["outputs"]?["greeting"] == "Hello from the mcp-run fixture server")
            #expect(results["outputs"]?["chained"] == "hello, Ada / failed / skipped / 262144", "\(run)")
            #expect(results.step("sum")?["arguments"] == ["a": 5, "b": 40])
            #expect(results.step("sum")?["outputs"] == ["total": 45])
            #expect(results.step("skipped")?["status"] == "skipped")
            #expect(results.step("tolerated")?["status"] == "failed")
            #expect(results.step("tolerated")?["result"]?["isError"] == true)
            #expect(results.step("greeting")?["resource"] == "fixture://greeting")
            #expect(results.step("prompt")?["prompt"] == "greet")
            #expect(results.step("prompt")?["result"]?["messages"]?.arrayValue?.isEmpty == false)
            #expect(
                results["steps"]?.arrayValue?.map { $0["id"] } == [
                    "greet", "sum", "skipped", "tolerated", "greeting", "prompt", "big", "chained",
                ])
            #expect(results["schemaVersion"] == 1)
            #expect(run.stderr.contains("step 'tolerated' failed"), "\(run)")
        }
    }

    @Test(
        "a failed step fails the run with exit 1, skips the rest, and the file document is still written",
        arguments: [ServerRoute.stdio, .streamableJSON])
    func failedStep(transport: ServerRoute) async throws {
        try await withFixture(transport) { servers in
            let folder = try temporaryDirectory("failed-step")
            let output = folder + "/nested/results.json"
            let run = try await runMCPRun(
                ["run", fixture("workflows/failures.yaml"), "-o", output], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 1, "\(run)")
            #expect(run.stdout.isEmpty)
            let results = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: output))))
            #expect(results["status"] == "failed")
            #expect(results.step("ok")?["status"] == "succeeded")
            #expect(results.step("broken")?["status"] == "failed")
            #expect(
                results.step("broken")?["error"]?["message"]?.stringValue?.contains("the fixture failed on purpose")
                    == true)
            #expect(results.step("after")?["status"] == "skipped")
            #expect(results.step("after")?["startedAt"] == .null)
            #expect(run.stderr.contains("step 'broken'"), "\(run)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder + "/nested")
            #expect(leftovers == ["results.json"], "no temporary files are left behind")
        }
    }

    @Test("a JSON-RPC error fails the step with its code and message")
    func protocolError() async throws {
        try await withFixture(.streamableSSE) { servers in
            let run = try await runMCPRun(
                ["run", fixture("workflows/protocol-error.yaml")], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 1, "\(run)")
            let step = try run.json().step("rpc")
            #expect(step?["status"] == "failed")
            #expect(step?["error"]?["message"]?.stringValue?.contains("fixture says no") == true, "\(run)")
        }
    }

    @Test("arguments that do not match the input schema fail the step before the call, naming the schema path")
    func schemaMismatch() async throws {
        try await withFixture(.stdio) { servers in
            let run = try await runMCPRun(
                ["run", fixture("workflows/bad-arguments.yaml")], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 1, "\(run)")
            let step = try run.json().step("add")
            #expect(step?["result"] == .null, "the tool was not called")
            let message = step?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("/properties/a/type"), "\(run)")
        }
    }

    @Test("a server that cannot be reached ends the run with exit 4, naming the server")
    func unreachable() async throws {
        let port = try freeLoopbackPort()
        let servers = #"{"fixture": {"url": "http://127.0.0.1:\#(port)/mcp", "transport": "streamable-http"}}"#
        let run = try await runMCPRun(
            ["run", fixture("workflows/sequential.yaml")], environment: ["MCP_SERVERS": servers])
        #expect(run.exitCode == 4, "\(run)")
        #expect(run.stderr.contains("fixture"), "\(run)")
        let results = try run.json()
        #expect(results["status"] == "failed")
        #expect(results["error"]?["server"] == "fixture", "\(run)")
    }

    @Test("a stdio server command that does not exist ends the run with exit 4 and a hint")
    func missingCommand() async throws {
        let servers = #"{"fixture": {"transport": "stdio", "command": "/nonexistent/mcp-server"}}"#
        let run = try await runMCPRun(
            ["run", fixture("workflows/sequential.yaml")], environment: ["MCP_SERVERS": servers])
        #expect(run.exitCode == 4, "\(run)")
        #expect(run.stderr.contains("/nonexistent/mcp-server"), "\(run)")
    }

    @Test("inputs are typed from --input and --inputs; an unknown or mistyped one exits 2 before any call")
    func inputs() async throws {
        try await withFixture(.stdio) { servers in
            let folder = try temporaryDirectory("inputs")
            let inputsFile = folder + "/inputs.yaml"
            try "who: Grace\nn: 7\n".write(toFile: inputsFile, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(
                ["run", fixture("workflows/features.yaml"), "--inputs", inputsFile, "--only", "sum"],
                environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            #expect(try run.json()["outputs"]?["total"] == 47)
            let unknown = try await runMCPRun(
                ["run", fixture("workflows/features.yaml"), "--input", "wh=x"], environment: ["MCP_SERVERS": servers])
            #expect(unknown.exitCode == 2, "\(unknown)")
            #expect(unknown.stderr.contains("did you mean 'who'?"), "\(unknown)")
            let mistyped = try await runMCPRun(
                ["run", fixture("workflows/features.yaml"), "--input", "n=many"], environment: ["MCP_SERVERS": servers])
            #expect(mistyped.exitCode == 2, "\(mistyped)")
            #expect(mistyped.stderr.contains("input 'n' must be of type 'integer'"), "\(mistyped)")
        }
    }

    @Test("--dry-run prints the plan and starts no server")
    func dryRun() async throws {
        let servers = #"{"fixture": {"transport": "stdio", "command": "/nonexistent/never-started"}}"#
        let run = try await runMCPRun(
            ["run", fixture("workflows/features.yaml"), "--dry-run", "--input", "n=3"],
            environment: ["MCP_SERVERS": servers])
        #expect(run.exitCode == 0, "\(run)")
        let plan = try run.json()
        #expect(plan["dryRun"] == true)
        #expect(plan["steps"]?[1]?["arguments"] == ["a": 3, "b": 40])
        #expect(plan["steps"]?[7]?["arguments"]?["text"]?.stringValue?.contains("steps.greet.text") == true)
    }

    @Test("an existing results file is replaced whole")
    func replacesResultsFile() async throws {
        try await withFixture(.stdio) { servers in
            let folder = try temporaryDirectory("replace")
            let output = folder + "/results.json"
            try String(repeating: "old ", count: 10_000).write(toFile: output, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(
                ["run", fixture("workflows/sequential.yaml"), "--output", output, "-q"],
                environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            #expect(run.stderr.isEmpty, "-q prints nothing on success: \(run)")
            let results = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: output))))
            #expect(results.step("c")?["result"]?["content"]?[0]?["text"] == "abc")
        }
    }
}

/// A loopback port with nothing listening on it (bound, read, released).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            guard bind(fd, pointer, length) == 0 else { return -1 }
            return getsockname(fd, pointer, &length)
        }
    }
    guard bound == 0 else { throw TestSupportError("could not bind a loopback port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
