import Basics
import Foundation
import HTTP

/// One server's OAuth token, from cache to renewal: the `AuthorizationProvider` of every OAuth
/// server (`authType: oauth2` and `oauth2-client-credentials`), whatever grant obtains its tokens.
///
/// The cache is read before anything is asked. A token within its renewal margin (half its
/// lifetime, at most 30 s) is renewed before use, a 401 renews once, and a 403
/// `insufficient_scope` steps up once (TokenProvider+StepUp.swift). Renewal runs under the
/// identity's file lock: it re-reads the cache (another run may have renewed already), then uses
/// the refresh token if there is one (rotation: the new one is stored before the lock is
/// released), else — or when the refresh token is refused — asks `grant` for a new token, after
/// discovering the authorization server once. A grant that needs a person is never started when
/// `settings.mayAskPerson` is false: the run fails with the `mcp-run auth login` advice. Tokens
/// stay `Secret`s; nothing here logs one.
///
/// An actor: it owns the token's lifecycle (in use, discovered metadata, last challenge), which
/// the transports of a server share; one per server per run. It suspends for the lock, HTTP and
/// the grant (a person's login); after each await it re-reads its state (STYLE.md §5).
package actor TokenProvider: AuthorizationProvider {
    /// What the provider needs besides its grant, resolved by the runner from the server block.
    package struct Settings: Sendable {
        /// The server's name, for errors and traces.
        package var serverName: String
        /// The MCP endpoint.
        package var serverURL: String
        /// The cache identity: server URL, client id, configured scopes.
        package var identity: TokenIdentity
        /// `oauth.scopes`; nil when not configured.
        package var scopes: [String]?
        /// `oauth.resource`.
        package var resource: String?
        /// `oauth.metadataUrl`.
        package var metadataURL: String?
        /// The token cache.
        package var store: TokenStore
        /// Whether a person may be asked to log in (contract §7, Non-interactive).
        package var mayAskPerson: Bool

        /// Creates settings.
        package init(
            serverName: String, serverURL: String, identity: TokenIdentity, scopes: [String]?, resource: String?,
            metadataURL: String?, store: TokenStore, mayAskPerson: Bool
        ) {
            self.serverName = serverName
            self.serverURL = serverURL
            self.identity = identity
            self.scopes = scopes
            self.resource = resource
            self.metadataURL = metadataURL
            self.store = store
            self.mayAskPerson = mayAskPerson
        }
    }

    let settings: Settings
    let grant: any TokenGrant
    private let ui: any LoginUI
    private let client: HTTPClient
    var logger: Logger
    /// The token in use; nil until the cache has been read (or when it held nothing).
    var current: StoredToken?
    /// The last Bearer challenge from the server (its `scope`, `resource_metadata`).
    private var challenge: AuthChallenge?
    /// The authorization server, discovered at the first new token (or the first check of which
    /// server the resource names) and kept for the run, with the challenge's `resource_metadata`
    /// it was discovered from: a later challenge pointing elsewhere discovers again.
    private var discovered: (result: OAuthDiscoveryResult, from: String?)?

    /// A provider obtaining new tokens with `grant`, talking to a person through `ui`.
    package init(
        settings: Settings, grant: any TokenGrant, ui: any LoginUI = SilentLoginUI(), logger: Logger,
        client: HTTPClient = .shared
    ) {
        self.settings = settings
        self.grant = grant
        self.ui = ui
        self.logger = logger
        self.client = client
    }

    /// The seconds before expiry at which a token is renewed: half its lifetime, at most 30 s.
    static func renewalMargin(_ token: StoredToken) -> Double {
        guard let expiresAt = token.expiresAt else { return 0 }
        return min(30, max(0, expiresAt - token.issuedAt) / 2)
    }

    /// Whether `token` should be renewed before it is used at `now`.
    static func needsRenewal(_ token: StoredToken, now: Double = Date().timeIntervalSince1970) -> Bool {
        guard let expiresAt = token.expiresAt else { return false }
        return expiresAt - now <= renewalMargin(token)
    }

    // MARK: - AuthorizationProvider

    package func currentAuthorization(logger: Logger) async throws -> HTTPHeader? {
        self.logger = logger
        if current == nil { current = settings.store.read(settings.identity) }
        guard let token = current else { return nil }
        guard Self.needsRenewal(token) else { return token.authorizationHeader }
        let renewed = try await renew(rejected: nil, force: false)
        current = renewed
        return renewed.authorizationHeader
    }

    package func authorizationAfterUnauthorized(
        challenges: [String], rejected: HTTPHeader?, logger: Logger
    ) async throws -> HTTPHeader {
        self.logger = logger
        if let bearer = AuthChallenge.parse(challenges).first(where: \.isBearer) { challenge = bearer }
        let renewed = try await renew(rejected: rejected?.secretValue, force: false)
        current = renewed
        return renewed.authorizationHeader
    }

    /// Who the cached login is, for the list cache's key (MCP 2026-07-28, Caching: a private
    /// list belongs to one authorization context). Client credentials: the cache identity (server
    /// URL, client id, scopes), since the client is the subject, whatever token it holds. A
    /// person's login: that, the issuer, the client the tokens were issued to and the grant's
    /// `loginID`, so another login with the same client (another person) never gets this one's
    /// lists while refreshes keep them; nil when no login is cached (or an entry written before
    /// logins were named has no `loginID` yet: it gets one at its next refresh): then only public
    /// lists are used.
    ///
    /// Reads the token cache file (synchronous, no lock: a torn identity is only a cache miss).
    package nonisolated var listCacheCredential: String? {
        guard grant.needsPerson else { return settings.identity.key }
        guard let token = settings.store.read(settings.identity), let loginID = token.loginID else { return nil }
        let client = grant.client(for: token)?.id ?? token.identity.clientID
        return [settings.identity.key, "issuer " + token.issuer, "client " + client, "login " + loginID]
            .joined(separator: "\n")
    }

    // MARK: - auth login, auth revoke

    /// Obtains a new grant and caches it (`mcp-run auth login`), whatever the cache holds.
    ///
    /// - Parameter challenge: the Bearer challenge the server answered an unauthenticated request
    ///   with (`ChallengeProbe`); discovery and scope selection use its `resource_metadata` and
    ///   `scope` as they use a run's 401.
    /// - Throws: `ClientError` `.unauthorized` (refusals, timeout, non-interactive), `.unreachable`.
    package func login(challenge: AuthChallenge? = nil) async throws -> StoredToken {
        if let challenge { self.challenge = challenge }
        let token = try await renew(rejected: nil, force: true)
        current = token
        return token
    }

    /// Revokes the cached tokens at the RFC 7009 endpoint the metadata named, as the client they
    /// were issued to (`TokenGrant.client(for:)`), then deletes the cache entry. Returns whether
    /// the server was asked to revoke.
    /// - Throws: `ClientError` when the revocation endpoint refuses; the entry is deleted anyway.
    package func revoke() async throws -> Bool {
        try await lockingIdentity(timeout: .seconds(60)) {
            guard let token = settings.store.read(settings.identity) else { return false }
            defer { settings.store.delete(settings.identity) }
            guard let client = grant.client(for: token) else { return false }
            return try await token.revoke(as: client, http: http)
        }
    }

    // MARK: - Renewal

    /// A token that is not `rejected` (the header secret the server refused) and not due for
    /// renewal: another run's, a refreshed one, or a new grant; with `force`, always a new grant;
    /// with `stepUpScopes`, one carrying them (another run's, or a new grant asking for them).
    /// Runs under the identity's lock.
    /// - Throws: `ClientError` `.unauthorized`, `.unreachable`.
    func renew(rejected: Secret?, force: Bool, stepUpScopes: [String]? = nil) async throws -> StoredToken {
        try await lockingIdentity(timeout: grant.lockTimeout) {
            let cached = settings.store.read(settings.identity)
            if let stepUpScopes {
                // Another run may have stepped up already; else a new grant with the wider scopes.
                if let cached, Set(stepUpScopes).isSubset(of: cached.grantedScopes), !Self.needsRenewal(cached),
                    rejected.map({ cached.bearerSecret != $0 }) ?? true
                {
                    return cached
                }
                if let cached, let moved = try await movedAuthorizationServer(from: cached, lenient: false) {
                    try refuseMovedPreRegisteredClient(cached, now: moved)
                }
                return try await obtainAndSave(scopes: stepUpScopes)
            }
            if !force, let cached, !Self.needsRenewal(cached), rejected.map({ cached.bearerSecret != $0 }) ?? true {
                logger.trace("[\(settings.serverName)] oauth: using the token another run obtained")
                return cached
            }
            // The login (tokens, refresh token, registration) belongs to the authorization server
            // that issued it: when the resource names another now, none of it is used there, and
            // the refresh token is not used at the old one either (MCP 2026-07-28, Client
            // Registration, Authorization Server Binding): a new login at the new server.
            if let cached, let moved = try await movedAuthorizationServer(from: cached, lenient: !force) {
                try refuseMovedPreRegisteredClient(cached, now: moved)
                logger.trace(
                    "[\(settings.serverName)] oauth: the protected-resource metadata names the authorization server '\(moved)', not '\(cached.issuer)' that issued the cached login; logging in at '\(moved)', with no client or token of the old one"
                )
                if grant.needsPerson, !settings.mayAskPerson {
                    throw ClientError.loginNeeded(
                        server: settings.serverName, movedFrom: cached.issuer, to: moved)
                }
                return try await obtainAndSave(scopes: nil)
            }
            var refreshRefused = false
            if !force, let cached, let refreshToken = cached.refreshToken, let client = grant.client(for: cached) {
                if var refreshed = try await refresh(cached, refreshToken, as: client) {
                    // An entry from before logins were named gets its name now (same login, kept from here on).
                    if refreshed.loginID == nil { refreshed.loginID = PKCE.randomToken(bytes: 16) }
                    try save(refreshed)
                    return refreshed
                }
                refreshRefused = true
            }
            // A person's login cannot be redone without them: say why it is needed.
            if grant.needsPerson, !settings.mayAskPerson {
                throw ClientError.loginNeeded(server: settings.serverName, refreshRefused: refreshRefused)
            }
            return try await obtainAndSave(scopes: nil)
        }
    }

    /// The issuer of the authorization server the protected resource names now, when it is not
    /// the one that issued `cached`; nil when it is, or when nothing says (no protected-resource
    /// metadata: the MCP 2025-03-26 fallback; `oauth.metadataUrl`; a cache entry without an
    /// issuer). `lenient`: a discovery that fails is traced and taken as "no change" (before a
    /// refresh, which needs no discovery of its own; a new grant discovers again and reports it).
    /// - Throws: `ClientError` from discovery unless `lenient`.
    private func movedAuthorizationServer(
        from cached: StoredToken, lenient: Bool
    ) async throws(ClientError)
        -> String?
    {
        guard !cached.issuer.isEmpty else { return nil }
        let discovery: OAuthDiscoveryResult
        do {
            discovery = try await discover()
        } catch {
            guard lenient else { throw error }
            logger.trace(
                "[\(settings.serverName)] oauth: could not check which authorization server the resource names now (\(error.message)); refreshing at '\(cached.issuer)'"
            )
            return nil
        }
        guard let listed = discovery.authorizationServers,
            !listed.contains(where: { OAuthDiscovery.sameURL($0, cached.issuer) })
        else { return nil }
        return discovery.metadata.issuer
    }

    /// Pre-registered credentials belong to the authorization server they were first used with
    /// (the cached login's issuer): with another one they are an error, not a silent attempt
    /// (MCP 2026-07-28, Authorization Server Binding: SHOULD surface an error).
    /// - Throws: `ClientError` `.unauthorized(401)` (exit 3) with the ways out, when `grant` has
    ///   a pre-registered client.
    private func refuseMovedPreRegisteredClient(_ cached: StoredToken, now moved: String) throws(ClientError) {
        guard let clientID = grant.preRegisteredClientID else { return }
        let name = settings.serverName
        // Only a person's login can register a client itself; client credentials need a configured one.
        let register = grant.needsPerson ? ", or remove `oauth.clientId` so that mcp-run registers one" : ""
        throw failure(
            "the protected-resource metadata now names the authorization server '\(moved)', but the pre-registered client '\(clientID)' (`oauth.clientId`) was used with '\(cached.issuer)'; mcp-run does not use a client of one authorization server with another",
            hint:
                "set `oauth.clientId` (and `oauth.clientSecret`) to a client registered at '\(moved)'\(register); if '\(clientID)' is registered at '\(moved)' too, run 'mcp-run auth logout \(name)', then 'mcp-run auth login \(name)'"
        )
    }

    /// A new token from the grant, asking for `requested` scopes when given, else the configured
    /// ones, the challenge's, or the resource's `scopes_supported` (MCP 2025-11-25, Scope
    /// Selection Strategy); cached before it is returned.
    private func obtainAndSave(scopes requested: [String]?) async throws -> StoredToken {
        let discovery = try await discover()
        let scopes =
            requested ?? settings.scopes
            ?? challenge?.parameters["scope"].map { $0.split(separator: " ").map(String.init) }
            ?? discovery.resourceScopes ?? []
        var token = try await grant.obtain(
            GrantRequest(
                serverName: settings.serverName, serverURL: settings.serverURL, identity: settings.identity,
                discovery: discovery, scopes: scopes, http: http, logger: logger, ui: ui, store: settings.store))
        token.loginID = PKCE.randomToken(bytes: 16)
        try save(token)
        return token
    }

    /// The authorization server, discovered once (from the latest challenge) and then kept; the
    /// cached login's issuer is preferred when the resource still lists it.
    private func discover() async throws(ClientError) -> OAuthDiscoveryResult {
        let pointed = challenge?.parameters["resource_metadata"]
        if let discovered, discovered.from == pointed || pointed == nil { return discovered.result }
        let found = try await OAuthDiscovery(
            serverURL: settings.serverURL, serverName: settings.serverName, logger: logger, client: client
        ).discover(
            challenge: challenge, metadataURL: settings.metadataURL, configuredResource: settings.resource,
            preferredIssuer: settings.store.read(settings.identity)?.issuer)
        discovered = (found, pointed)
        return found
    }

    /// RFC 6749 §6 with rotation, as `client`; nil when the refresh token is refused (a new grant
    /// follows, or exit 3 saying to log in again). A "not now" (5xx, 429, `temporarily_unavailable`)
    /// is retried with backoff and `Retry-After`; still "not now" after the retries, it is
    /// `.unreachable` and the cached login is kept for the next run.
    private func refresh(
        _ cached: StoredToken, _ refreshToken: Secret, as client: OAuthClient
    ) async throws(ClientError) -> StoredToken? {
        var form: [(String, OAuthHTTP.FormValue)] = [
            ("grant_type", .plain("refresh_token")), ("refresh_token", .secret(refreshToken)),
            ("resource", .plain(cached.resource)),
        ]
        let headers = client.authenticate(&form)
        let (reply, retries) = try await http.postRetrying(cached.tokenEndpoint, form: form, headers: headers)
        if reply.isTransient {
            throw OAuthHTTP.unavailable(
                reply, retries: retries, doing: "refresh the token",
                hint: "the login is kept; run again later (nothing to log in again for)", server: settings.serverName)
        }
        guard reply.status == 200 else {
            logger.trace(
                "[\(settings.serverName)] oauth: the refresh token was refused (HTTP \(reply.status)\(OAuthHTTP.errorSummary(reply.json)))"
            )
            if client.isDynamic, reply.json?["error"]?.stringValue == "invalid_client" {
                logger.trace("[\(settings.serverName)] oauth: the server no longer knows the registered client")
            }
            return nil
        }
        var token = try StoredToken(
            tokenResponse: reply.json, requestedScopes: cached.grantedScopes, template: cached,
            serverName: settings.serverName)
        if token.refreshToken == nil { token.refreshToken = refreshToken }
        logger.trace("[\(settings.serverName)] oauth: refreshed the access token")
        return token
    }

    private func save(_ token: StoredToken) throws(ClientError) {
        do {
            try settings.store.write(token)
        } catch {
            throw failure("cannot write the token cache: \(error.message)", underlying: error)
        }
    }

    /// Runs `body` holding the identity's file lock, waiting at most `timeout` for another run to
    /// release it (the wait does not count against the request's limit: `TokenStore.withLock`).
    /// - Throws: `ClientError` `.unauthorized` when the lock cannot be taken or the wait is over;
    ///   `CancellationError`; whatever `body` throws.
    private func lockingIdentity<R: Sendable>(
        timeout: Duration, _ body: () async throws -> R
    ) async throws -> R {
        var acquired = false
        do {
            return try await settings.store.withLock(settings.identity, timeout: timeout) {
                acquired = true
                return try await body()
            }
        } catch let error as TokenStoreError where !acquired {
            throw failure("cannot lock the token cache: \(error.message)", underlying: error)
        } catch is TimeoutError where !acquired {
            if timeout == .seconds(60) {
                throw failure("another mcp-run held the token cache's lock for over a minute")
            }
            throw failure(
                "another mcp-run held the login's lock for over \(timeout.components.seconds) seconds",
                hint: "finish or stop the other mcp-run's login (`ps` shows it), then run again")
        }
    }

    private var http: OAuthHTTP { OAuthHTTP(serverName: settings.serverName, client: client, logger: logger) }

    func failure(_ message: String, hint: String? = nil, underlying: (any Error)? = nil) -> ClientError {
        ClientError(
            code: .unauthorized(401), message: message, hint: hint,
            context: ErrorContext(server: settings.serverName), underlying: underlying)
    }
}

extension HTTPHeader {
    /// The value when it is a secret (the `Authorization` header a provider supplied).
    var secretValue: Secret? {
        if case .secret(let secret) = value { return secret }
        return nil
    }
}

extension ClientError {
    /// As `loginNeeded(server:refreshRefused:)`, for a login whose authorization server the
    /// resource no longer names (MCP 2026-07-28, Authorization Server Binding).
    static func loginNeeded(server: String, movedFrom issuer: String, to moved: String) -> ClientError {
        ClientError(
            code: .unauthorized(401),
            message:
                "the server's protected-resource metadata now names the authorization server '\(moved)', not '\(issuer)' that issued the cached login, so a new login there is needed, and this run is non-interactive",
            hint: "run 'mcp-run auth login \(server)' on a machine with a browser",
            context: ErrorContext(server: server))
    }

    /// A login a person must do, in a run that may not ask for one (contract §7, Non-interactive):
    /// exit 3 with the `mcp-run auth login SERVER` advice. The renderer names the server from the
    /// context, so the message does not. `refreshRefused`: the cached login's
    /// refresh token was refused (revoked, expired, or its client forgotten), which is why a login
    /// is needed again.
    static func loginNeeded(server: String, refreshRefused: Bool) -> ClientError {
        ClientError(
            code: .unauthorized(401),
            message: refreshRefused
                ? "the server refused the refresh token of the cached login (revoked or expired), so a new login is needed, and this run is non-interactive"
                : "a login is needed, and this run is non-interactive",
            hint: "run 'mcp-run auth login \(server)' on a machine with a browser",
            context: ErrorContext(server: server))
    }
}
