import Basics
import Foundation

/// OAuth 2.1 authorization code with PKCE S256 through the person's browser (`authType: oauth2`,
/// `oauth.flow: browser`; MCP 2025-11-25 Authorization; RFC 6749 §4.1, 7636, 8707, 9207, 8252).
///
/// The `LoginUI` shows the authorization URL (and opens a browser, and may hand back a pasted
/// redirect); the grant listens on `http://127.0.0.1:PORT/oauth/callback` for the redirect,
/// checks its `state` and `iss`, and exchanges the code. The code and verifier are `Secret`s; the
/// URL shown holds only the public challenge and state. The client is the configured one, else
/// the client ID metadata document's URL where the server supports it, else a new dynamic
/// registration, recorded with the tokens.
package struct AuthorizationCodeGrant: TokenGrant {
    /// The pre-registered client (`oauth.clientId`); nil: a metadata document or a registration.
    package var client: OAuthClient?
    /// `oauth.clientMetadataUrl`: the client ID metadata document's URL, the `client_id` where
    /// the authorization server supports it (MCP 2025-11-25, Client Registration).
    package var clientMetadataURL: String?
    /// `oauth.redirectPort`; nil: any free port.
    package var redirectPort: Int?
    /// How long the person has to finish the login (5 minutes).
    package var loginTimeout: Duration
    /// Where the redirect lands; nil: the loopback listener on `redirectPort`.
    package var redirectTarget: (any RedirectTarget)?

    /// A grant for `client` (nil: the metadata document at `clientMetadataURL`, or a registration).
    package init(
        client: OAuthClient?, clientMetadataURL: String?, redirectPort: Int?, loginTimeout: Duration = .seconds(300),
        redirectTarget: (any RedirectTarget)? = nil
    ) {
        self.redirectTarget = redirectTarget
        self.client = client
        self.clientMetadataURL = clientMetadataURL
        self.redirectPort = redirectPort
        self.loginTimeout = loginTimeout
    }

    package var needsPerson: Bool { true }

    /// A login holds the identity's lock for as long as a person takes: others wait that long.
    package var lockTimeout: Duration { loginTimeout + .seconds(30) }

    /// The configured client, else the registration cached with `token`, else the client ID
    /// metadata document's URL (a token obtained with it has no registration).
    package func client(for token: StoredToken) -> OAuthClient? {
        if let client { return client }
        return token.registeredClient ?? clientMetadataURL.map(Self.metadataDocumentClient)
    }

    /// `oauth.clientId`, when configured.
    package var preRegisteredClientID: String? { client?.id }

    /// The public client whose `client_id` is the metadata document's URL: no secret, since a
    /// document cannot hold one (draft-ietf-oauth-client-id-metadata-document).
    static func metadataDocumentClient(_ url: String) -> OAuthClient {
        OAuthClient(id: url, secret: nil, method: .none, isDynamic: false)
    }

    /// The whole login. A new login never reuses a cached dynamic registration: a server that
    /// forgot it shows the person an error page at /authorize and never redirects (RFC 6749
    /// §4.1.2.1), so the login could only time out; it registers anew instead.
    /// - Throws: `ClientError` `.unauthorized` for metadata that cannot be used (no S256, a
    ///   refused endpoint, no client), a refused login or code, a timeout; `.unreachable`.
    package func obtain(_ request: GrantRequest) async throws -> StoredToken {
        // The person's login does not count against the request that needed it.
        try await RequestDeadline.excluding { try await authorize(request) }
    }

    private func authorize(_ request: GrantRequest) async throws -> StoredToken {
        let serverName = request.serverName
        let metadata = request.discovery.metadata
        guard metadata.codeChallengeMethods.contains("S256") else {
            throw request.failure(
                "the authorization server does not support PKCE S256 (its metadata lists \(metadata.codeChallengeMethods.isEmpty ? "no code_challenge_methods_supported" : metadata.codeChallengeMethods.joined(separator: ", "))); refusing to start a login",
                hint: "the MCP authorization spec requires S256; ask the server's operator")
        }
        guard let endpoint = metadata.authorizationEndpoint else {
            throw request.failure("the authorization server's metadata has no authorization_endpoint")
        }
        let policy = DiscoveredURLPolicy(serverURL: request.serverURL)
        if let reason = BrowserLauncher.refusal(of: endpoint) ?? policy.refusal(of: endpoint) {
            throw request.failure(
                "refusing the authorization_endpoint '\(Self.printable(endpoint))': \(reason)",
                hint: "nothing was opened; the server's OAuth metadata is wrong or hostile")
        }
        let state = PKCE.randomToken(bytes: 24)
        // A fixed port is shared by every login configured with it, whatever the server: logins
        // for other identities take turns on it (each holds it for at most the login's limit)
        // rather than failing to bind. Any free port (the default) needs no such lock.
        guard let port = redirectPort, redirectTarget == nil else {
            return try await authorize(request, endpoint: endpoint, state: state)
        }
        request.logger.trace("[\(serverName)] oauth: waiting for loopback port \(port) if another login holds it")
        var acquired = false
        do {
            return try await request.store.withLock(loopbackPort: port, timeout: lockTimeout) {
                acquired = true
                return try await authorize(request, endpoint: endpoint, state: state)
            }
        } catch let error as TokenStoreError where !acquired {
            throw request.failure("cannot lock the token cache: \(error.message)", underlying: error)
        } catch is TimeoutError where !acquired {
            throw request.failure(
                "another mcp-run held loopback port \(port) (`oauth.redirectPort`) for over \(lockTimeout.components.seconds) seconds",
                hint: "finish or stop the other mcp-run's login (`ps` shows it), then run again")
        }
    }

    /// The login once the loopback port is ours: client, URL, redirect, code exchange.
    private func authorize(_ request: GrantRequest, endpoint: String, state: String) async throws -> StoredToken {
        let serverName = request.serverName
        let metadata = request.discovery.metadata
        let scopes = request.scopes
        let callback: any PendingRedirect =
            try redirectTarget?.expect(state: state, serverName: serverName)
            ?? LoopbackCallback(port: redirectPort, expectedState: state, serverName: serverName)
        defer { callback.close() }
        let source = ClientSource.choose(
            hasConfiguredClient: client != nil, metadataDocumentURL: clientMetadataURL, metadata: metadata)
        if clientMetadataURL != nil, client == nil {
            if case .metadataDocument = source {
                request.logger.trace("[\(serverName)] oauth: using the client ID metadata document URL as client_id")
            } else {
                request.logger.trace(
                    "[\(serverName)] oauth: the authorization server does not advertise client_id_metadata_document_supported; using dynamic client registration instead of `oauth.clientMetadataUrl`"
                )
            }
        }
        let oauthClient = try await chooseClient(source, request, redirectURI: callback.redirectURI)
        let verifier = Secret.credential(PKCE.makeVerifier())
        var query = URLComponents()
        var items = [
            URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: oauthClient.id),
            URLQueryItem(name: "redirect_uri", value: callback.redirectURI),
            URLQueryItem(name: "code_challenge", value: verifier.withRevealedValue { PKCE.challenge(for: $0) }),
            URLQueryItem(name: "code_challenge_method", value: "S256"), URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "resource", value: request.discovery.resource),
        ]
        if !scopes.isEmpty { items.append(URLQueryItem(name: "scope", value: scopes.joined(separator: " "))) }
        query.queryItems = items
        let encodedQuery = (query.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        let url = endpoint + (endpoint.contains("?") ? "&" : "?") + encodedQuery
        request.ui.showAuthorizationURL(url, server: serverName)
        let response: AuthorizationResponse?
        do {
            response = try await withTimeout(loginTimeout) {
                await Self.firstResponse(callback, pasted: request.ui.pastedRedirects(), ui: request.ui)
            }
        } catch is TimeoutError {
            throw request.failure(
                "gave up waiting for the login to '\(serverName)' after \(loginTimeout.components.seconds) seconds",
                hint: "run 'mcp-run auth login \(serverName)' and finish the login in the browser")
        }
        guard let response else { throw CancellationError() }
        let code: Secret
        switch response {
        case .refused(let reason):
            throw request.failure(
                "the authorization server refused the login: \(reason)",
                hint: Self.metadataDocumentHint(oauthClient, source: source))
        case .code(let value, let issuer):
            if let issuer, metadata.isIssuerAssumed {
                request.logger.trace(
                    "[\(serverName)] oauth: the redirect names issuer '\(Self.printable(issuer))'; "
                        + "with no metadata there is no issuer to check it against")
            } else if issuer == nil, metadata.issParameterSupported {
                throw request.failure(
                    "the login's redirect carries no issuer (iss), though the authorization server '\(metadata.issuer)' advertises it (RFC 9207); the code was not used",
                    hint: "this can be a mix-up attack; log in again")
            } else if let issuer, issuer != metadata.issuer {
                throw request.failure(
                    "the login's redirect names issuer '\(Self.printable(issuer))', not '\(metadata.issuer)' (RFC 9207); the code was not used",
                    hint: "this can be a mix-up attack; log in again")
            }
            code = value
        }
        callback.close()
        var form: [(String, OAuthHTTP.FormValue)] = [
            ("grant_type", .plain("authorization_code")), ("code", .secret(code)),
            ("redirect_uri", .plain(callback.redirectURI)), ("code_verifier", .secret(verifier)),
            ("resource", .plain(request.discovery.resource)),
        ]
        let headers = oauthClient.authenticate(&form)
        let reply = try await request.http.post(metadata.tokenEndpoint, form: form, headers: headers)
        guard reply.status == 200 else {
            throw ClientError(
                code: .unauthorized(reply.status),
                message:
                    "the token endpoint refused the authorization code with HTTP \(reply.status)\(OAuthHTTP.errorSummary(reply.json))",
                hint: client == nil
                    ? Self.metadataDocumentHint(oauthClient, source: source)
                    : "check `oauth.clientId`, `oauth.clientSecret` and `oauth.tokenEndpointAuthMethod`",
                context: ErrorContext(server: serverName))
        }
        var template = request.template(grant: "authorization_code")
        if oauthClient.isDynamic { template.record(registration: oauthClient) }
        let token = try StoredToken(
            tokenResponse: reply.json, requestedScopes: scopes, template: template, serverName: serverName)
        request.logger.trace("[\(serverName)] oauth: obtained an access token (authorization_code)")
        return token
    }

    /// The client `source` names: the configured one, the metadata document's, or a new registration.
    /// - Throws: `ClientError` `.unauthorized` when there is none, or registration is refused.
    private func chooseClient(
        _ source: ClientSource, _ request: GrantRequest, redirectURI: String
    ) async throws -> OAuthClient {
        switch source {
        case .configured:
            guard let client else { preconditionFailure("`.configured` needs a configured client") }
            return client
        case .metadataDocument(let url):
            return Self.metadataDocumentClient(url)
        case .register(let registration):
            if let reason = DiscoveredURLPolicy(serverURL: request.serverURL).refusal(of: registration) {
                throw request.failure("refusing the registration_endpoint '\(Self.printable(registration))': \(reason)")
            }
            let registered = try await ClientRegistration.register(
                at: registration, for: .authorizationCode(redirectURI: redirectURI), scopes: request.scopes,
                advertisedMethods: request.discovery.metadata.tokenEndpointAuthMethods, http: request.http)
            request.logger.trace("[\(request.serverName)] oauth: registered a client dynamically (RFC 7591)")
            return registered
        case .unavailable:
            if clientMetadataURL != nil {
                throw request.failure(
                    "the authorization server supports neither client ID metadata documents (its metadata lacks client_id_metadata_document_supported) nor dynamic client registration, so `oauth.clientMetadataUrl` cannot be used",
                    hint: "register a client with the server and set `oauth.clientId` (and `clientSecret`)")
            }
            throw request.failure(
                "the server does not offer dynamic client registration and no `oauth.clientId` is set",
                hint:
                    "register a client with the server and set `oauth.clientId` (and `clientSecret`), or `oauth.clientMetadataUrl` if it supports client ID metadata documents"
            )
        }
    }

    /// The first redirect with this login's state: from the loopback listener, or a line the
    /// person pasted (each other pasted line is refused through `ui`, and the wait goes on). Nil
    /// when the listener was closed and nothing was pasted. Cancelling the caller ends both waits.
    private static func firstResponse(
        _ callback: any PendingRedirect, pasted: AsyncStream<String>?, ui: any LoginUI
    ) async -> AuthorizationResponse? {
        await withTaskGroup(of: AuthorizationResponse?.self) { group in
            group.addTask { await callback.next() }
            if let pasted {
                group.addTask {
                    for await line in pasted {
                        let text = line.trimmingCharacters(in: .whitespaces)
                        if text.isEmpty { continue }
                        if let items = URLComponents(string: text)?.queryItems,
                            let response = callback.response(to: items)
                        {
                            return response
                        }
                        ui.rejectPastedLine()
                    }
                    return nil
                }
            }
            defer { group.cancelAll() }
            for await response in group {
                if let response { return response }
            }
            return nil
        }
    }

    /// What to check when the authorization server refuses a client ID metadata document client.
    private static func metadataDocumentHint(_ client: OAuthClient, source: ClientSource) -> String? {
        guard case .metadataDocument = source else { return nil }
        return
            "check the client ID metadata document at `oauth.clientMetadataUrl` ('\(printable(client.id))'): its client_id must be that URL, and its redirect_uris must include http://127.0.0.1/oauth/callback (any port matches) or the URI for `oauth.redirectPort`"
    }

    /// `text` for a message: secrets masked, control characters escaped, at most 200 characters.
    static func printable(_ text: String) -> String {
        TerminalText.inline(SecretMasker().maskedPrefix(text, 200), limit: 200)
    }
}
