import Basics
import Foundation
import TestSupport
import Testing

/// One way a server publishes its OAuth metadata: the fixture's switches, `oauth.metadataUrl`
/// (a path on the fixture), and the `/.well-known/` paths the client must request, in order.
struct DiscoveryCase: CustomStringConvertible, Sendable {
    var name: String
    var serverArguments: [String]
    var metadataPath: String?
    var expectedRequests: [String]

    var description: String { name }

    static let resourcePath = "/.well-known/oauth-protected-resource/mcp"
    static let resourceRoot = "/.well-known/oauth-protected-resource"
    static let oauthMetadata = "/.well-known/oauth-authorization-server"
    static let openIDMetadata = "/.well-known/openid-configuration"

    static let all: [DiscoveryCase] = [
        DiscoveryCase(
            name: "protected-resource metadata at the path, named by the 401's resource_metadata",
            serverArguments: [], expectedRequests: [resourcePath, oauthMetadata]),
        DiscoveryCase(
            name: "protected-resource metadata at the path, found without a pointer in the challenge",
            serverArguments: ["--challenge-metadata", "off"], expectedRequests: [resourcePath, oauthMetadata]),
        DiscoveryCase(
            name: "protected-resource metadata at the root, after the path-aware URL",
            serverArguments: ["--prm", "root", "--challenge-metadata", "off"],
            expectedRequests: [resourcePath, resourceRoot, oauthMetadata]),
        DiscoveryCase(
            name: "OpenID Connect discovery only, after RFC 8414",
            serverArguments: ["--as-metadata", "openid"],
            expectedRequests: [resourcePath, oauthMetadata, openIDMetadata]),
        DiscoveryCase(
            name: "oauth.metadataUrl: fetched alone, nothing else discovered",
            serverArguments: ["--prm", "none", "--as-metadata", "openid"], metadataPath: openIDMetadata,
            expectedRequests: [openIDMetadata]),
        DiscoveryCase(
            name: "no protected-resource metadata (MCP 2025-03-26): the origin's metadata",
            serverArguments: ["--prm", "none"], expectedRequests: [resourcePath, resourceRoot, oauthMetadata]),
    ]
}

/// OAuth discovery variants through the binary (contract §7, Discovery; issue #4): each run gets
/// its token with client credentials, and the fixture's `/stats` shows which metadata URLs were
/// requested, in which order, and that none of them was sent a credential.
@Suite("OAuth discovery through mcp-run", .timeLimit(.minutes(3)))
struct DiscoveryTests {
    /// Runs `oauth.yaml` against the fixture with client credentials (`ci-basic`).
    static func run(_ server: FixtureServer, metadataPath: String? = nil) async throws -> RunOutput {
        var oauth: [String: JSONValue] = [
            "clientId": "ci-basic", "clientSecret": "${{ secrets.CLIENT_SECRET }}",
        ]
        if let metadataPath { oauth["metadataUrl"] = .string(server.baseURL + metadataPath) }
        let servers = JSONValue.object([
            "secured": [
                "url": .string(server.url()), "transport": "streamable-http",
                "authType": "oauth2-client-credentials", "oauth": .object(oauth),
            ]
        ]).serialized()
        return try await runMCPRun(
            ["run", fixture("workflows/oauth.yaml"), "-o", "-"],
            environment: [
                "MCP_SERVERS": servers, "CLIENT_SECRET": AuthFlowTests.basicSecret,
                "MCP_RUN_HOME": try temporaryDirectory("discovery-home"),
            ])
    }

    @Test("each way of publishing OAuth metadata is found, in the spec's order", arguments: DiscoveryCase.all)
    func variant(discovery: DiscoveryCase) async throws {
        try await withServer("oauth.py", arguments: AuthFlowTests.clients + discovery.serverArguments) { server in
            let run = try await Self.run(server, metadataPath: discovery.metadataPath)
            #expect(run.exitCode == 0, "\(run)")
            #expect(try run.json().step("who")?["result"]?["structuredContent"]?["client_id"] == "ci-basic", "\(run)")
            let stats = try AuthFlowTests.stats(server)
            let requested = stats["well_known"]?.arrayValue?.compactMap(\.stringValue)
            #expect(requested == discovery.expectedRequests, "\(stats.serialized())")
            #expect(stats["well_known_with_credentials"] == 0, "a credential went to a metadata URL")
            #expect(stats["grants"]?["client_credentials"] == 1, "\(stats.serialized())")
        }
    }

    @Test("protected-resource metadata naming another server's resource is refused: exit 3, no token requested")
    func resourceMismatch() async throws {
        let other = "http://127.0.0.1:9/other"
        try await withServer("oauth.py", arguments: AuthFlowTests.clients + ["--resource-override", other]) { server in
            let run = try await Self.run(server)
            #expect(run.exitCode == 3, "\(run)")
            #expect(run.stderr.contains("names resource '\(other)', not this server's"), "\(run)")
            #expect(run.stderr.contains("secured"), "the error names the server: \(run)")
            #expect(try AuthFlowTests.stats(server)["token_requests"] == 0)
        }
    }
}
