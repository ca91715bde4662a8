import Basics
import Expressions
import Foundation
import MCPClient
import WorkflowModel

/// `mcp-run auth login|status|revoke|logout` over the token cache (contract §7).
package enum AuthAccess {
    /// A cached login as `auth status` shows it: never a token.
    package struct Entry: Sendable {
        /// The server's URL.
        package var serverURL: String
        /// The OAuth client id.
        package var clientID: String
        /// `client_credentials`, …
        package var grant: String
        /// The configured scopes (the identity's).
        package var scopes: [String]
        /// The scopes the server granted.
        package var grantedScopes: [String]
        /// When the access token expires (seconds since 1970), if known.
        package var expiresAt: Double?
        /// Whether a refresh token is cached.
        package var hasRefreshToken: Bool

        init(_ token: StoredToken) {
            serverURL = token.identity.serverURL
            clientID = token.identity.clientID
            grant = token.grant
            scopes = token.identity.scopes
            grantedScopes = token.grantedScopes
            expiresAt = token.expiresAt
            hasRefreshToken = token.refreshToken != nil
        }
    }

    /// Every cached login.
    package static func entries(environment: [String: String]) -> [Entry] {
        TokenStore(directory: TokenStore.defaultDirectory(environment: environment)).all().map(Entry.init)
    }

    /// The cached login of `spec`, if any.
    /// - Throws: `RunError` as `provider(for:secrets:environment:logger:)`.
    package static func entry(
        for spec: ServerSpec, secrets: [String: Secret], environment: [String: String]
    ) throws -> Entry? {
        let config = try clientCredentials(spec, secrets: secrets, environment: environment, needsSecret: false)
        return config.store.read(config.identity).map(Entry.init)
    }

    /// Requests a token for `spec` and caches it (`auth login`).
    /// - Throws: `RunError` `.unauthorized` (exit 3): `oauth2` (not available yet), a refused grant.
    package static func login(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], logger: Logger,
        noBrowser: Bool = false
    ) async throws -> Entry {
        let flow = spec.oauth?.flow ?? "auto"
        // `oauth2`: the browser flow, or the device grant (`flow: device`, or `auto` when the
        // authorization server advertises it and a client id is configured; contract §2).
        if spec.authType == .oauth2, flow == "browser" || (flow == "auto" && spec.oauth?.clientID == nil) {
            return try await browserLogin(
                spec, secrets: secrets, environment: environment, logger: logger, noBrowser: noBrowser)
        }
        let config = try clientCredentials(spec, secrets: secrets, environment: environment)
        do {
            return Entry(try await ClientCredentialsProvider(config: config, logger: logger).login())
        } catch is DeviceFlowUnavailable {
            return try await browserLogin(
                spec, secrets: secrets, environment: environment, logger: logger, noBrowser: noBrowser)
        } catch {
            throw RunError.wrap(error).adding(ErrorContext(server: spec.name))
        }
    }

    /// Deletes `spec`'s cached login (`auth logout`); true when there was one.
    /// - Throws: `RunError` as `entry(for:secrets:environment:)`.
    package static func logout(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String]
    ) throws -> Bool {
        let config = try clientCredentials(spec, secrets: secrets, environment: environment, needsSecret: false)
        return config.store.delete(config.identity)
    }

    /// Revokes `spec`'s tokens at the RFC 7009 endpoint when there is one, then deletes the cache
    /// entry (`auth revoke`); true when the server was asked.
    /// - Throws: `RunError` `.unauthorized` when the revocation endpoint refuses (the entry is gone anyway).
    package static func revoke(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], logger: Logger
    ) async throws -> Bool {
        let config = try clientCredentials(spec, secrets: secrets, environment: environment)
        do {
            return try await ClientCredentialsProvider(config: config, logger: logger).revoke()
        } catch {
            throw RunError.wrap(error).adding(ErrorContext(server: spec.name))
        }
    }

    /// The client-credentials configuration of `spec`, its templates evaluated against `secrets`
    /// (and the environment, for secrets not in the file); without `needsSecret` the client secret
    /// is not evaluated (status and logout need only the cache identity).
    ///
    /// - Throws: `RunError` `.unauthorized` for `oauth2` (interactive logins are not available
    ///   yet), `.invalidInput` for a server that does not use OAuth or a missing `clientId`.
    static func clientCredentials(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], needsSecret: Bool = true
    ) throws -> ClientCredentialsConfig {
        let here = ErrorContext(location: spec.location, server: spec.name)
        switch spec.authType {
        case .oauth2ClientCredentials, .oauth2:
            break
        default:
            throw RunError(
                code: .invalidInput,
                message:
                    "server '\(spec.name)' uses authType '\(spec.authType.rawValue)', not OAuth: nothing to log in to",
                context: here)
        }
        let oauthBlock = OAuthBlockTemplates(spec: spec, secrets: secrets, environment: environment)
        let text = oauthBlock.text
        let url = try oauthBlock.url()
        let configuredClientID = try text(spec.oauth?.clientID, "oauth.clientId")
        let secret = needsSecret ? try text(spec.oauth?.clientSecret, "oauth.clientSecret").map(Secret.init) : nil
        if spec.authType == .oauth2 {
            // `auth login` is the person's explicit request: the device flow prints and polls and
            // reads no stdin, so it runs without a terminal too (over SSH, in a container), unless
            // --non-interactive says otherwise.
            return try AuthSettings.interactive(
                spec, url: url, clientID: configuredClientID, clientSecret: secret, environment: environment,
                interactive: environment["MCP_RUN_NON_INTERACTIVE"] == nil && !AuthSettings.isCI(environment))
        }
        guard let clientID = configuredClientID else {
            throw RunError(
                code: .invalidInput, message: "server '\(spec.name)' has no `oauth.clientId`", context: here)
        }
        return try AuthSettings.clientCredentials(
            spec, url: url, clientID: clientID, clientSecret: secret, environment: environment,
            requireSecret: needsSecret)
    }
}
