import Basics
import Foundation
import TestSupport
import Testing

@Suite("mcp-run commands", .timeLimit(.minutes(3)))
struct CommandTests {
    @Test("validate reports every problem of a bad file in one run, each with file:line:col, and exits 2")
    func validateReportsEverything() async throws {
        let path = "Tests/EndToEndTests/Fixtures/workflows/invalid-everything.yaml"
        let run = try await runMCPRun(["validate", path])
        #expect(run.exitCode == 2, "\(run)")
        #expect(run.stdout.isEmpty)
        let expected = [
            ("4:1", "unknown key 'lol'"),  // an unknown key
            ("9:5", "did you mean 'transport'?"),  // the nearest known key
            ("14:14", "timeout must be an integer"),  // a wrong type
            ("16:17", "runs after step 'first'"),  // a reference to a later step
            ("17:18", "unknown step 'nowhere'"),  // a reference to an unknown step
            ("20:5", "duplicate key 'server'"),  // a duplicate key
            ("22:24", "not 'no'"),  // `no` stays a string
            ("24:30", "expected a value"),  // a malformed expression
            ("26:13", "unknown server 'missing'"),  // an undefined server
            ("28:12", "cycle"),  // a needs cycle
            ("36:38", "alias"),  // an alias bomb
        ]
        for (position, fragment) in expected {
            let line = run.stderr.split(separator: "\n").first { $0.contains("\(path):\(position):") }
            #expect(line != nil, "no problem at \(position): \(run)")
            let block = run.stderr.components(separatedBy: "\(path):\(position):").dropFirst().first ?? ""
            #expect(block.prefix(400).contains(fragment), "at \(position), expected '\(fragment)': \(run)")
        }
    }

    @Test("every example in workflows/ validates, and each one is run or validated by a test")
    func everyExampleIsCovered() async throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: repoPath("workflows"))
            .filter { $0.hasSuffix(".yaml") }.sorted()
        // Run by ExampleTests: demo.yaml, time.yaml; by AtlassianTests, against a double: jira-report*.yaml;
        // by StatusFunctionTests: notify-on-failure.yaml; by TaskTests, against fastmcp-tasks: long-job.yaml.
        let covered = [
            "demo.yaml", "jira-report-ci.yaml", "jira-report.yaml", "long-job.yaml", "notify-on-failure.yaml",
            "time.yaml",
        ]
        #expect(examples == covered, "add a test for each new example, then list it here")
        let run = try await runMCPRun(["validate"] + examples.map { "workflows/\($0)" })
        #expect(run.exitCode == 0, "\(run)")
    }

    @Test("tools lists a server's tools, as text and as JSON")
    func toolsCommand() async throws {
        try await withFixture(.streamableJSON) { servers in
            let text = try await runMCPRun(["tools", "fixture"], environment: ["MCP_SERVERS": servers])
            #expect(text.exitCode == 0, "\(text)")
            #expect(text.stdout.contains("echo"), "\(text)")
            #expect(text.stdout.contains("a: integer (required)"), "\(text)")
            let json = try await runMCPRun(["tools", "fixture", "--json"], environment: ["MCP_SERVERS": servers])
            #expect(json.exitCode == 0, "\(json)")
            let names = try json.json().arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names.contains("add") && names.contains("echo"), "\(json)")
        }
    }

    @Test("call runs one tool, converting k=v text to the schema's types, and prints the result")
    func callCommand() async throws {
        try await withFixture(.stdio) { servers in
            let run = try await runMCPRun(
                ["call", "fixture", "add", "a=2", "b=3"], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            #expect(try run.json()["structuredContent"] == ["result": 5])
            let echo = try await runMCPRun(
                ["call", "fixture", "echo", "--json", #"{"text": "42"}"#], environment: ["MCP_SERVERS": servers])
            #expect(try echo.json()["content"]?[0]?["text"] == "42", "\(echo)")
            let failing = try await runMCPRun(["call", "fixture", "fail"], environment: ["MCP_SERVERS": servers])
            #expect(failing.exitCode == 1, "\(failing)")
            #expect(try failing.json()["isError"] == true)
            let unknown = try await runMCPRun(["call", "fixture", "ech"], environment: ["MCP_SERVERS": servers])
            #expect(unknown.exitCode == 1, "\(unknown)")
            #expect(unknown.stderr.contains("did you mean 'echo'?"), "\(unknown)")
        }
    }

    @Test("a tool whose schema is a pydantic discriminated union ($refs into $defs) is checked branch by branch")
    func discriminatedUnion() async throws {
        // tools.py's `draw` takes Circle | Square: the SDK publishes a `oneOf` of `$ref`s (contract §8).
        try await withFixture(.stdio) { servers in
            let circle = try await runMCPRun(
                ["call", "fixture", "draw", "--json", #"{"shape": {"kind": "circle", "r": 1}}"#],
                environment: ["MCP_SERVERS": servers])
            #expect(circle.exitCode == 0, "\(circle)")
            #expect(try circle.json()["structuredContent"]?["kind"] == "circle", "\(circle)")
            let square = try await runMCPRun(
                ["call", "fixture", "draw", "--json", #"{"shape": {"kind": "square", "side": 3}}"#],
                environment: ["MCP_SERVERS": servers])
            #expect(try square.json()["structuredContent"]?["area"]?.doubleValue == 9, "\(square)")
            // A square with a fractional side matches neither branch: refused before the call.
            let wrong = try await runMCPRun(
                ["call", "fixture", "draw", "--json", #"{"shape": {"kind": "square", "side": 2.5}}"#],
                environment: ["MCP_SERVERS": servers])
            #expect(wrong.exitCode == 1, "\(wrong)")
            #expect(wrong.stderr.contains("(schema /properties/shape/oneOf): matches none"), "\(wrong)")
        }
    }

    @Test("a --servers file is used, and a workflow's own server of the same name wins over it")
    func serversFile() async throws {
        try await withFixture(.stdio) { servers in
            let folder = try temporaryDirectory("servers-file")
            let file = folder + "/servers.json"
            try servers.write(toFile: file, atomically: true, encoding: .utf8)
            let bogus = #"{"fixture": {"transport": "stdio", "command": "/nonexistent/from-env"}}"#
            let run = try await runMCPRun(
                ["run", fixture("workflows/sequential.yaml"), "--servers", file], environment: ["MCP_SERVERS": bogus])
            #expect(run.exitCode == 0, "--servers wins over MCP_SERVERS: \(run)")
        }
    }

    @Test("schema prints the workflow JSON Schema")
    func schemaCommand() async throws {
        let run = try await runMCPRun(["schema"])
        #expect(run.exitCode == 0, "\(run)")
        let schema = try run.json()
        #expect(schema["$defs"]?["step"]?["properties"]?["tool"] != nil)
    }

    @Test(
        "--help and --version work on every command",
        arguments: [[], ["run"], ["validate"], ["tools"], ["call"], ["auth"], ["schema"]])
    func helpAndVersion(command: [String]) async throws {
        let help = try await runMCPRun(command + ["--help"])
        #expect(help.exitCode == 0, "\(help)")
        #expect(help.stdout.contains("mcp-run"), "\(help)")
        let version = try await runMCPRun(command + ["--version"])
        #expect(version.exitCode == 0, "\(version)")
        #expect(version.stdout.hasPrefix("mcp-run "), "\(version)")
    }

    @Test("a mistyped option is a usage error with a suggestion and exit 2")
    func usageError() async throws {
        let run = try await runMCPRun(["run", "workflows/demo.yaml", "--ouptut", "x.json"])
        #expect(run.exitCode == 2, "\(run)")
        #expect(run.stderr.contains("--output"), "\(run)")
    }
}
