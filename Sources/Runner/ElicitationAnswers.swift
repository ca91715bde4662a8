import Basics

/// The workflow's `elicitation:` answers to `elicitation/create` (contract §8).
///
/// A list of rules, tried in order; the first whose `match` is a substring of the request's
/// `message` (a rule without `match` matches every request) answers it:
///
/// ```yaml
/// elicitation:
///   - match: "Deploy to"          # optional
///     action: accept              # accept (default) | decline | cancel
///     content: { confirm: true }  # for accept: the field values
/// ```
///
/// For `accept`, fields the rule leaves out are filled from the requested schema's `default`s;
/// when a field the schema requires is still missing, the request is declined. A request no
/// rule matches is declined. The shape is checked when the workflow is loaded.
package struct ElicitationAnswers: Sendable {
    package struct Rule: Sendable {
        package var match: String?
        package var action: String
        package var content: [String: JSONValue]
    }

    package var rules: [Rule]

    /// The rules in a workflow's `elicitation` value; parts of the wrong shape are left out (the
    /// loader reports them).
    package init(_ value: JSONValue?) {
        rules = (value?.arrayValue ?? []).compactMap { rule in
            guard let members = rule.objectValue else { return nil }
            return Rule(
                match: members["match"]?.stringValue, action: members["action"]?.stringValue ?? "accept",
                content: members["content"]?.objectValue ?? [:])
        }
    }

    /// The result for an `elicitation/create` request with `params`.
    package func answer(_ params: JSONValue) -> JSONValue {
        let message = params["message"]?.stringValue ?? ""
        guard let rule = rules.first(where: { rule in rule.match.map { message.contains($0) } ?? true }) else {
            return ["action": "decline"]
        }
        guard rule.action == "accept" else { return ["action": .string(rule.action)] }
        let schema = params["requestedSchema"] ?? [:]
        var content = rule.content
        for (name, property) in schema["properties"]?.objectValue ?? [:] where content[name] == nil {
            if let value = property["default"] { content[name] = value }
        }
        let required = (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard required.allSatisfy({ content[$0] != nil }) else { return ["action": "decline"] }
        return ["action": "accept", "content": .object(content)]
    }
}
