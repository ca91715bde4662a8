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
