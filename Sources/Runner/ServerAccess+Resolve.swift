import Basics
import Expressions
import MCPClient
import WorkflowModel

extension ServerAccess {
    /// `spec` resolved for connecting outside a workflow run (the gateway): its templates
    /// evaluated against `secrets` and `environment`, auth headers built, and for OAuth a token
    /// provider over the cache `auth status` reads. Without `login`, no login can start, so an
    /// OAuth server whose login has not happened fails with `.unauthorized` on its first request;
    /// with it, an `oauth2` server logs in through the browser, its URL shown through `login.ui`
    /// and its redirect landing at `login.redirectTarget`.
    ///
    /// - Throws: `RunError` (`.invalidInput` for a missing secret, `.expressionError`,
    ///   `.unauthorized` for an incomplete `oauth:` block).
    package static func resolve(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], masker: SecretMasker,
        login: (ui: any LoginUI, redirectTarget: any RedirectTarget)? = nil
    ) throws -> ResolvedServer {
        let scope = TemplateScope(secrets: secrets, environment: environment)
        do {
            let secretValues = try scope.secretValues(
                SecretScanner.references(in: spec.templates), masker: masker, context: ErrorContext(server: spec.name))
            return try ServerResolver.resolve(
                spec, context: scope.context(secrets: secretValues), environment: environment, nonInteractive: true,
                loginUI: login?.ui, redirectTarget: login?.redirectTarget)
        } catch {
            throw RunError.wrap(error).adding(ErrorContext(server: spec.name))
        }
    }
}
