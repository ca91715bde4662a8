import Basics
import Foundation
import TestSupport
import Testing

/// Prompt arguments are strings on the wire (contract §8, Input schemas): what YAML reads as a
/// number or a boolean is sent as its text, a null is left out, a list or an object is refused
/// before the call. `tools.py`'s prompt `greet(name: str)` is the Python SDK's, which refuses
/// anything but strings.
@Suite("prompt arguments", .timeLimit(.minutes(2)))
struct PromptArgumentTests {
    static func workflow(_ arguments: String) throws -> String {
        let path = try temporaryDirectory("prompt-arguments") + "/flow.yaml"
        try "steps:\n  - { id: ask, server: fixture, prompt: greet, arguments: \(arguments) }\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(
        "scalars are sent as their text",
        arguments: [
            ("{ name: 42 }", "42"), ("{ name: 2.5 }", "2.5"), ("{ name: true }", "true"), ("{ name: Ada }", "Ada"),
        ])
    func scalars(arguments: String, shown: String) async throws {
        try await withFixture(.stdio) { servers in
            let run = try await runMCPRun(
                ["run", try Self.workflow(arguments), "-o", "-"], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            let step = try run.json().step("ask")
            let text = step?["result"]?["messages"]?[0]?["content"]?["text"]?.stringValue ?? ""
            #expect(text.contains("greet \(shown) warmly"), "\(run)")
            #expect(step?["arguments"]?["name"] == .string(shown), "the results show what was sent")
        }
    }

    @Test("a list or an object is refused before the call, naming the argument")
    func structured() async throws {
        try await withFixture(.stdio) { servers in
            let run = try await runMCPRun(
                ["run", try Self.workflow("{ name: [1, 2] }"), "-o", "-"], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 1, "\(run)")
            let error = try run.json().step("ask")?["error"]
            #expect(error?["code"] == "invalid_arguments", "\(run)")
            #expect(
                error?["message"] == "prompt argument 'name' is an array, but prompt arguments are strings", "\(run)")
        }
    }
}
