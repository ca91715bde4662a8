import Basics

/// One way of obtaining a new token (RFC 6749 §1.3): client credentials, a device code, or an
/// authorization code through a browser.
///
/// A grant only obtains a token. The `TokenProvider` holding it decides when one is needed (the
/// cache, the identity's lock, refresh, step-up) and stores what it returns; a grant never reads
/// or writes the cache, and talks to a person only through the request's `LoginUI`.
package protocol TokenGrant: Sendable {
    /// Whether a new token needs a person (a login). Such a grant is never started when the
    /// provider may not ask one; the run fails with the `mcp-run auth login` advice instead.
    var needsPerson: Bool { get }

    /// How long another run may hold the identity's lock before this one gives up: a minute, or
    /// the login's limit and a half minute when a browser login may hold it.
    var lockTimeout: Duration { get }

    /// The client to refresh and revoke `token` as; nil when there is none (the refresh is
    /// skipped, and a revocation asks nothing).
    func client(for token: StoredToken) -> OAuthClient?

    /// The `oauth.clientId` of a pre-registered client; nil for a client registered dynamically
    /// or identified by its metadata document's URL. Pre-registered credentials belong to one
    /// authorization server, so a login with them never moves to another (MCP 2026-07-28,
    /// Client Registration, Authorization Server Binding).
    var preRegisteredClientID: String? { get }

    /// Obtains a new token for `request.scopes`, not yet cached.
    ///
    /// - Throws: `ClientError` `.unauthorized` for refusals, a timeout or a refused endpoint;
    ///   `.unreachable`; `CancellationError`.
    func obtain(_ request: GrantRequest) async throws -> StoredToken
}

extension TokenGrant {
    /// A minute: no person holds the lock, only another run's token request (or device login).
    package var lockTimeout: Duration { .seconds(60) }

    /// None: a grant that does not say has no pre-registered client.
    package var preRegisteredClientID: String? { nil }
}

/// What a grant is given to obtain a token: the server, the discovered authorization server, the
/// chosen scopes, and the ways to reach the network and the person.
package struct GrantRequest: Sendable {
    /// The server's name, for errors and traces.
    package var serverName: String
    /// The MCP endpoint (the base of `DiscoveredURLPolicy`).
    package var serverURL: String
    /// The cache identity the token is stored under.
    package var identity: TokenIdentity
    /// The authorization server and the RFC 8707 resource.
    package var discovery: OAuthDiscoveryResult
    /// The scopes to ask for (possibly none).
    package var scopes: [String]
    /// The OAuth HTTP exchanges, bounded, traced at `-v`.
    var http: OAuthHTTP
    /// The transport's logger (never a token).
    package var logger: Logger
    /// Everything said to, or asked of, a person.
    package var ui: any LoginUI
    /// The token cache, for the loopback port's lock.
    package var store: TokenStore

    /// A token with this request's identity, scopes and endpoints and no value yet: the template
    /// a token response is parsed onto (`StoredToken(tokenResponse:…)`).
    func template(grant: String) -> StoredToken {
        let metadata = discovery.metadata
        return StoredToken(
            identity: identity, grant: grant, accessToken: Secret(""), refreshToken: nil, expiresAt: nil, issuedAt: 0,
            grantedScopes: scopes, tokenEndpoint: metadata.tokenEndpoint,
            revocationEndpoint: metadata.revocationEndpoint, issuer: metadata.issuer, resource: discovery.resource)
    }

    /// A refusal for this server: `ClientError` `.unauthorized(401)`.
    func failure(_ message: String, hint: String? = nil, underlying: (any Error)? = nil) -> ClientError {
        ClientError(
            code: .unauthorized(401), message: message, hint: hint, context: ErrorContext(server: serverName),
            underlying: underlying)
    }
}
