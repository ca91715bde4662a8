import Basics
import Expressions
import MCPClient
import WorkflowModel

extension ServerAccess {
    /// `spec` resolved for connecting outside a workflow run (the gateway): its templates
    /// evaluated against `secrets` and `environment`, auth headers built, and for OAuth a token
    /// provider over the cache `auth status` reads. No login can start (no person to ask), so an
    /// OAuth server whose login has not happened fails with `.unauthorized` on its first request.
    ///
    /// - Throws: `RunError` (`.invalidInput` for a missing secret, `.expressionError`,
    ///   `.unauthorized` for an incomplete `oauth:` block).
    package static func resolve(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], masker: SecretMasker
    ) throws -> ResolvedServer {
        let scope = TemplateScope(secrets: secrets, environment: environment)
        do {
            let secretValues = try scope.secretValues(
                SecretScanner.references(in: spec.templates), masker: masker, context: ErrorContext(server: spec.name))
            return try ServerResolver.resolve(
                spec, context: scope.context(secrets: secretValues), environment: environment, nonInteractive: true,
                loginUI: nil)
        } catch {
            throw RunError.wrap(error).adding(ErrorContext(server: spec.name))
        }
    }
}
