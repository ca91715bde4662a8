import Basics
import Foundation
import TestSupport
import Testing

/// A run keeps each server's tool list, and lists again when it may be stale (contract §8,
/// Lists): after `notifications/tools/list_changed`, and once when a step names a tool the list
/// lacks. `tools.py`'s `unlock` adds a tool while the run goes on, as servers that grow their
/// tools on login or on a feature flag do.
@Suite("tool lists during a run", .timeLimit(.minutes(3)))
struct ToolListTests {
    static func workflow(_ steps: String) throws -> String {
        let folder = try temporaryDirectory("tool-lists")
        let path = folder + "/flow.yaml"
        try ("steps:\n" + steps).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(
        "a tool the server adds during the run can be called by a later step",
        arguments: [(ServerRoute.stdio, true), (.stdio, false), (.streamableSSE, true), (.streamableJSON, false)])
    func addedTool(transport: ServerRoute, notify: Bool) async throws {
        let flow = try Self.workflow(
            """
              - { id: add, server: fixture, tool: unlock, arguments: { name: late, notify: \(notify) } }
              - { id: use, server: fixture, tool: late, needs: [add] }
            """)
        try await withFixture(transport) { servers in
            let run = try await runMCPRun(["run", flow, "-o", "-", "-v"], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            #expect(try run.json().step("use")?["result"]?["content"]?[0]?["text"] == "unlocked late", "\(run)")
            if transport == .stdio {
                // Over stdio the notification (on the run's listen stream: the server speaks
                // 2026-07-28) comes before the answer to `unlock`: no guessing needed.
                let expected = notify ? "tool list changed: listing the tools again" : "no tool 'late' in the tool list"
                #expect(run.stderr.contains(expected), "\(run)")
                #expect(run.stderr.contains("no tool 'late' in the tool list") == !notify, "\(run)")
            }
        }
    }

    @Test("a tool the server does not have is listed for again once per run, then is unknown_tool")
    func unknownTool() async throws {
        let flow = try Self.workflow(
            """
              - { id: first, server: fixture, tool: nope, continue-on-error: true }
              - { id: second, server: fixture, tool: nope, needs: [first] }
            """)
        try await withFixture(.stdio) { servers in
            let run = try await runMCPRun(["run", flow, "-o", "-", "-v"], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 1, "\(run)")
            let results = try run.json()
            #expect(results.step("first")?["error"]?["code"] == "unknown_tool", "\(run)")
            #expect(results.step("second")?["error"]?["code"] == "unknown_tool", "\(run)")
            let relists = run.stderr.components(separatedBy: "no tool 'nope' in the tool list").count - 1
            #expect(relists == 1, "\(run)")
        }
    }
}
