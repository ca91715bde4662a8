import Basics
import Testing
import WorkflowModel

@Suite("elicitation: shape")
struct ElicitationShapeTests {
    static let steps = "steps:\n  - { server: s, tool: t }\nservers:\n  s: { url: \"https://example.test/mcp\" }\n"

    @Test(
        "a malformed elicitation: is reported at its file:line:col",
        arguments: [
            ("elicitation: { confirm: true }\n", "1:14", "must be a list of rules"),
            ("elicitation:\n  - { match: x, action: maybe }\n", "2:25", "must be one of"),
            ("elicitation:\n  - { mtch: x }\n", "2:7", "unknown key 'mtch'"),
            ("elicitation:\n  - { action: decline, content: { a: 1 } }\n", "2:24", "its action is 'decline'"),
            ("elicitation:\n  - { content: [1] }\n", "2:16", "content must be a mapping"),
        ])
    func malformed(yaml: String, position: String, message: String) throws {
        do {
            _ = try WorkflowLoader.load(text: yaml + Self.steps, file: "flow.yaml")
            Issue.record("loaded")
        } catch {
            let problem = try #require(error.problems.first)
            #expect(problem.message.contains(message), "\(problem.message)")
            let location = try #require(problem.context.location)
            #expect("\(location.line):\(location.column)" == position, "\(problem.message)")
        }
    }

    @Test("rules with match, action and content load")
    func valid() throws {
        let workflow = try WorkflowLoader.load(
            text: "elicitation:\n  - { match: Deploy, content: { confirm: true } }\n  - { action: decline }\n"
                + Self.steps, file: "flow.yaml")
        #expect(workflow.elicitation.count == 2)
    }

    @Test("rules load as typed values, with accept when no action is given")
    func typedRules() throws {
        let workflow = try WorkflowLoader.load(
            text: "elicitation:\n  - { match: Deploy, content: { confirm: true } }\n  - { action: decline }\n"
                + Self.steps, file: "flow.yaml")
        #expect(
            workflow.elicitation == [
                ElicitationRule(match: "Deploy", action: .accept, content: ["confirm": true]),
                ElicitationRule(match: nil, action: .decline, content: [:]),
            ])
    }

    @Test("a match YAML reads as a number or a boolean matches as written, never every request")
    func scalarMatch() throws {
        let workflow = try WorkflowLoader.load(
            text:
                "elicitation:\n  - { match: 2024, content: { confirm: true } }\n  - { match: true, action: decline }\n"
                + Self.steps, file: "flow.yaml")
        #expect(workflow.elicitation.map(\.match) == ["2024", "true"])
    }

    @Test("a workflow without elicitation: has no rules")
    func noRules() throws {
        let workflow = try WorkflowLoader.load(text: Self.steps, file: "flow.yaml")
        #expect(workflow.elicitation.isEmpty)
    }
}
