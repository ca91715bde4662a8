import Basics
import HTTP

/// Dynamic client registration (RFC 7591 §3) for the authorization-code and device flows.
enum ClientRegistration {
    /// The grant a client is registered for.
    enum Purpose {
        /// Authorization code with PKCE, redirected to this loopback URI.
        case authorizationCode(redirectURI: String)
        /// The device authorization grant (RFC 8628): no redirect URI.
        case device
    }

    /// The `token_endpoint_auth_method` to register with (contract §7): `none` (a public client)
    /// when the server offers it or does not say, else the secret-based method it offers
    /// (`client_secret_basic` first), so that a server advertising only those gets a client it
    /// accepts at its token and revocation endpoints.
    static func method(advertised: [String]?) -> TokenEndpointAuthMethod {
        guard let advertised, !advertised.isEmpty, !advertised.contains("none") else { return .none }
        if advertised.contains(TokenEndpointAuthMethod.clientSecretBasic.rawValue) { return .clientSecretBasic }
        if advertised.contains(TokenEndpointAuthMethod.clientSecretPost.rawValue) { return .clientSecretPost }
        return .none
    }

    /// Registers a native client (`application_type: native`, RFC 7591 and OpenID Connect
    /// Registration) for `purpose` at `endpoint`, with `refresh_token` too, and the auth method
    /// `method(advertised:)` picks from the server's `token_endpoint_auth_methods_supported`.
    ///
    /// - Throws: `ClientError` `.unauthorized` when the server refuses, `.unreachable`.
    static func register(
        at endpoint: String, for purpose: Purpose, scopes: [String], advertisedMethods: [String]?, http: OAuthHTTP
    ) async throws(ClientError) -> OAuthClient {
        let requested = method(advertised: advertisedMethods)
        var body: [String: JSONValue] = [
            "client_name": "mcp-run", "application_type": "native",
            "token_endpoint_auth_method": .string(requested.rawValue),
        ]
        switch purpose {
        case .authorizationCode(let redirectURI):
            body["redirect_uris"] = [.string(redirectURI)]
            body["grant_types"] = ["authorization_code", "refresh_token"]
            body["response_types"] = ["code"]
        case .device:
            body["grant_types"] = [.string(DeviceAuthorization.grantType), "refresh_token"]
            body["response_types"] = []
        }
        if !scopes.isEmpty { body["scope"] = .string(scopes.joined(separator: " ")) }
        let reply = try await http.postJSON(endpoint, body: .object(body))
        guard (200..<300).contains(reply.status), let id = reply.json?["client_id"]?.stringValue, !id.isEmpty else {
            throw ClientError(
                code: .unauthorized(reply.status),
                message:
                    "dynamic client registration at '\(endpoint)' failed with HTTP \(reply.status)\(OAuthHTTP.errorSummary(reply.json))",
                hint: "register a client with the server and set `oauth.clientId`",
                context: ErrorContext(server: http.serverName))
        }
        let method =
            reply.json?["token_endpoint_auth_method"]?.stringValue.flatMap(TokenEndpointAuthMethod.init(rawValue:))
            ?? requested
        let secret = reply.json?["client_secret"]?.stringValue.map { Secret.credential($0) }
        return OAuthClient(id: id, secret: secret, method: secret == nil ? .none : method, isDynamic: true)
    }
}

extension OAuthHTTP {
    /// POSTs a JSON body (RFC 7591 registration requests carry no secret).
    func postJSON(_ url: String, body: JSONValue) async throws(ClientError) -> Reply {
        var request = HTTPRequest(
            method: "POST", url: url, headers: [], body: body.serializedBytes(pretty: false), timeout: timeout,
            connectTimeout: timeout)
        request.headers.append(HTTPHeader("Content-Type", "application/json"))
        request.headers.append(HTTPHeader("Accept", "application/json"))
        return try await exchange(request)
    }
}
