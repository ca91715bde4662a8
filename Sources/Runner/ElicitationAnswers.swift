import Basics
import WorkflowModel

/// The workflow's `elicitation:` rules answering `elicitation/create` (contract §8).
///
/// The rules are tried in order; the first whose `match` is a substring of the request's
/// `message` (a rule without `match` matches every request) answers it. For `accept`, fields the
/// rule leaves out are filled from the requested schema's `default`s; when a field the schema
/// requires is still missing, the request is declined. A request no rule matches is declined.
/// The rules' shape was checked when the workflow was loaded (`ElicitationRule`).
package struct ElicitationAnswers: Sendable {
    package var rules: [ElicitationRule]

    /// Answers from the workflow's `rules`.
    package init(_ rules: [ElicitationRule]) {
        self.rules = rules
    }

    /// The result for an `elicitation/create` request with `params` (MCP 2025-06-18, Elicitation).
    package func answer(_ params: JSONValue) -> JSONValue {
        let message = params["message"]?.stringValue ?? ""
        guard let rule = rules.first(where: { rule in rule.match.map { message.contains($0) } ?? true }) else {
            return ["action": .string(ElicitationRule.Action.decline.rawValue)]
        }
        guard rule.action == .accept else { return ["action": .string(rule.action.rawValue)] }
        let schema = params["requestedSchema"] ?? [:]
        var content = rule.content
        for (name, property) in schema["properties"]?.objectValue ?? [:] where content[name] == nil {
            if let value = property["default"] { content[name] = value }
        }
        let required = (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard required.allSatisfy({ content[$0] != nil }) else {
            return ["action": .string(ElicitationRule.Action.decline.rawValue)]
        }
        return ["action": .string(ElicitationRule.Action.accept.rawValue), "content": .object(content)]
    }
}
