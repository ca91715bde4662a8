import Basics
import MCPClient
import Results
import Testing
import WorkflowModel

@testable import Runner

/// Which servers a run asks to listen for list changes (`subscriptions/listen`, MCP 2026-07-28):
/// those the workflow sends more than one call, so a one-call run keeps its fast path.
@Suite("servers that listen for list changes")
struct ListeningServersTests {
    static let header =
        "servers:\n  s: { url: \"https://example.test/s\" }\n  t: { url: \"https://example.test/t\" }\nsteps:\n"

    @Test(
        "a server listens when the run may call it more than once",
        arguments: [
            ("  - { id: a, server: s, tool: one }\n", [String](), [String]()),
            ("  - { id: a, server: s, tool: one }\n  - { id: b, server: s, tool: two }\n", [], ["s"]),
            ("  - { id: a, server: s, tool: one }\n  - { id: b, server: t, tool: two }\n", [], []),
            ("  - { id: a, server: s, tool: one, foreach: '${{ inputs.list }}' }\n", [], ["s"]),
            ("  - { id: a, server: s, tool: one }\n  - { id: b, server: s, tool: two }\n", ["a"], []),
            (
                "  - { id: a, server: s, tool: one }\n  - { id: b, server: s, tool: two }\n  - { id: c, server: t, resource: 'x://y' }\n",
                ["a", "b", "c"], ["s"]
            ),
        ])
    func listening(steps: String, only: [String], expected: [String]) throws {
        let text = steps.contains("inputs.list") ? "inputs:\n  list: { type: array, default: [1, 2] }\n" : ""
        let workflow = try loadWorkflow(text + Self.header + steps)
        #expect(WorkflowRunner.serversWithSeveralRequests(workflow.steps, only: only) == Set(expected))
    }

    @Test("the runner opens a server called twice with listensForChanges, and one called once without")
    func flagReachesTheOpener() async throws {
        /// Notes each server's `listensForChanges` as the pool opens it.
        struct Noting: SessionOpener {
            var inner: FakeOpener
            var flags: Locked<[String: Bool]>
            func open(_ server: ResolvedServer, logger: Logger, events: SessionEvents) async throws -> any ToolSession {
                flags.withLock { $0[server.name] = server.config.listensForChanges }
                return try await inner.open(server, logger: logger, events: events)
            }
        }
        let workflow = try loadWorkflow(
            Self.header
                + "  - { id: a, server: s, tool: one }\n  - { id: b, server: s, tool: two }\n  - { id: c, server: t, tool: three }\n"
        )
        let flags = Locked<[String: Bool]>([:])
        let servers = [
            "s": FakeServer(tools: [.text("one", "1"), .text("two", "2")]),
            "t": FakeServer(tools: [.text("three", "3")]),
        ]
        let runner = WorkflowRunner(
            workflow: workflow, options: testOptions(),
            opener: Noting(inner: FakeOpener(servers: servers, recorder: Recorder()), flags: flags))
        let report = try await withTimeout(deadline) { await runner.run() }
        #expect(report.status == .succeeded)
        #expect(flags.withLock { $0 } == ["s": true, "t": false])
    }
}
