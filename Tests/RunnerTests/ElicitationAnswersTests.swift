import Basics
import Runner
import Testing
import WorkflowModel

@Suite("elicitation answers")
struct ElicitationAnswersTests {
    static let answers = ElicitationAnswers([
        ElicitationRule(match: "Cancel", action: .cancel),
        ElicitationRule(match: "Deploy", content: ["confirm": true]),
    ])

    static let schema: JSONValue = [
        "type": "object", "required": ["confirm"],
        "properties": ["confirm": ["type": "boolean"], "note": ["type": "string", "default": "n/a"]],
    ]

    /// The answer to a request with `message` and the suite's schema.
    static func answer(_ message: String) -> JSONValue {
        answers.answer(["message": .string(message), "requestedSchema": schema])
    }

    @Test("the first matching rule answers, the schema's defaults fill what it leaves out")
    func firstMatch() {
        #expect(Self.answer("Deploy to prod?") == ["action": "accept", "content": ["confirm": true, "note": "n/a"]])
        #expect(Self.answer("Cancel me") == ["action": "cancel"])
        #expect(Self.answer("Pick a colour") == ["action": "decline"])
    }

    @Test("an accept that leaves a required field missing is declined")
    func missingRequired() {
        let answers = ElicitationAnswers([ElicitationRule()])
        let schema: JSONValue = ["type": "object", "required": ["name"], "properties": ["name": ["type": "string"]]]
        #expect(answers.answer(["message": "name?", "requestedSchema": schema]) == ["action": "decline"])
    }

    @Test("no rules decline every request")
    func noRules() {
        #expect(ElicitationAnswers([]).answer(["message": "anything"]) == ["action": "decline"])
    }
}
