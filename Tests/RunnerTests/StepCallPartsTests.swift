import Basics
import Expressions
import MCPClient
import Results
import Testing
import WorkflowModel

@testable import Runner

@Suite("step call parts: tool checks and result checks")
struct StepCallPartsTests {
    static let step = Step(
        id: "a", index: 0, server: "s", call: .tool("add"),
        location: SourceLocation(file: "flow.yaml", line: 3, column: 5))
    static let tools = [
        ToolDescription(
            name: "add", description: nil,
            inputSchema: ["type": "object", "properties": ["n": ["type": "integer"]], "required": ["n"]], raw: [:])
    ]

    @Test("an unknown tool is named with the nearest one as a hint")
    func unknownTool() {
        var report = StepReport(id: "a", server: "s", target: .tool("ad"), continueOnError: false)
        do {
            _ = try StepExecutor.checkedArguments(
                [:], tool: "ad", in: Self.tools, for: Self.step, coercing: [], report: &report)
            Issue.record("no error")
        } catch let error as RunError {
            #expect(error.code == .unknownTool)
            #expect(error.hint == "did you mean 'add'?")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("text arguments are coerced to the schema's types before the schema check")
    func coerced() throws {
        var report = StepReport(id: "a", server: "s", target: .tool("add"), continueOnError: false)
        let checked = try StepExecutor.checkedArguments(
            ["n": "3"], tool: "add", in: Self.tools, for: Self.step, coercing: ["n"], report: &report)
        #expect(checked == ["n": 3])
        #expect(report.arguments == ["n": 3])
        #expect(throws: RunError.self) {
            try StepExecutor.checkedArguments(
                ["n": "x"], tool: "add", in: Self.tools, for: Self.step, coercing: [], report: &report)
        }
    }

    @Test("a result with isError fails the step with its first text line, masked")
    func toolError() throws {
        var report = StepReport(id: "a", server: "s", target: .tool("add"), continueOnError: false)
        report.status = .succeeded
        let result: JSONValue = ["content": [["type": "text", "text": "no\nmore"]], "isError": true]
        try StepExecutor.check(
            result, of: Self.step, context: EvaluationContext(variables: [:], now: { 0 }), masker: SecretMasker(),
            report: &report)
        #expect(report.status == .failed)
        #expect(report.error?.code == .toolError)
        #expect(report.error?.message == "tool 'add' returned an error: no")
    }
}
