import Basics
import Foundation
import HTTP

extension StoredToken {
    /// A token response (RFC 6749 §5.1) on top of `template`'s identity and endpoints: the access
    /// and refresh tokens as `Secret`s, the expiry from `expires_in`, and the granted scopes
    /// (`scope`, else `requestedScopes`).
    /// - Throws: `ClientError` `.unauthorized(401)` naming `serverName` for an answer without an
    ///   access token, or a token type other than Bearer.
    init(
        tokenResponse json: JSONValue?, requestedScopes: [String], template: StoredToken, serverName: String
    ) throws(ClientError) {
        func failure(_ message: String) -> ClientError {
            ClientError(code: .unauthorized(401), message: message, context: ErrorContext(server: serverName))
        }
        guard let json, let access = json["access_token"]?.stringValue, !access.isEmpty else {
            throw failure("the token endpoint's answer has no access_token")
        }
        let type = json["token_type"]?.stringValue ?? "Bearer"
        guard type.lowercased() == "bearer" else {
            throw failure("the token endpoint issued a '\(type)' token; mcp-run uses Bearer tokens only")
        }
        let now = Date().timeIntervalSince1970
        self = template
        accessToken = Secret.credential(access)
        refreshToken = json["refresh_token"]?.stringValue.map { Secret.credential($0) }
        issuedAt = now
        expiresAt = (json["expires_in"]?.doubleValue ?? json["expires_in"]?.stringValue.flatMap(Double.init))
            .map { now + $0 }
        grantedScopes =
            json["scope"]?.stringValue.map { $0.split(separator: " ").map(String.init) } ?? requestedScopes
    }

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
                        "the revocation endpoint answered HTTP \(reply.status)\(OAuthHTTP.errorSummary(reply.json))",
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
