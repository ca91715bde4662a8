import Basics
import Expressions
import WorkflowModel

/// Evaluates the templates of a server's `url` and `oauth:` block for `mcp-run auth`, against
/// `secrets` (the `--secrets` file) and the environment (for secrets not in the file).
struct OAuthBlockTemplates {
    let spec: ServerSpec
    let context: EvaluationContext
    let here: ErrorContext

    init(spec: ServerSpec, secrets: [String: Secret], environment: [String: String]) {
        self.spec = spec
        here = ErrorContext(location: spec.location, server: spec.name)
        let scope = TemplateScope(secrets: secrets, environment: environment)
        // Every name is optional here: nothing throws, and a missing secret fails its template.
        context = scope.context(secrets: (try? scope.secretValues(scope.everyName, masker: nil)) ?? [:])
    }

    /// The value as text (non-strings as JSON); nil when the key is absent.
    /// - Throws: `RunError` `.invalidInput` naming the server and `key` when the template fails.
    func text(_ value: TemplateValue?, _ key: String) throws -> String? {
        guard let value else { return nil }
        do {
            let evaluated = try value.evaluate(in: context)
            if case .string(let text) = evaluated.value { return text }
            return evaluated.value.serialized()
        } catch let error as ExpressionError {
            throw RunError(
                code: .invalidInput, message: "server '\(spec.name)' \(key): \(error.message)", hint: error.hint,
                context: here, underlying: error)
        }
    }

    /// The server's URL.
    /// - Throws: `RunError` `.invalidInput` when it has none, or its template fails.
    func url() throws -> String {
        guard let url = try text(spec.url, "url") else {
            throw RunError(code: .invalidInput, message: "server '\(spec.name)' has no url", context: here)
        }
        return url
    }
}
