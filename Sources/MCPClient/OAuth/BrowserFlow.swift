import Basics
import Foundation
import HTTP

/// How far an authorization-code login may involve a person (contract §7, Non-interactive).
package struct LoginInteraction: Sendable {
    /// Whether a login may start at all (false: stdin not a terminal, `CI` set, `--non-interactive`).
    package var mayLogIn: Bool
    /// Whether to accept the redirected URL pasted on stdin (`--no-browser`, or no display).
    package var acceptPaste: Bool
    /// Whether to launch `$BROWSER` / `xdg-open` (false with `--no-browser`).
    package var openBrowser: Bool
    /// Whether stderr is a terminal (`xdg-open` is used only then).
    package var isTerminal: Bool
    /// The environment (`BROWSER`, `PATH`).
    package var environment: [String: String]
    /// How long to wait for the redirect (5 minutes).
    package var timeout: Duration
    /// Prints a line for the person (stderr).
    package var tell: @Sendable (String) -> Void

    /// Creates the policy.
    package init(
        mayLogIn: Bool, acceptPaste: Bool, openBrowser: Bool, isTerminal: Bool, environment: [String: String],
        timeout: Duration = .seconds(300), tell: @escaping @Sendable (String) -> Void
    ) {
        self.mayLogIn = mayLogIn
        self.acceptPaste = acceptPaste
        self.openBrowser = openBrowser
        self.isTerminal = isTerminal
        self.environment = environment
        self.timeout = timeout
        self.tell = tell
    }
}

/// Everything `BrowserFlowProvider` needs, resolved by the runner from the server block.
package struct BrowserFlowConfig: Sendable {
    /// The server's name, for errors and the login advice.
    package var serverName: String
    /// The MCP endpoint.
    package var serverURL: String
    /// The pre-registered client (`oauth.clientId`); nil: register dynamically (RFC 7591).
    package var client: OAuthClient?
    /// `oauth.scopes`.
    package var scopes: [String]?
    /// `oauth.resource`.
    package var resource: String?
    /// `oauth.metadataUrl`.
    package var metadataURL: String?
    /// `oauth.redirectPort`.
    package var redirectPort: Int?
    /// The token cache.
    package var store: TokenStore
    /// Whether and how a person may be involved.
    package var interaction: LoginInteraction
    /// `oauth.clientMetadataUrl`: the client ID metadata document's URL, used as the `client_id`
    /// where the authorization server supports it (MCP 2025-11-25, Client Registration).
    package var clientMetadataURL: String?

    /// Creates a config.
    package init(
        serverName: String, serverURL: String, client: OAuthClient?, scopes: [String]?, resource: String?,
        metadataURL: String?, redirectPort: Int?, store: TokenStore, interaction: LoginInteraction
    ) {
        self.serverName = serverName
        self.serverURL = serverURL
        self.client = client
        self.scopes = scopes
        self.resource = resource
        self.metadataURL = metadataURL
        self.redirectPort = redirectPort
        self.store = store
        self.interaction = interaction
    }

    /// The cache identity: the configured client id, else the client ID metadata document's URL
    /// (also when the login fell back to dynamic registration), else `dynamic`.
    package var identity: TokenIdentity {
        TokenIdentity(
            serverURL: serverURL,
            clientID: TokenIdentity.loginClientID(configured: client?.id, metadataDocumentURL: clientMetadataURL),
            scopes: scopes ?? [])
    }
}

extension TokenIdentity {
    /// The client id an `authType: oauth2` login (browser or device) is cached under: the
    /// configured `oauth.clientId`, else `oauth.clientMetadataUrl`, else `dynamic` (the login
    /// registers a client, and that registration is cached with the tokens).
    package static func loginClientID(configured: String?, metadataDocumentURL: String?) -> String {
        configured ?? metadataDocumentURL ?? "dynamic"
    }
}

/// OAuth 2.1 authorization code with PKCE S256 through the user's browser (`authType: oauth2`,
/// `oauth.flow: browser`; MCP 2025-11-25 Authorization; RFC 6749 §4.1, 7636, 8707, 9207, 8252).
///
/// Cached tokens are used first and refreshed under the identity's file lock. A login also runs
/// under that lock (waiting up to 5½ minutes for it), so parallel runs needing the same login
/// wait and then use its tokens; they never start a second flow. Non-interactive runs never
/// start one: they fail with the `mcp-run auth login SERVER` advice. The code, verifier, tokens
/// and client secret are `Secret`s and are never logged; the printed URL holds only the public
/// challenge and state.
///
/// An actor, one per server per run; it suspends for the lock, HTTP and the redirect.
package actor BrowserFlowProvider: TokenRenewingProvider {
    private let config: BrowserFlowConfig
    var logger: Logger
    private let client: HTTPClient
    var current: StoredToken?
    var challenge: AuthChallenge?

    /// A provider for `config`.
    package init(config: BrowserFlowConfig, logger: Logger, client: HTTPClient = .shared) {
        self.config = config
        self.logger = logger
        self.client = client
    }

    // MARK: - Renewal

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

    /// Revokes the cached tokens at the RFC 7009 endpoint the metadata named, as the client they
    /// were issued to (the configured one, the cached registration, or the metadata document's
    /// URL), then deletes the cache entry. Returns whether the server was asked to revoke.
    /// - Throws: `ClientError` when the revocation endpoint refuses; the entry is deleted anyway.
    package func revoke() async throws -> Bool {
        let lock = try await lockIdentity(timeout: .seconds(60))
        defer { lock.release() }
        guard let token = config.store.read(config.identity) else { return false }
        defer { config.store.delete(config.identity) }
        guard let client = client(for: token) else { return false }
        return try await token.revoke(as: client, http: http)
    }

    func renewToken(rejected: Secret?, force: Bool) async throws -> StoredToken {
        // A login may hold the lock for as long as a person takes (the interaction's limit); that
        // wait, like a login of our own, does not count against the request's limit.
        let lock = try await RequestDeadline.excluding {
            try await lockIdentity(timeout: config.interaction.timeout + .seconds(30))
        }
        defer { lock.release() }
        let cached = config.store.read(config.identity)
        if !force, let token = cached, !ClientCredentialsProvider.needsRenewal(token) {
            let isRejected = rejected.map { token.bearerSecret == $0 } ?? false
            if !isRejected {
                logger.trace("[\(config.serverName)] oauth: using the token another run obtained")
                return token
            }
        }
        var refreshRefused = false
        if !force, let token = cached, let refreshToken = token.refreshToken, let client = client(for: token) {
            switch try await refresh(token, refreshToken, client: client) {
            case .token(let refreshed):
                try save(refreshed)
                return refreshed
            case .unknownClient where client.isDynamic:
                logger.trace("[\(config.serverName)] oauth: the server no longer knows the registered client")
                refreshRefused = true
            case .unknownClient, .refused:
                refreshRefused = true
            }
        }
        guard config.interaction.mayLogIn else {
            throw ClientError.loginNeeded(server: config.serverName, refreshRefused: refreshRefused)
        }
        // A new login never reuses a cached dynamic registration: a server that forgot it shows
        // the person an error page at /authorize and never redirects (RFC 6749 §4.1.2.1), so the
        // login could only time out. It registers anew instead (one request); the cached
        // registration served the refresh above.
        let token = try await RequestDeadline.excluding { try await authorize() }
        try save(token)
        return token
    }

    /// The identity's file lock, waiting at most `timeout` for another run to release it.
    /// - Throws: `ClientError` `.unauthorized` when the lock cannot be taken or the wait is over;
    ///   `CancellationError`.
    private func lockIdentity(timeout: Duration) async throws -> TokenLock {
        try await waitForLock("the login's lock", timeout: timeout) {
            try await config.store.lock(config.identity, timeout: timeout)
        }
    }

    /// The lock of the fixed loopback `port`, waiting at most the login's limit and a half minute.
    /// - Throws: as `lockIdentity(timeout:)`.
    private func lockLoopbackPort(_ port: Int) async throws -> TokenLock {
        let timeout = config.interaction.timeout + .seconds(30)
        return try await waitForLock("loopback port \(port) (`oauth.redirectPort`)", timeout: timeout) {
            try await config.store.lock(loopbackPort: port, timeout: timeout)
        }
    }

    /// `take()`, its failures as this server's `ClientError`s naming `what` was locked.
    private func waitForLock(
        _ what: String, timeout: Duration, _ take: () async throws -> TokenLock
    ) async throws -> TokenLock {
        do {
            return try await take()
        } catch let error as TokenStoreError {
            throw failure("cannot lock the token cache: \(error.message)", underlying: error)
        } catch is TimeoutError {
            throw failure(
                "another mcp-run held \(what) for over \(timeout.components.seconds) seconds",
                hint: "finish or stop the other mcp-run's login (`ps` shows it), then run again")
        }
    }

    /// The configured client, else the registration cached with `token`, else the client ID
    /// metadata document's URL (a token obtained with it has no registration).
    private func client(for token: StoredToken) -> OAuthClient? {
        if let configured = config.client { return configured }
        return token.registeredClient ?? config.clientMetadataURL.map(Self.metadataDocumentClient)
    }

    /// The public client whose `client_id` is the metadata document's URL: no secret, since a
    /// document cannot hold one (draft-ietf-oauth-client-id-metadata-document).
    private static func metadataDocumentClient(_ url: String) -> OAuthClient {
        OAuthClient(id: url, secret: nil, method: .none, isDynamic: false)
    }

    private enum RefreshOutcome {
        case token(StoredToken)
        case unknownClient
        case refused
    }

    private func refresh(
        _ cached: StoredToken, _ refreshToken: Secret, client: OAuthClient
    ) async throws(ClientError)
        -> RefreshOutcome
    {
        var form: [(String, OAuthHTTP.FormValue)] = [
            ("grant_type", .plain("refresh_token")), ("refresh_token", .secret(refreshToken)),
            ("resource", .plain(cached.resource)),
        ]
        let headers = client.authenticate(&form)
        let reply = try await http.post(cached.tokenEndpoint, form: form, headers: headers)
        guard reply.status == 200 else {
            logger.trace(
                "[\(config.serverName)] oauth: the refresh token was refused (HTTP \(reply.status)\(ClientCredentialsProvider.oauthError(reply.json)))"
            )
            return reply.json?["error"]?.stringValue == "invalid_client" ? .unknownClient : .refused
        }
        var token = try parseToken(reply.json, requestedScopes: cached.grantedScopes, template: cached)
        if token.refreshToken == nil { token.refreshToken = refreshToken }
        logger.trace("[\(config.serverName)] oauth: refreshed the access token")
        return .token(token)
    }

    // MARK: - The browser flow

    private var http: OAuthHTTP { OAuthHTTP(serverName: config.serverName, client: client, logger: logger) }

    /// The configured scopes (`oauth.scopes`), if any.
    var scopes: [String]? { config.scopes }
    /// The server's name, for errors and traces.
    var serverName: String { config.serverName }
    /// Whether a person may be asked to log in.
    var mayLogIn: Bool { config.interaction.mayLogIn }

    /// A login with `scopes` (a step-up), under the identity's lock, unless another run already
    /// stepped up: a cached token that carries them, is not due for renewal and is not `rejected`.
    func stepUp(to scopes: [String], rejected: Secret?) async throws -> StoredToken {
        let lock = try await RequestDeadline.excluding {
            try await lockIdentity(timeout: config.interaction.timeout + .seconds(30))
        }
        defer { lock.release() }
        if let cached = config.store.read(config.identity), Set(scopes).isSubset(of: cached.grantedScopes),
            !ClientCredentialsProvider.needsRenewal(cached), rejected.map({ cached.bearerSecret != $0 }) ?? true
        {
            return cached
        }
        let token = try await RequestDeadline.excluding { try await authorize(scopes: scopes) }
        try save(token)
        return token
    }

    /// A login: the whole authorization-code flow with PKCE, asking for `scopes` when given,
    /// else the configured ones, the challenge's, or the resource's `scopes_supported`.
    private func authorize(scopes requested: [String]? = nil) async throws -> StoredToken {
        let discovery = try await OAuthDiscovery(
            serverURL: config.serverURL, serverName: config.serverName, logger: logger, client: client
        ).discover(challenge: challenge, metadataURL: config.metadataURL, configuredResource: config.resource)
        let metadata = discovery.metadata
        guard metadata.codeChallengeMethods.contains("S256") else {
            throw failure(
                "the authorization server does not support PKCE S256 (its metadata lists \(metadata.codeChallengeMethods.isEmpty ? "no code_challenge_methods_supported" : metadata.codeChallengeMethods.joined(separator: ", "))); refusing to start a login",
                hint: "the MCP authorization spec requires S256; ask the server's operator")
        }
        guard let endpoint = metadata.authorizationEndpoint else {
            throw failure("the authorization server's metadata has no authorization_endpoint")
        }
        if let reason = BrowserLauncher.refusal(of: endpoint)
            ?? DiscoveredURLPolicy(serverURL: config.serverURL).refusal(of: endpoint)
        {
            throw failure(
                "refusing the authorization_endpoint '\(Self.printable(endpoint))': \(reason)",
                hint: "nothing was opened; the server's OAuth metadata is wrong or hostile")
        }
        let scopes =
            requested ?? config.scopes
            ?? challenge?.parameters["scope"].map { $0.split(separator: " ").map(String.init) }
            ?? discovery.resourceScopes ?? []
        let state = PKCE.randomToken(bytes: 24)
        // A fixed port is shared by every login configured with it, whatever the server: logins
        // for other identities take turns on it (each holds it for at most the login's limit)
        // rather than failing to bind. Any free port (the default) needs no such lock.
        var portLock: TokenLock?
        if let port = config.redirectPort {
            logger.trace("[\(config.serverName)] oauth: waiting for loopback port \(port) if another login holds it")
            portLock = try await lockLoopbackPort(port)
        }
        defer { portLock?.release() }
        let callback = try LoopbackCallback(
            port: config.redirectPort, expectedState: state, serverName: config.serverName)
        defer { callback.close() }
        let source = ClientSource.choose(
            hasConfiguredClient: config.client != nil, metadataDocumentURL: config.clientMetadataURL,
            metadata: metadata)
        if config.clientMetadataURL != nil, config.client == nil {
            if case .metadataDocument = source {
                logger.trace("[\(config.serverName)] oauth: using the client ID metadata document URL as client_id")
            } else {
                logger.trace(
                    "[\(config.serverName)] oauth: the authorization server does not advertise client_id_metadata_document_supported; using dynamic client registration instead of `oauth.clientMetadataUrl`"
                )
            }
        }
        let oauthClient: OAuthClient
        switch source {
        case .configured:
            guard let configured = config.client else { preconditionFailure("`.configured` needs a configured client") }
            oauthClient = configured
        case .metadataDocument(let url):
            oauthClient = Self.metadataDocumentClient(url)
        case .register(let registration):
            if let reason = DiscoveredURLPolicy(serverURL: config.serverURL).refusal(of: registration) {
                throw failure("refusing the registration_endpoint '\(Self.printable(registration))': \(reason)")
            }
            oauthClient = try await ClientRegistration.register(
                at: registration, for: .authorizationCode(redirectURI: callback.redirectURI), scopes: scopes, http: http
            )
            logger.trace("[\(config.serverName)] oauth: registered a client dynamically (RFC 7591)")
        case .unavailable:
            if config.clientMetadataURL != nil {
                throw failure(
                    "the authorization server supports neither client ID metadata documents (its metadata lacks client_id_metadata_document_supported) nor dynamic client registration, so `oauth.clientMetadataUrl` cannot be used",
                    hint: "register a client with the server and set `oauth.clientId` (and `clientSecret`)")
            }
            throw failure(
                "the server does not offer dynamic client registration and no `oauth.clientId` is set",
                hint:
                    "register a client with the server and set `oauth.clientId` (and `clientSecret`), or `oauth.clientMetadataUrl` if it supports client ID metadata documents"
            )
        }
        let verifier = Secret.credential(PKCE.makeVerifier())
        var query = URLComponents()
        var items = [
            URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: oauthClient.id),
            URLQueryItem(name: "redirect_uri", value: callback.redirectURI),
            URLQueryItem(name: "code_challenge", value: verifier.withRevealedValue { PKCE.challenge(for: $0) }),
            URLQueryItem(name: "code_challenge_method", value: "S256"), URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "resource", value: discovery.resource),
        ]
        if !scopes.isEmpty { items.append(URLQueryItem(name: "scope", value: scopes.joined(separator: " "))) }
        query.queryItems = items
        let encodedQuery = (query.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        let url = endpoint + (endpoint.contains("?") ? "&" : "?") + encodedQuery
        let interaction = config.interaction
        interaction.tell("to log in to '\(config.serverName)', open this URL in a browser:\n  \(url)")
        if interaction.openBrowser,
            let program = BrowserLauncher.program(
                environment: interaction.environment, isTerminal: interaction.isTerminal)
        {
            if !BrowserLauncher.launch(program, url: url) { interaction.tell("could not start '\(program)'") }
        }
        if interaction.acceptPaste {
            interaction.tell("then paste the URL the browser was redirected to here, and press Enter")
            callback.acceptPaste(tell: interaction.tell)
        }
        let response: AuthorizationResponse?
        do {
            response = try await withTimeout(interaction.timeout) { await callback.next() }
        } catch is TimeoutError {
            throw failure(
                "gave up waiting for the login to '\(config.serverName)' after \(interaction.timeout.components.seconds) seconds",
                hint: "run 'mcp-run auth login \(config.serverName)' and finish the login in the browser")
        }
        guard let response else { throw CancellationError() }
        let code: Secret
        switch response {
        case .refused(let reason):
            throw failure(
                "the authorization server refused the login: \(reason)",
                hint: Self.metadataDocumentHint(oauthClient, source: source))
        case .code(let value, let issuer):
            if let issuer, metadata.isIssuerAssumed {
                logger.trace(
                    "[\(config.serverName)] oauth: the redirect names issuer '\(Self.printable(issuer))'; "
                        + "with no metadata there is no issuer to check it against")
            } else if let issuer, issuer != metadata.issuer {
                throw failure(
                    "the login's redirect names issuer '\(Self.printable(issuer))', not '\(metadata.issuer)' (RFC 9207); the code was not used",
                    hint: "this can be a mix-up attack; log in again")
            }
            code = value
        }
        callback.close()
        var form: [(String, OAuthHTTP.FormValue)] = [
            ("grant_type", .plain("authorization_code")), ("code", .secret(code)),
            ("redirect_uri", .plain(callback.redirectURI)), ("code_verifier", .secret(verifier)),
            ("resource", .plain(discovery.resource)),
        ]
        let headers = oauthClient.authenticate(&form)
        let reply = try await http.post(metadata.tokenEndpoint, form: form, headers: headers)
        guard reply.status == 200 else {
            throw ClientError(
                code: .unauthorized(reply.status),
                message:
                    "the token endpoint refused the authorization code with HTTP \(reply.status)\(ClientCredentialsProvider.oauthError(reply.json))",
                hint: config.client == nil
                    ? Self.metadataDocumentHint(oauthClient, source: source)
                    : "check `oauth.clientId`, `oauth.clientSecret` and `oauth.tokenEndpointAuthMethod`",
                context: ErrorContext(server: config.serverName))
        }
        var template = StoredToken(
            identity: config.identity, grant: "authorization_code", accessToken: Secret(""), refreshToken: nil,
            expiresAt: nil, issuedAt: 0, grantedScopes: scopes, tokenEndpoint: metadata.tokenEndpoint,
            revocationEndpoint: metadata.revocationEndpoint, issuer: metadata.issuer, resource: discovery.resource)
        if oauthClient.isDynamic { template.record(registration: oauthClient) }
        let token = try parseToken(reply.json, requestedScopes: scopes, template: template)
        logger.trace("[\(config.serverName)] oauth: obtained an access token (authorization_code)")
        return token
    }

    // MARK: - Helpers

    /// What to check when the authorization server refuses a client ID metadata document client.
    private static func metadataDocumentHint(_ client: OAuthClient, source: ClientSource) -> String? {
        guard case .metadataDocument = source else { return nil }
        return
            "check the client ID metadata document at `oauth.clientMetadataUrl` ('\(printable(client.id))'): its client_id must be that URL, and its redirect_uris must include http://127.0.0.1/oauth/callback (any port matches) or the URI for `oauth.redirectPort`"
    }

    private func parseToken(
        _ json: JSONValue?, requestedScopes: [String], template: StoredToken
    ) throws(ClientError) -> StoredToken {
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

    private func save(_ token: StoredToken) throws(ClientError) {
        do {
            try config.store.write(token)
        } catch {
            throw failure("cannot write the token cache: \(error.message)", underlying: error)
        }
    }

    /// `text` with control characters shown as `?`, at most 200 characters.
    private static func printable(_ text: String) -> String {
        String(
            SecretMasker().maskedPrefix(text, 200).unicodeScalars.map {
                $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0)
            })
    }

    private func failure(_ message: String, hint: String? = nil, underlying: (any Error)? = nil) -> ClientError {
        ClientError(
            code: .unauthorized(401), message: message, hint: hint, context: ErrorContext(server: config.serverName),
            underlying: underlying)
    }
}
