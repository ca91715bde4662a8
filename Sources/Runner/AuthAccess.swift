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
        /// The OAuth client id: the configured one, the metadata document's URL, or the one the
        /// server registered dynamically.
        package var clientID: String
        /// Whether `clientID` was registered dynamically (RFC 7591).
        package var isRegisteredClient: Bool
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
            clientID = token.registeredClientID ?? token.identity.clientID
            isRegisteredClient = token.registeredClientID != nil
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

    /// The cached login of `spec`, if any: whichever grant made it (client credentials, device,
    /// or browser, with a configured, metadata-document or dynamically registered client).
    /// - Throws: `RunError` `.invalidInput` for a server that does not use OAuth, a missing `url`,
    ///   a client-credentials server without `clientId`, or a failing template.
    package static func entry(
        for spec: ServerSpec, secrets: [String: Secret], environment: [String: String]
    ) throws -> Entry? {
        let (store, identity) = try cacheKey(spec, secrets: secrets, environment: environment)
        return store.read(identity).map(Entry.init)
    }

    /// Requests a token for `spec` and caches it (`auth login`), talking to the person through
    /// `ui`; `nonInteractive` (`--non-interactive`) refuses a login that needs a person.
    ///
    /// Every login starts by asking the server, as a run's first request does (contract §7). A
    /// person's login may start without a terminal (over SSH, in a container: the device login
    /// prints and polls), unless `--non-interactive` or `CI` says otherwise: `auth login` is the
    /// person's explicit request.
    /// - Throws: `RunError` `.unauthorized` (exit 3): a refused or abandoned grant, a login that
    ///   needs a person in a non-interactive run.
    package static func login(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], logger: Logger,
        ui: any LoginUI, nonInteractive: Bool = false
    ) async throws -> Entry {
        let challenge = try await probe(spec, secrets: secrets, environment: environment, logger: logger)
        let provider = try tokenProvider(
            spec, secrets: secrets, environment: environment, logger: logger, ui: ui,
            mayAskPerson: !nonInteractive && !AuthSettings.isCI(environment))
        do {
            return Entry(try await provider.login(challenge: challenge))
        } catch {
            throw RunError.wrap(error).adding(ErrorContext(server: spec.name))
        }
    }

    /// The Bearer challenge `spec`'s server answers a run's unauthenticated requests with, if any
    /// (`ChallengeProbe`): the server resolved as a run resolves it, `headers:` included.
    /// - Throws: `RunError` as `ServerResolver.resolve` for a failing template.
    static func probe(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], logger: Logger
    ) async throws -> AuthChallenge? {
        let templates = OAuthBlockTemplates(spec: spec, secrets: secrets, environment: environment)
        let server = try ServerResolver.resolve(
            spec, context: templates.context, environment: environment, nonInteractive: true, loginUI: nil)
        return await ChallengeProbe.bearerChallenge(server.config, logger: logger)
    }

    /// Deletes `spec`'s cached login (`auth logout`); true when there was one.
    /// - Throws: `RunError` as `entry(for:secrets:environment:)`.
    package static func logout(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String]
    ) throws -> Bool {
        let (store, identity) = try cacheKey(spec, secrets: secrets, environment: environment)
        return store.delete(identity)
    }

    /// The token cache and the identity `spec`'s logins are cached under: the server URL, the
    /// configured scopes and the client id: `oauth.clientId`, else (`oauth2`) the client ID
    /// metadata document's URL, else `dynamic` (a browser login's registration). Needs no
    /// client secret.
    /// - Throws: `RunError` as `entry(for:secrets:environment:)`.
    static func cacheKey(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String]
    ) throws -> (TokenStore, TokenIdentity) {
        let here = ErrorContext(location: spec.location, server: spec.name)
        guard spec.authType == .oauth2 || spec.authType == .oauth2ClientCredentials else {
            throw notOAuth(spec)
        }
        let oauthBlock = OAuthBlockTemplates(spec: spec, secrets: secrets, environment: environment)
        let url = try oauthBlock.url()
        var clientID = try oauthBlock.text(spec.oauth?.clientID, "oauth.clientId")
        if spec.authType == .oauth2 {
            clientID = TokenIdentity.loginClientID(
                configured: clientID, metadataDocumentURL: spec.oauth?.clientMetadataURL)
        }
        guard let clientID else {
            throw RunError(
                code: .invalidInput, message: "server '\(spec.name)' has no `oauth.clientId`", context: here)
        }
        let store = TokenStore(directory: TokenStore.defaultDirectory(environment: environment))
        return (store, TokenIdentity(serverURL: url, clientID: clientID, scopes: spec.oauth?.scopes ?? []))
    }

    /// The error for `auth` on a server whose `authType` is not OAuth.
    static func notOAuth(_ spec: ServerSpec) -> RunError {
        RunError(
            code: .invalidInput,
            message: "server '\(spec.name)' uses authType '\(spec.authType.rawValue)', not OAuth: nothing to log in to",
            context: ErrorContext(location: spec.location, server: spec.name))
    }

    /// Revokes `spec`'s tokens at the RFC 7009 endpoint when there is one, as the client they were
    /// issued to, then deletes the cache entry (`auth revoke`); true when the server was asked.
    /// - Throws: `RunError` `.unauthorized` when the revocation endpoint refuses (the entry is gone anyway).
    package static func revoke(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], logger: Logger
    ) async throws -> Bool {
        do {
            let provider = try tokenProvider(
                spec, secrets: secrets, environment: environment, logger: logger, ui: SilentLoginUI(),
                mayAskPerson: false)
            return try await provider.revoke()
        } catch {
            throw RunError.wrap(error).adding(ErrorContext(server: spec.name))
        }
    }

    /// The token provider of `spec`, its `url` and `oauth:` templates evaluated against `secrets`
    /// (and the environment, for secrets not in the file).
    ///
    /// - Throws: `RunError` as `AuthSettings.tokenProvider`, and `.invalidInput` for a server that
    ///   does not use OAuth, a client-credentials server without `clientId`, or a failing template.
    static func tokenProvider(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], logger: Logger,
        ui: any LoginUI, mayAskPerson: Bool
    ) throws -> TokenProvider {
        guard spec.authType == .oauth2 || spec.authType == .oauth2ClientCredentials else {
            throw notOAuth(spec)
        }
        let oauthBlock = OAuthBlockTemplates(spec: spec, secrets: secrets, environment: environment)
        let url = try oauthBlock.url()
        let clientID = try oauthBlock.text(spec.oauth?.clientID, "oauth.clientId")
        let secret = try oauthBlock.text(spec.oauth?.clientSecret, "oauth.clientSecret").map { Secret.credential($0) }
        return try AuthSettings.tokenProvider(
            spec, url: url, clientID: clientID, clientSecret: secret, environment: environment,
            mayAskPerson: mayAskPerson, ui: ui, logger: logger)
    }
}
