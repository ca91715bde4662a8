import Basics
import HTTP

/// What the OAuth providers that cache and renew tokens share (`ClientCredentialsProvider`, which
/// also runs the device grant, and `BrowserFlowProvider`): the cached token is read once, used
/// until it is due for renewal, and renewed before expiry, after a 401, or on `auth login`.
/// Only how a token is renewed differs; each provider implements `renewToken(rejected:force:)`
/// (under the identity's file lock, re-reading the cache).
///
/// Actor-constrained, so the extension's methods run on the provider's own executor and read
/// and write its state between suspensions like its own methods do (STYLE.md §5).
protocol TokenRenewingProvider: Actor, AuthorizationProvider {
    /// The token in use; nil until the cache has been read (or when it held nothing).
    var current: StoredToken? { get set }
    /// The last Bearer challenge from the server (its `scope`, `resource_metadata`).
    var challenge: AuthChallenge? { get set }
    /// The transport's logger, for `-v` traces (never a token).
    var logger: Logger { get set }

    /// This provider's cache entry, if any.
    func cachedToken() -> StoredToken?

    /// A token that is not `rejected` (the header secret the server refused) and not due for
    /// renewal: another run's, a refreshed one, or a new grant. With `force`, always a new grant.
    /// - Throws: `ClientError` `.unauthorized`, `.unreachable`.
    func renewToken(rejected: Secret?, force: Bool) async throws -> StoredToken
}

extension TokenRenewingProvider {
    package func currentAuthorization(logger: Logger) async throws -> HTTPHeader? {
        self.logger = logger
        if current == nil { current = cachedToken() }
        guard let token = current else { return nil }
        guard ClientCredentialsProvider.needsRenewal(token) else { return token.authorizationHeader }
        let renewed = try await renewToken(rejected: nil, force: false)
        current = renewed
        return renewed.authorizationHeader
    }

    package func authorizationAfterUnauthorized(
        challenges: [String], rejected: HTTPHeader?, logger: Logger
    ) async throws -> HTTPHeader {
        self.logger = logger
        if let bearer = AuthChallenge.parse(challenges).first(where: \.isBearer) { challenge = bearer }
        var rejectedSecret: Secret?
        if let rejected, case .secret(let secret) = rejected.value { rejectedSecret = secret }
        let renewed = try await renewToken(rejected: rejectedSecret, force: false)
        current = renewed
        return renewed.authorizationHeader
    }

    /// Obtains a new grant and caches it, whatever the cache holds: each provider's `login()`
    /// (`mcp-run auth login`; a `package` method, which an internal protocol cannot provide).
    /// - Throws: `ClientError` `.unauthorized` (refusals, timeout, non-interactive), `.unreachable`.
    func newGrant() async throws -> StoredToken {
        let token = try await renewToken(rejected: nil, force: true)
        current = token
        return token
    }
}

extension StoredToken {
    /// The dynamically registered client (RFC 7591) cached with these tokens, if any.
    var registeredClient: OAuthClient? {
        guard let id = registeredClientID else { return nil }
        let method = registeredAuthMethod.flatMap(TokenEndpointAuthMethod.init(rawValue:)) ?? .none
        return OAuthClient(id: id, secret: registeredClientSecret, method: method, isDynamic: true)
    }

    /// Records `client` as the dynamic registration these tokens were issued to.
    mutating func record(registration client: OAuthClient) {
        registeredClientID = client.id
        registeredClientSecret = client.secret
        registeredAuthMethod = client.method.rawValue
    }

    /// Revokes the refresh token, then the access token, at the revocation endpoint the
    /// authorization server's metadata named (RFC 7009 §2), authenticating as `client`. Returns
    /// false when there is no such endpoint (nothing was asked).
    /// - Throws: `ClientError` `.unauthorized` when the endpoint refuses; `.unreachable`.
    func revoke(as client: OAuthClient, http: OAuthHTTP) async throws -> Bool {
        guard let endpoint = revocationEndpoint else { return false }
        var pairs: [(Secret, String)] = [(accessToken, "access_token")]
        if let refreshToken { pairs.insert((refreshToken, "refresh_token"), at: 0) }
        for (secret, hint) in pairs {
            var form: [(String, OAuthHTTP.FormValue)] = [("token", .secret(secret)), ("token_type_hint", .plain(hint))]
            let headers = client.authenticate(&form)
            let reply = try await http.post(endpoint, form: form, headers: headers)
            guard (200..<300).contains(reply.status) else {
                throw ClientError(
                    code: .unauthorized(reply.status),
                    message:
                        "the revocation endpoint answered HTTP \(reply.status)\(ClientCredentialsProvider.oauthError(reply.json))",
                    hint: "the local cache entry was deleted anyway", context: ErrorContext(server: http.serverName))
            }
        }
        return true
    }

    /// `Bearer <access token>`, as the secret the `Authorization` header carries.
    var bearerSecret: Secret { accessToken.withRevealedValue { Secret.credential("Bearer " + $0) } }

    /// The `Authorization` header for this token.
    var authorizationHeader: HTTPHeader { HTTPHeader(name: "Authorization", value: .secret(bearerSecret)) }
}

extension ClientError {
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
