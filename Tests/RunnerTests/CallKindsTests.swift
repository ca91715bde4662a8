import Basics
import MCPClient
import Results
import Runner
import Testing

@Suite("Call kinds, timeouts and cancellation", .timeLimit(.minutes(1)))
struct CallKindsTests {
    @Test("a resource step reads the URI, and its text and json are the resource's contents")
    func resourceStep() async throws {
        let recorder = Recorder()
        let report = try await run(
            """
            inputs:
              name: { type: string, default: report }
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: doc
                server: s
                resource: "file:///${{ inputs.name }}.json"
              - id: use
                server: s
                tool: echo
                arguments: { from: "${{ steps.doc.json.from }}", text: "${{ steps.doc.text }}" }
            """, servers: ["s": FakeServer(tools: [.text("echo", "ok")])], recorder: recorder)
        #expect(report.status == .succeeded)
        #expect(await recorder.events.contains("read:file:///report.json"))
        #expect(try report.step("doc").name == "file:///report.json")
        #expect(await recorder.calls.first?.arguments == ["from": "resource", "text": #"{"from": "resource"}"#])
    }

    @Test("a prompt step gets the prompt with its arguments")
    func promptStep() async throws {
        let recorder = Recorder()
        let report = try await run(
            """
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: p
                server: s
                prompt: summarize
                arguments: { topic: jira }
            """, servers: ["s": FakeServer(tools: [])], recorder: recorder)
        #expect(report.status == .succeeded)
        #expect(await recorder.events.contains(#"prompt:summarize:{"topic":"jira"}"#))
        #expect(try report.step("p").record.target == .prompt("summarize"))
    }

    @Test("a step's timeout, else the defaults' timeout, is the call's request timeout")
    func timeoutsReachTheCall() async throws {
        let recorder = Recorder()
        _ = try await run(
            """
            defaults: { timeout: 2500 }
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: a
                server: s
                tool: one
                timeout: 1500
              - id: b
                server: s
                tool: two
            """, servers: ["s": FakeServer(tools: [.text("one", "1"), .text("two", "2")])], recorder: recorder)
        #expect(await recorder.calls.map(\.timeout) == [.milliseconds(1500), .milliseconds(2500)])
    }

    @Test("cancelling a run cancels the step in flight, skips the rest and closes the sessions")
    func cancellation() async throws {
        let recorder = Recorder()
        let workflow = try loadWorkflow(
            """
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: slow
                server: s
                tool: slow
              - id: after
                server: s
                tool: after
            """)
        let runner = WorkflowRunner(
            workflow: workflow, options: testOptions(),
            opener: FakeOpener(
                servers: ["s": FakeServer(tools: [.held("slow"), .text("after", "a")])], recorder: recorder))
        // An unstructured task so that the test can cancel the run the way SIGINT does.
        let running = Task { await runner.run() }
        try await recorder.waitUntil { $0.contains("start:slow") }
        running.cancel()
        let report = try await withTimeout(deadline) { await running.value }
        #expect(report.status == .cancelled)
        #expect(try report.step("slow").status == .cancelled)
        #expect(try report.step("after").status == .skipped)
        #expect(await recorder.calls.map(\.tool) == ["slow"])
        #expect(await recorder.closes == ["s"])
        #expect(report.document.status == .cancelled)
    }
}
