import Basics
import Foundation
import HTTP

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1, RFC 7591 §2).
package enum TokenEndpointAuthMethod: String, Sendable, CaseIterable {
    /// HTTP Basic with the form-encoded id and secret (the default with a secret).
    case clientSecretBasic = "client_secret_basic"
    /// `client_id` and `client_secret` in the form body.
    case clientSecretPost = "client_secret_post"
    /// `client_id` only (a public client).
    case none
}

/// Everything `ClientCredentialsProvider` needs, resolved by the runner from the server block.
package struct ClientCredentialsConfig: Sendable {
    /// The server's name, for errors.
    package var serverName: String
    /// The MCP endpoint.
    package var serverURL: String
    /// `oauth.clientId`.
    package var clientID: String
    /// `oauth.clientSecret`.
    package var clientSecret: Secret?
    /// `oauth.tokenEndpointAuthMethod`.
    package var authMethod: TokenEndpointAuthMethod
    /// `oauth.scopes`; nil when not configured.
    package var scopes: [String]?
    /// `oauth.resource`.
    package var resource: String?
    /// `oauth.metadataUrl`.
    package var metadataURL: String?
    /// The token cache.
    package var store: TokenStore
    /// The grant: client credentials, or the interactive ones of `authType: oauth2` (DeviceFlow.swift).
    package var grant: OAuthGrantKind = .clientCredentials
    /// Whether a person may be asked to log in (device flow, interactive step-up).
    package var interactive = false
    /// Shows a person the device flow's instructions (stderr).
    package var notice: @Sendable (String) -> Void = standardErrorNotice
    /// Whether `clientID` is `oauth.clientMetadataUrl` (a client ID metadata document, MCP
    /// 2025-11-25): the device flow then needs `client_id_metadata_document_supported`.
    package var clientIsMetadataDocument = false
    /// Whether the device login registers its client dynamically (RFC 7591): no `oauth.clientId`
    /// or metadata document; `clientID` is then only the cache identity's placeholder.
    package var registersDynamically = false

    /// Creates a config.
    package init(
        serverName: String, serverURL: String, clientID: String, clientSecret: Secret?,
        authMethod: TokenEndpointAuthMethod, scopes: [String]?, resource: String?, metadataURL: String?,
        store: TokenStore
    ) {
        self.serverName = serverName
        self.serverURL = serverURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.authMethod = authMethod
        self.scopes = scopes
        self.resource = resource
        self.metadataURL = metadataURL
        self.store = store
    }

    /// The cache identity: server URL, client id, configured scopes.
    package var identity: TokenIdentity {
        TokenIdentity(serverURL: serverURL, clientID: clientID, scopes: scopes ?? [])
    }
}

/// OAuth 2.1 client credentials for one server (`authType: oauth2-client-credentials`; RFC 6749
/// §4.4, RFC 8707 `resource`), with the shared token cache. Never interactive. With
/// `config.grant` set to an interactive grant (`authType: oauth2`), the new grant is the device
/// flow instead (DeviceFlow.swift, StepUp.swift), started only when `config.interactive`.
///
/// The cache is read before any token request. A token within its renewal margin (half its
/// lifetime, at most 30 s) is renewed before use, and a 401 renews once; renewal takes the
/// identity's file lock, re-reads the cache (another process may have renewed already), then
/// uses the refresh token if there is one (rotation: the new one is stored before the lock is
/// released), else — or when the refresh token is refused — requests a new token. Tokens stay
/// `Secret`s; nothing here logs one.
///
/// An actor: one per server per run. It suspends for the lock and for HTTP; after each await it
/// re-reads its state (STYLE.md §5).
package actor ClientCredentialsProvider: TokenRenewingProvider {
    let config: ClientCredentialsConfig
    var logger: Logger
    let client: HTTPClient
    var current: StoredToken?
    var challenge: AuthChallenge?
    private var discovered: OAuthDiscoveryResult?
    /// With `config.registersDynamically`: the registered client of the tokens in use.
    var registered: OAuthClient?

    /// A provider for `config`.
    package init(config: ClientCredentialsConfig, logger: Logger, client: HTTPClient = .shared) {
        self.config = config
        self.logger = logger
        self.client = client
    }

    /// The seconds before expiry at which a token is renewed: half its lifetime, at most 30 s.
    package static func renewalMargin(_ token: StoredToken) -> Double {
        guard let expiresAt = token.expiresAt else { return 0 }
        return min(30, max(0, expiresAt - token.issuedAt) / 2)
    }

    /// Whether `token` should be renewed before it is used at `now`.
    package static func needsRenewal(_ token: StoredToken, now: Double = Date().timeIntervalSince1970) -> Bool {
        guard let expiresAt = token.expiresAt else { return false }
        return expiresAt - now <= renewalMargin(token)
    }

    /// Revokes the cached tokens at the RFC 7009 endpoint when the metadata had one, then deletes
    /// the cache entry. Returns whether the server was asked to revoke.
    /// - Throws: `ClientError` when the revocation endpoint refuses; the entry is deleted anyway.
    package func revoke() async throws -> Bool {
        let lock = try await lockIdentity()
        defer { lock.release() }
        guard let token = config.store.read(config.identity) else { return false }
        defer { config.store.delete(config.identity) }
        if config.registersDynamically {
            guard let client = token.registeredClient else { return false }
            registered = client
        }
        return try await token.revoke(
            as: oauthClient, http: OAuthHTTP(serverName: config.serverName, client: client, logger: logger))
    }

    // MARK: - Renewal

    private func lockIdentity() async throws -> TokenLock {
        do {
            return try await config.store.lock(config.identity)
        } catch let error as TokenStoreError {
            throw failure("cannot lock the token cache: \(error.message)", underlying: error)
        } catch is TimeoutError {
            throw failure("another mcp-run held the token cache's lock for over a minute")
        }
    }

    /// Obtains a new grant and caches it (`mcp-run auth login`), whatever the cache holds.
    ///
    /// - Parameter challenge: the Bearer challenge the server answered an unauthenticated request
    ///   with (`ChallengeProbe`); discovery and scope selection use its `resource_metadata` and
    ///   `scope` as they use a run's 401.
    /// - Throws: `ClientError` `.unauthorized` (refusals, timeout, non-interactive), `.unreachable`.
    package func login(challenge: AuthChallenge? = nil) async throws -> StoredToken {
        if let challenge { self.challenge = challenge }
        return try await newGrant()
    }

    func cachedToken() -> StoredToken? { config.store.read(config.identity) }

    func renewToken(rejected: Secret?, force: Bool) async throws -> StoredToken {
        try await renew(rejected: rejected, force: force)
    }

    func renew(rejected: Secret?, force: Bool, stepUpScopes: [String]? = nil) async throws -> StoredToken {
        // Another run may hold the lock during a device login: not counted against the request.
        let lock = try await RequestDeadline.excluding { try await lockIdentity() }
        defer { lock.release() }
        let cached = config.store.read(config.identity)
        if let stepUpScopes {
            // Another run may have stepped up already; else a new grant with the wider scopes.
            if let cached, Set(stepUpScopes).isSubset(of: cached.grantedScopes), !Self.needsRenewal(cached),
                rejected.map({ cached.bearerSecret != $0 }) ?? true
            {
                return cached
            }
            let token = try await requestToken(scopesOverride: stepUpScopes)
            try save(token)
            return token
        }
        if !force, let cached, !Self.needsRenewal(cached) {
            let isRejected = rejected.map { cached.bearerSecret == $0 } ?? false
            if !isRejected {
                logger.trace("[\(config.serverName)] oauth: using the token another run renewed")
                return cached
            }
        }
        if !force, let cached, let refreshToken = cached.refreshToken {
            if let refreshed = try await refresh(cached, refreshToken) {
                try save(refreshed)
                return refreshed
            }
            // A person's login (device grant) cannot be redone without them: say why it is needed.
            if config.grant != .clientCredentials, !config.interactive {
                throw ClientError.loginNeeded(server: config.serverName, refreshRefused: true)
            }
        }
        let token = try await requestToken()
        try save(token)
        return token
    }

    private func save(_ token: StoredToken) throws(ClientError) {
        do {
            try config.store.write(token)
        } catch {
            throw failure("cannot write the token cache: \(error.message)", underlying: error)
        }
    }

    /// RFC 6749 §6 with rotation; nil when the refresh token is refused (a new grant follows).
    private func refresh(_ cached: StoredToken, _ refreshToken: Secret) async throws(ClientError) -> StoredToken? {
        if config.registersDynamically {
            guard let client = cached.registeredClient else { return nil }
            registered = client
        }
        let http = OAuthHTTP(serverName: config.serverName, client: client, logger: logger)
        var form: [(String, OAuthHTTP.FormValue)] = [
            ("grant_type", .plain("refresh_token")), ("refresh_token", .secret(refreshToken)),
            ("resource", .plain(cached.resource)),
        ]
        let headers = clientAuthentication(&form)
        let reply = try await http.post(cached.tokenEndpoint, form: form, headers: headers)
        guard reply.status == 200 else {
            logger.trace(
                "[\(config.serverName)] oauth: the refresh token was refused (HTTP \(reply.status)\(Self.oauthError(reply.json)))"
            )
            return nil
        }
        var token = try parseToken(reply.json, requestedScopes: cached.grantedScopes, template: cached)
        if token.refreshToken == nil { token.refreshToken = refreshToken }
        logger.trace("[\(config.serverName)] oauth: refreshed the access token")
        return token
    }

    /// RFC 6749 §4.4: `grant_type=client_credentials` with scopes and `resource`.
    private func requestToken(scopesOverride: [String]? = nil) async throws -> StoredToken {
        let discovery: OAuthDiscoveryResult
        if let discovered {
            discovery = discovered
        } else {
            let found = try await OAuthDiscovery(
                serverURL: config.serverURL, serverName: config.serverName, logger: logger, client: client
            ).discover(challenge: challenge, metadataURL: config.metadataURL, configuredResource: config.resource)
            discovered = found
            discovery = found
        }
        let scopes =
            scopesOverride ?? config.scopes
            ?? challenge?.parameters["scope"].map { $0.split(separator: " ").map(String.init) }
            ?? discovery.resourceScopes ?? []
        if config.grant != .clientCredentials {
            return try await interactiveToken(discovery: discovery, scopes: scopes)
        }
        var form: [(String, OAuthHTTP.FormValue)] = [("grant_type", .plain("client_credentials"))]
        if !scopes.isEmpty { form.append(("scope", .plain(scopes.joined(separator: " ")))) }
        form.append(("resource", .plain(discovery.resource)))
        let headers = clientAuthentication(&form)
        let http = OAuthHTTP(serverName: config.serverName, client: client, logger: logger)
        let reply = try await http.post(discovery.metadata.tokenEndpoint, form: form, headers: headers)
        guard reply.status == 200 else {
            throw ClientError(
                code: .unauthorized(reply.status),
                message:
                    "the token endpoint refused the client credentials with HTTP \(reply.status)\(Self.oauthError(reply.json))",
                hint:
                    "check `oauth.clientId`, `oauth.clientSecret` and `oauth.tokenEndpointAuthMethod` (now '\(config.authMethod.rawValue)')",
                context: ErrorContext(server: config.serverName))
        }
        let template = StoredToken(
            identity: config.identity, grant: "client_credentials", accessToken: Secret(""), refreshToken: nil,
            expiresAt: nil, issuedAt: 0, grantedScopes: scopes, tokenEndpoint: discovery.metadata.tokenEndpoint,
            revocationEndpoint: discovery.metadata.revocationEndpoint, issuer: discovery.metadata.issuer,
            resource: discovery.resource)
        let token = try parseToken(reply.json, requestedScopes: scopes, template: template)
        logger.trace("[\(config.serverName)] oauth: obtained an access token (client_credentials)")
        return token
    }

    /// A token response (RFC 6749 §5.1) on top of `template`'s endpoints and identity.
    func parseToken(
        _ json: JSONValue?, requestedScopes: [String], template: StoredToken
    ) throws(ClientError)
        -> StoredToken
    {
        guard let json, let access = json["access_token"]?.stringValue, !access.isEmpty else {
            throw failure("the token endpoint's answer has no access_token")
        }
        let type = json["token_type"]?.stringValue ?? "Bearer"
        guard type.lowercased() == "bearer" else {
            throw failure("the token endpoint issued a '\(type)' token; mcp-run uses Bearer tokens only")
        }
        let now = Date().timeIntervalSince1970
        var token = template
        token.accessToken = Secret.credential(access)
        token.refreshToken = json["refresh_token"]?.stringValue.map { Secret.credential($0) }
        token.issuedAt = now
        token.expiresAt = (json["expires_in"]?.doubleValue ?? json["expires_in"]?.stringValue.flatMap(Double.init))
            .map { now + $0 }
        token.grantedScopes =
            json["scope"]?.stringValue.map { $0.split(separator: " ").map(String.init) } ?? requestedScopes
        return token
    }

    /// The client as the token endpoint sees it: the configured one, or the registered one.
    var oauthClient: OAuthClient {
        registered
            ?? OAuthClient(
                id: config.clientID, secret: config.clientSecret, method: config.authMethod, isDynamic: false)
    }

    /// Adds the client's credentials per `authMethod`; returns the headers to send (Basic).
    func clientAuthentication(_ form: inout [(String, OAuthHTTP.FormValue)]) -> [HTTPHeader] {
        oauthClient.authenticate(&form)
    }

    /// `: invalid_client (description)` from an OAuth error body (RFC 6749 §5.2), one line, short.
    static func oauthError(_ json: JSONValue?) -> String {
        guard let code = json?["error"]?.stringValue else { return "" }
        let cleaned = { (text: String) in String(SecretMasker().maskedPrefix(text, 200).map { $0.isNewline ? " " : $0 })
        }
        if let description = json?["error_description"]?.stringValue {
            return ": \(cleaned(code)) (\(cleaned(description)))"
        }
        return ": \(cleaned(code))"
    }

    func failure(_ message: String, underlying: (any Error)? = nil) -> ClientError {
        ClientError(
            code: .unauthorized(401), message: message, context: ErrorContext(server: config.serverName),
            underlying: underlying)
    }
}
