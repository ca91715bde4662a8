import Basics
import Expressions
import MCPClient
import WorkflowModel

extension AuthAccess {
    /// Runs the browser flow for `spec` (`authType: oauth2`) and caches the tokens (`auth login`),
    /// starting from the server's Bearer `challenge` when it gave one.
    /// - Throws: `RunError` `.unauthorized` (exit 3): a refused or abandoned login, a refusal of
    ///   the server's metadata.
    static func browserLogin(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], logger: Logger,
        noBrowser: Bool, nonInteractive: Bool, challenge: AuthChallenge?
    ) async throws -> Entry {
        let config = try browserFlowConfig(
            spec, secrets: secrets, environment: environment, login: true, noBrowser: noBrowser,
            nonInteractive: nonInteractive)
        do {
            return Entry(try await BrowserFlowProvider(config: config, logger: logger).login(challenge: challenge))
        } catch {
            throw RunError.wrap(error).adding(ErrorContext(server: spec.name))
        }
    }
}

extension AuthAccess {
    /// The browser-flow configuration of `spec`, its `url` and `oauth:` templates evaluated.
    /// - Throws: `RunError` as `AuthSettings.browserFlow`, and `.invalidInput` for a failing template.
    static func browserFlowConfig(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], login: Bool,
        noBrowser: Bool = false, nonInteractive: Bool = false
    ) throws -> BrowserFlowConfig {
        let oauthBlock = OAuthBlockTemplates(spec: spec, secrets: secrets, environment: environment)
        return try AuthSettings.browserFlow(
            spec, url: try oauthBlock.url(), clientID: try oauthBlock.text(spec.oauth?.clientID, "oauth.clientId"),
            clientSecret: try oauthBlock.text(spec.oauth?.clientSecret, "oauth.clientSecret").map {
                Secret.credential($0)
            },
            environment: environment, login: login, noBrowser: noBrowser, nonInteractive: nonInteractive)
    }
}

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
