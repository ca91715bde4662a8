import Basics
import MCPClient
import Results
import Runner
import Testing
import WorkflowModel

@Suite("step failures in the results document", .timeLimit(.minutes(1)))
struct StepFailureRecordTests {
    @Test("a step's own failure stays in its record and is also the document's top-level error (contract §6)")
    func stepFailureIsRunLevel() async throws {
        let report = try await run(
            """
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: divide
                server: s
                tool: divide
            """,
            servers: ["s": FakeServer(tools: [.returning("divide", textResult("division by zero", isError: true))])],
            recorder: Recorder())
        #expect(report.document.status == .failed)
        #expect(report.document.steps.first?.error?.message == "tool 'divide' returned an error: division by zero")
        #expect(report.document.error?.failure == report.document.steps.first?.error)
        #expect(report.document.error?.step == "divide" && report.document.error?.server == "s")
        #expect(report.document.error?.code == .toolError)
    }

    @Test("a tool error is reported as the step's error even when the step's outputs cannot be read from it")
    func toolErrorWinsOverOutputs() async throws {
        let report = try await run(
            """
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: create
                server: s
                tool: create
                continue-on-error: true
                outputs:
                  id: ${{ result.structuredContent.id }}
            """,
            servers: ["s": FakeServer(tools: [.returning("create", textResult("quota exceeded", isError: true))])],
            recorder: Recorder())
        let step = try report.step("create")
        #expect(step.status == .failed)
        #expect(
            step.error?.message == "tool 'create' returned an error: quota exceeded",
            "got \(step.error?.message ?? "nil")")
    }
}
