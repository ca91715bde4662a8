import Basics

/// The device authorization grant (RFC 8628; `authType: oauth2`, `oauth.flow: device`): a person
/// approves a code shown by the `LoginUI` on another device while the grant polls.
///
/// Without a configured client (neither `oauth.clientId` nor `oauth.clientMetadataUrl`) each new
/// login registers one (RFC 7591), recorded with the tokens so refreshes and revocations use it.
package struct DeviceCodeGrant: TokenGrant {
    /// The configured client (its id may be `oauth.clientMetadataUrl`); nil: register one.
    package var client: OAuthClient?
    /// Whether `client`'s id is the URL of a client ID metadata document (MCP 2025-11-25): the
    /// authorization server must then advertise `client_id_metadata_document_supported`.
    package var clientIsMetadataDocument: Bool

    /// A grant for `client` (nil: register one at each login).
    package init(client: OAuthClient?, clientIsMetadataDocument: Bool = false) {
        self.client = client
        self.clientIsMetadataDocument = clientIsMetadataDocument
    }

    package var needsPerson: Bool { true }

    /// The configured client, else the registration cached with `token`.
    package func client(for token: StoredToken) -> OAuthClient? { client ?? token.registeredClient }

    /// `oauth.clientId`, when configured (not a metadata document's URL, which is portable).
    package var preRegisteredClientID: String? { clientIsMetadataDocument ? nil : client?.id }

    /// Whether the authorization server can run this grant: it advertises a device endpoint and,
    /// for a metadata-document client, supports such clients (`oauth.flow: auto` asks).
    func isAvailable(at metadata: AuthorizationServerMetadata) -> Bool {
        metadata.deviceAuthorizationEndpoint != nil
            && (!clientIsMetadataDocument || metadata.clientIDMetadataDocumentSupported)
    }

    /// Registers a client if needed, shows the code, polls until it is approved.
    /// - Throws: `ClientError` `.unauthorized` when the server cannot run the grant, refuses or
    ///   the code expires; `.unreachable`; `CancellationError`.
    package func obtain(_ request: GrantRequest) async throws -> StoredToken {
        let metadata = request.discovery.metadata
        let serverName = request.serverName
        if clientIsMetadataDocument, !metadata.clientIDMetadataDocumentSupported {
            throw request.failure(
                "`oauth.flow: device` with `oauth.clientMetadataUrl`, but the authorization server does not advertise client_id_metadata_document_supported",
                hint:
                    "set `oauth.clientId` to a client registered with the server, or use `oauth.flow: browser`, which falls back to dynamic registration"
            )
        }
        guard let endpoint = metadata.deviceAuthorizationEndpoint else {
            throw request.failure(
                "`oauth.flow: device`, but the authorization server advertises no device_authorization_endpoint",
                hint: "use `oauth.flow: browser` (or `auto`) for the browser login")
        }
        let oauthClient: OAuthClient
        if let client {
            oauthClient = client
        } else {
            // A new login registers anew, as the browser login does.
            guard let registration = metadata.registrationEndpoint else {
                throw request.failure(
                    "the server does not offer dynamic client registration and no `oauth.clientId` is set",
                    hint: "register a client for the device grant with the server and set `oauth.clientId`")
            }
            oauthClient = try await ClientRegistration.register(
                at: registration, for: .device, scopes: request.scopes,
                advertisedMethods: request.discovery.metadata.tokenEndpointAuthMethods, http: request.http)
            request.logger.trace("[\(serverName)] oauth: registered a client dynamically (RFC 7591)")
        }
        var clientForm: [(String, OAuthHTTP.FormValue)] = []
        let clientHeaders = oauthClient.authenticate(&clientForm)
        let flow = DeviceAuthorization(
            serverName: serverName, http: request.http, logger: request.logger, ui: request.ui,
            policy: DiscoveredURLPolicy(serverURL: request.serverURL))
        // The person's approval does not count against the request that needed it.
        let json = try await RequestDeadline.excluding {
            try await flow.run(
                endpoint: endpoint, tokenEndpoint: metadata.tokenEndpoint, scopes: request.scopes,
                resource: request.discovery.resource, clientForm: clientForm, clientHeaders: clientHeaders)
        }
        var template = request.template(grant: "device_code")
        if oauthClient.isDynamic { template.record(registration: oauthClient) }
        let token = try StoredToken(
            tokenResponse: json, requestedScopes: request.scopes, template: template, serverName: serverName)
        request.logger.trace("[\(serverName)] oauth: obtained an access token (device_code)")
        return token
    }
}
