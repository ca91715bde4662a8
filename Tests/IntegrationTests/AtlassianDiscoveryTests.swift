import Basics
import Foundation
import TestSupport
import Testing

@testable import MCPClient

/// OAuth discovery against the Atlassian double (`fixtures/servers/atlassian.py`): no
/// protected-resource metadata, and root authorization-server metadata whose `issuer` is on
/// another origin (CONTRACT §7: accepted in the 2025-03-26 fallback and with `oauth.metadataUrl`).
@Suite("OAuth discovery against the Atlassian double", .timeLimit(.minutes(3)))
struct AtlassianDiscoveryTests {
    /// The double's other origin, from its `/_double/stats`.
    private func issuer(_ server: FixtureServer) throws -> String {
        let url = try #require(URL(string: server.baseURL + "/_double/stats"))
        return try #require(try JSONValue.parse(Array(try Data(contentsOf: url)))["auth_base"]?.stringValue)
    }

    private func discover(
        _ server: FixtureServer, metadataURL: String?, lines: Locked<[String]>
    ) async throws
        -> OAuthDiscoveryResult
    {
        let logger = Logger(level: .verbose) { line in lines.withLock { $0.append(line) } }
        return try await OAuthDiscovery(serverURL: server.url(path: "/v1/mcp"), serverName: "atlassian", logger: logger)
            .discover(challenge: nil, metadataURL: metadataURL, configuredResource: nil)
    }

    @Test(
        "an issuer on another origin is accepted in the fallback and from oauth.metadataUrl, and shown under -v",
        arguments: ["issuer", "mcp"])
    func foreignIssuer(endpoints: String) async throws {
        try await withServer("atlassian.py", arguments: ["--endpoints", endpoints]) { server in
            let issuer = try issuer(server)
            let tokenOrigin = endpoints == "issuer" ? issuer : server.baseURL
            for metadataURL in [nil, server.baseURL + "/.well-known/oauth-authorization-server"] {
                let lines = Locked<[String]>([])
                let found = try await discover(server, metadataURL: metadataURL, lines: lines)
                #expect(found.metadata.issuer == issuer)
                #expect(!found.metadata.isIssuerAssumed, "a document named it: an iss is checked against it")
                #expect(found.metadata.authorizationEndpoint == server.baseURL + "/v1/authorize")
                #expect(found.metadata.tokenEndpoint == tokenOrigin + "/v1/token")
                #expect(found.metadata.registrationEndpoint == tokenOrigin + "/v1/register")
                #expect(found.resource == server.url(path: "/v1/mcp"))
                let shown = lines.withLock { $0 }
                #expect(shown.contains { $0.contains("authorization server '\(issuer)'") }, "\(shown)")
            }
        }
    }
}
