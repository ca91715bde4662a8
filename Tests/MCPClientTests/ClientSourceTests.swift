import Testing

@testable import MCPClient

/// `ClientSource.choose`: MCP 2025-11-25, Client Registration's priority order.
@Suite("Which client an authorization-code login uses")
struct ClientSourceTests {
    static let document = "https://client.example/mcp-run.json"

    static func metadata(supportsDocuments: Bool, registration: String?) -> AuthorizationServerMetadata {
        var metadata = AuthorizationServerMetadata(
            issuer: "https://as.example", tokenEndpoint: "https://as.example/token",
            authorizationEndpoint: "https://as.example/authorize", revocationEndpoint: nil,
            registrationEndpoint: registration, scopesSupported: nil, codeChallengeMethods: ["S256"])
        metadata.clientIDMetadataDocumentSupported = supportsDocuments
        return metadata
    }

    @Test(
        "configured client, then the document where supported, then a new registration",
        arguments: [
            // (clientId set, clientMetadataUrl set, AS supports documents, registration_endpoint)
            (true, true, true, true, ClientSource.configured),
            (true, false, false, false, .configured),
            (false, true, true, true, .metadataDocument(document)),
            (false, true, true, false, .metadataDocument(document)),
            (false, true, false, true, .register("https://as.example/register")),
            (false, false, true, true, .register("https://as.example/register")),
            (false, true, false, false, .unavailable),
            (false, false, true, false, .unavailable),
        ])
    func priority(configured: Bool, hasDocument: Bool, supported: Bool, registration: Bool, expected: ClientSource) {
        let choice = ClientSource.choose(
            hasConfiguredClient: configured, metadataDocumentURL: hasDocument ? Self.document : nil,
            metadata: Self.metadata(
                supportsDocuments: supported, registration: registration ? "https://as.example/register" : nil))
        #expect(choice == expected)
    }
}
