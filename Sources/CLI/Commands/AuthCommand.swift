import Basics
import Foundation
import Runner
import WorkflowModel

/// `mcp-run auth login|status|revoke|logout [SERVER]` (contract §7).
///
/// `login` runs the server's grant (client credentials, or for `oauth2` the device or browser
/// login) and caches the tokens; `status` shows server, client, grant, scopes and expiry, never a
/// token; `revoke` asks the server (RFC 7009) where it can, as the client the tokens were issued
/// to, then deletes the entry; `logout` deletes it. Each finds a login whatever client made it:
/// configured, a client ID metadata document, or a dynamic registration.
struct AuthCommand {
    var context: CommandContext

    func execute() async throws -> ExitCode {
        let parsed = context.parsed
        guard let action = parsed.authAction else {
            throw UsageError(code: .missingArgument("ACTION"), message: "no action given")
        }
        let serverName = parsed.argument(.optionalServer)
        if action == .status, serverName == nil {
            let entries = AuthAccess.entries(environment: context.environment)
            if entries.isEmpty {
                context.console.err("no cached logins")
            } else {
                context.console.out(entries.map(describe).joined(separator: "\n") + "\n")
            }
            return .succeeded
        }
        guard let serverName else {
            throw UsageError(code: .missingArgument("SERVER"), message: "'auth \(action.rawValue)' needs a SERVER")
        }
        let spec = try ServerSelection.resolve(serverName, context: context, urlAuthType: .oauth2)
        let secrets = try context.sources.secrets(file: parsed.value(.secrets))
        let masker = SecretMasker(Array(secrets.values))
        let environment = context.environment
        do {
            switch action {
            case .status:
                guard let entry = try AuthAccess.entry(for: spec, secrets: secrets, environment: environment) else {
                    context.console.err("no cached login for '\(spec.name)'")
                    return .auth
                }
                context.console.out(describe(entry) + "\n")
            case .login:
                let entry = try await AuthAccess.login(
                    spec, secrets: secrets, environment: environment, logger: context.logger(masker: masker),
                    ui: TerminalLoginUI(
                        console: context.console, environment: environment, noBrowser: parsed.flag(.noBrowser),
                        isLogin: true),
                    nonInteractive: context.isNonInteractive)
                context.console.err("logged in to '\(spec.name)'")
                context.console.out(describe(entry) + "\n")
            case .logout:
                let existed = try AuthAccess.logout(spec, secrets: secrets, environment: environment)
                context.console.err(
                    existed ? "deleted the cached login for '\(spec.name)'" : "no cached login for '\(spec.name)'")
            case .revoke:
                let asked = try await AuthAccess.revoke(
                    spec, secrets: secrets, environment: environment, logger: context.logger(masker: masker))
                context.console.err(
                    asked
                        ? "revoked the tokens at the server and deleted the cached login for '\(spec.name)'"
                        : "the server has no revocation endpoint (or nothing was cached); deleted the cached login for '\(spec.name)'"
                )
            }
        } catch let error as RunError {
            let error = context.naming(error, server: spec)
            context.report(error, masker: masker)
            return ExitCode(for: error.code)
        }
        return .succeeded
    }

    /// One line per login: never a token.
    private func describe(_ entry: AuthAccess.Entry) -> String {
        let client = "client \(entry.clientID)" + (entry.isRegisteredClient ? " (registered dynamically)" : "")
        var parts = ["server \(entry.serverURL)", client, "grant \(entry.grant)"]
        let scopes = entry.grantedScopes.isEmpty ? entry.scopes : entry.grantedScopes
        parts.append("scopes " + (scopes.isEmpty ? "(none)" : scopes.joined(separator: " ")))
        if let expiresAt = entry.expiresAt {
            let formatter = ISO8601DateFormatter()
            let remaining = Int(expiresAt - Date().timeIntervalSince1970)
            let when = formatter.string(from: Date(timeIntervalSince1970: expiresAt))
            parts.append(remaining > 0 ? "expires \(when) (in \(remaining)s)" : "expired \(when)")
        } else {
            parts.append("expiry unknown")
        }
        parts.append(entry.hasRefreshToken ? "refreshable" : "not refreshable")
        // Granted scopes are the server's text: shown with control characters neutralised.
        return TerminalText.neutralized(parts.joined(separator: "  "))
    }
}
