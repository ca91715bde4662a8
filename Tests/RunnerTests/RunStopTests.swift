import Basics
import MCPClient
import Results
import Runner
import Testing
import WorkflowModel

@Suite("a failed step stops the run", .timeLimit(.minutes(1)))
struct RunStopTests {
    @Test("the 'not run' error names the step that stopped the run, not an earlier continue-on-error failure")
    func notRunNamesTheStoppingStep() async throws {
        let recorder = Recorder()
        let report = try await run(
            """
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: tolerated
                server: s
                tool: broken
                continue-on-error: true
              - id: fatal
                server: s
                tool: broken
              - id: never
                server: s
                tool: fine
            """,
            servers: [
                "s": FakeServer(tools: [.returning("broken", textResult("nope", isError: true)), .text("fine", "ok")])
            ],
            recorder: recorder)
        #expect(report.status == .failed)
        #expect(try report.step("never").status == .skipped)
        let message = try report.step("never").error?.message
        #expect(message == "not run: step 'fatal' failed", "got \(message ?? "nil")")
    }
}
