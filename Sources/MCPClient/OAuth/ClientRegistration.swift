import Basics
import Foundation
import HTTP

/// An OAuth client as the token endpoint sees it: pre-registered from the server block, or
/// registered dynamically (RFC 7591) and cached with the tokens.
package struct OAuthClient: Sendable {
    /// The `client_id`.
    package var id: String
    /// The `client_secret`, if the client has one.
    package var secret: Secret?
    /// How it authenticates at the token endpoint.
    package var method: TokenEndpointAuthMethod
    /// Whether it was registered dynamically (so a server that forgot it may get a new one).
    package var isDynamic: Bool

    /// Creates a client.
    package init(id: String, secret: Secret?, method: TokenEndpointAuthMethod, isDynamic: Bool) {
        self.id = id
        self.secret = secret
        self.method = method
        self.isDynamic = isDynamic
    }

    /// Adds the client's credentials to `form` per `method` (RFC 6749 §2.3.1); returns the headers
    /// to send (HTTP Basic for `client_secret_basic`).
    func authenticate(_ form: inout [(String, OAuthHTTP.FormValue)]) -> [HTTPHeader] {
        switch (method, secret) {
        case (.clientSecretBasic, let secret?):
            let pair = secret.withRevealedValue { OAuthHTTP.formEncode(id) + ":" + OAuthHTTP.formEncode($0) }
            let value = Secret.credential("Basic " + Data(pair.utf8).base64EncodedString())
            return [HTTPHeader(name: "Authorization", value: .secret(value))]
        case (.clientSecretPost, let secret?):
            form.append(("client_id", .plain(id)))
            form.append(("client_secret", .secret(secret)))
            return []
        default:
            form.append(("client_id", .plain(id)))
            return []
        }
    }
}

/// Where an authorization-code login gets its client: MCP 2025-11-25, Client Registration, in
/// the spec's priority order.
package enum ClientSource: Sendable, Equatable {
    /// `oauth.clientId`: a pre-registered client.
    case configured
    /// `oauth.clientMetadataUrl`, which the authorization server accepts: the URL is the
    /// `client_id` of a public client (draft-ietf-oauth-client-id-metadata-document).
    case metadataDocument(String)
    /// A new dynamic registration (RFC 7591) at this `registration_endpoint`.
    case register(String)
    /// No way to get a client: the user must configure one.
    case unavailable

    /// The client to use: the configured one; else the client ID metadata document when the
    /// authorization server advertises `client_id_metadata_document_supported`; else a new
    /// dynamic registration; else none. A registration cached with earlier tokens is used to
    /// refresh and revoke them, never for a new login: a server that forgot it would show the
    /// person an error page instead of redirecting.
    ///
    /// - Parameters:
    ///   - hasConfiguredClient: whether `oauth.clientId` is set.
    ///   - metadataDocumentURL: `oauth.clientMetadataUrl`.
    ///   - metadata: the authorization server's metadata (its `registration_endpoint` already
    ///     checked by `DiscoveredURLPolicy`).
    package static func choose(
        hasConfiguredClient: Bool, metadataDocumentURL: String?, metadata: AuthorizationServerMetadata
    ) -> ClientSource {
        if hasConfiguredClient { return .configured }
        if let metadataDocumentURL, metadata.clientIDMetadataDocumentSupported {
            return .metadataDocument(metadataDocumentURL)
        }
        if let endpoint = metadata.registrationEndpoint { return .register(endpoint) }
        return .unavailable
    }
}

/// Dynamic client registration (RFC 7591 §3) for the authorization-code and device flows.
enum ClientRegistration {
    /// The grant a client is registered for.
    enum Purpose {
        /// Authorization code with PKCE, redirected to this loopback URI.
        case authorizationCode(redirectURI: String)
        /// The device authorization grant (RFC 8628): no redirect URI.
        case device
    }

    /// Registers a public client (`token_endpoint_auth_method: none`) for `purpose` at `endpoint`,
    /// with `refresh_token` too.
    ///
    /// - Throws: `ClientError` `.unauthorized` when the server refuses, `.unreachable`.
    static func register(
        at endpoint: String, for purpose: Purpose, scopes: [String], http: OAuthHTTP
    ) async throws(ClientError) -> OAuthClient {
        var body: [String: JSONValue] = ["client_name": "mcp-run", "token_endpoint_auth_method": "none"]
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
            ?? .none
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
