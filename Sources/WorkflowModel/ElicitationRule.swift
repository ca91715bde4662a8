import Basics

/// One rule of the workflow's `elicitation:` list: which `elicitation/create` requests it
/// answers, and how (contract §8, docs/workflow-format.md "Elicitation").
///
/// ```yaml
/// elicitation:
///   - match: "Deploy to"          # optional
///     action: accept              # accept (default) | decline | cancel
///     content: { confirm: true }  # for accept: the field values
/// ```
///
/// The loader builds rules only from a well-formed list; every shape problem is reported at its
/// `file:line:col` before anything runs.
package struct ElicitationRule: Sendable, Hashable {
    /// How a rule answers: the MCP `action` of the `elicitation/create` result.
    package enum Action: String, Sendable, Hashable, CaseIterable {
        case accept, decline, cancel
    }

    /// Text the request's `message` must contain; nil matches every request.
    package var match: String?
    /// The answer's action; `accept` when the rule gives none.
    package var action: Action
    /// For `accept`: the field values sent (the requested schema's defaults fill the rest).
    package var content: [String: JSONValue]

    /// Creates a rule.
    package init(match: String? = nil, action: Action = .accept, content: [String: JSONValue] = [:]) {
        self.match = match
        self.action = action
        self.content = content
    }
}
