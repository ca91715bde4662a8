import Basics

/// OAuth 2.1 client credentials (`authType: oauth2-client-credentials`; RFC 6749 §4.4, RFC 8707
/// `resource`): the client asks for a token with its own credentials. Never needs a person.
package struct ClientCredentialsGrant: TokenGrant {
    /// The configured client (`oauth.clientId`, `clientSecret`, `tokenEndpointAuthMethod`).
    package var client: OAuthClient

    /// A grant for `client`.
    package init(client: OAuthClient) { self.client = client }

    package var needsPerson: Bool { false }

    package func client(for token: StoredToken) -> OAuthClient? { client }

    /// Always the configured client: client credentials are pre-registered.
    package var preRegisteredClientID: String? { client.id }

    /// `grant_type=client_credentials` with the scopes and `resource`; a "not now" answer (5xx,
    /// 429, `temporarily_unavailable`) is retried with backoff and `Retry-After`.
    /// - Throws: `ClientError` `.unauthorized(status)` when the token endpoint refuses,
    ///   `.unreachable` when it still says "not now" after the retries.
    package func obtain(_ request: GrantRequest) async throws -> StoredToken {
        var form: [(String, OAuthHTTP.FormValue)] = [("grant_type", .plain("client_credentials"))]
        if !request.scopes.isEmpty { form.append(("scope", .plain(request.scopes.joined(separator: " ")))) }
        form.append(("resource", .plain(request.discovery.resource)))
        let headers = client.authenticate(&form)
        let (reply, retries) = try await request.http.postRetrying(
            request.discovery.metadata.tokenEndpoint, form: form, headers: headers)
        if reply.isTransient {
            throw OAuthHTTP.unavailable(
                reply, retries: retries, doing: "issue a token for the client credentials",
                hint: "the credentials were not refused; run again later", server: request.serverName)
        }
        guard reply.status == 200 else {
            throw ClientError(
                code: .unauthorized(reply.status),
                message:
                    "the token endpoint refused the client credentials with HTTP \(reply.status)\(OAuthHTTP.errorSummary(reply.json))",
                hint:
                    "check `oauth.clientId`, `oauth.clientSecret` and `oauth.tokenEndpointAuthMethod` (now '\(client.method.rawValue)')",
                context: ErrorContext(server: request.serverName))
        }
        let token = try StoredToken(
            tokenResponse: reply.json, requestedScopes: request.scopes,
            template: request.template(grant: "client_credentials"), serverName: request.serverName)
        request.logger.trace("[\(request.serverName)] oauth: obtained an access token (client_credentials)")
        return token
    }
}
