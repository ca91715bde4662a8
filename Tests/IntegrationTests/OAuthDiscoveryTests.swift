import Basics
import HTTP
import TestSupport
import Testing

@testable import MCPClient

/// OAuth discovery against `fixtures/servers/oauth.py` (MCP 2025-11-25, Authorization; RFC 9728,
/// RFC 8414), and the pure parts it rests on: challenges and the discovered-URL policy.
@Suite("OAuth discovery against oauth.py", .timeLimit(.minutes(3)))
struct OAuthDiscoveryTests {
    private func discover(
        _ server: FixtureServer, challenge: AuthChallenge? = nil, metadataURL: String? = nil
    ) async throws -> OAuthDiscoveryResult {
        try await OAuthDiscovery(serverURL: server.url(), serverName: "secured", logger: .silent)
            .discover(challenge: challenge, metadataURL: metadataURL, configuredResource: nil)
    }

    /// The Bearer challenge of an unauthenticated POST to the server.
    private func challenge(_ server: FixtureServer) async throws -> AuthChallenge? {
        let response = try await HTTPClient.shared.send(
            HTTPRequest(
                method: "POST", url: server.url(),
                headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "application/json")],
                body: Array("{}".utf8), timeout: .seconds(10)))
        _ = try await response.body.collect(limit: 1 << 16)
        #expect(response.status == 401)
        return AuthChallenge.parse(response.headers.values(for: "WWW-Authenticate")).first(where: \.isBearer)
    }

    @Test("path-aware protected-resource metadata, found from the challenge and without it")
    func pathAware() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            let bearer = try #require(try await challenge(server))
            #expect(
                bearer.parameters["resource_metadata"] == server.baseURL + "/.well-known/oauth-protected-resource/mcp")
            for pointed in [bearer, nil] {
                let found = try await discover(server, challenge: pointed)
                #expect(found.resource == server.url())
                #expect(found.metadata.tokenEndpoint == server.baseURL + "/token")
                #expect(found.metadata.revocationEndpoint == server.baseURL + "/revoke")
                #expect(found.resourceScopes == ["mcp.read", "mcp.write"])
            }
        }
    }

    @Test("root protected-resource metadata and OpenID-only authorization-server metadata")
    func rootAndOpenID() async throws {
        try await withServer("oauth.py", arguments: ["--prm", "root", "--as-metadata", "openid"]) { server in
            let found = try await discover(server)
            #expect(found.metadata.tokenEndpoint == server.baseURL + "/token")
            #expect(found.resource == server.url())
        }
    }

    @Test("oauth.metadataUrl skips discovery; no protected-resource metadata falls back to the origin")
    func metadataURLAndFallback() async throws {
        try await withServer("oauth.py", arguments: ["--prm", "none"]) { server in
            let direct = try await discover(
                server, metadataURL: server.baseURL + "/.well-known/oauth-authorization-server")
            #expect(direct.metadata.tokenEndpoint == server.baseURL + "/token")
            #expect(direct.resource == server.url())
            let fallback = try await discover(server)
            #expect(fallback.metadata.tokenEndpoint == server.baseURL + "/token")
            #expect(fallback.resourceScopes == nil)
        }
    }

    @Test("metadata whose resource is another server's is refused")
    func resourceMismatch() async throws {
        try await withServer("oauth.py", arguments: ["--resource-override", "http://127.0.0.1:9/other"]) { server in
            let error = try await #require(throws: ClientError.self) { try await discover(server) }
            #expect(error.code == .unauthorized(401))
            #expect(error.message.contains("resource 'http://127.0.0.1:9/other'"), "\(error.message)")
        }
    }

    @Test("metadata whose issuer is not the authorization server it was fetched for is refused")
    func issuerMismatch() async throws {
        try await withServer("oauth.py", arguments: ["--issuer-override", "https://evil.example/"]) { server in
            let error = try await #require(throws: ClientError.self) { try await discover(server) }
            #expect(error.message.contains("claims issuer 'https://evil.example/'"), "\(error.message)")
        }
    }

    @Test(
        "a discovered authorization server on plain http or a link-local address is refused",
        arguments: ["http://auth.example.com/", "https://169.254.169.254/", "https://10.0.0.8/"])
    func untrustedAuthorizationServer(url: String) async throws {
        try await withServer("oauth.py", arguments: ["--as-url", url]) { server in
            let error = try await #require(throws: ClientError.self) { try await discover(server) }
            #expect(error.message.contains("refusing the authorization server '\(url)'"), "\(error.message)")
        }
    }
}

@Suite("OAuth challenges and URL policy", .timeLimit(.minutes(2)))
struct OAuthParsingTests {
    @Test(
        "WWW-Authenticate: several challenges, quoted strings, token68",
        arguments: [
            (
                #"Bearer resource_metadata="https://a.example/.well-known/oauth-protected-resource/mcp", scope="x y""#,
                [
                    AuthChallenge(
                        scheme: "Bearer",
                        parameters: [
                            "resource_metadata": "https://a.example/.well-known/oauth-protected-resource/mcp",
                            "scope": "x y",
                        ])
                ]
            ),
            (
                #"Basic realm="a, b", Bearer error="insufficient_scope", error_description="need \"x\"""#,
                [
                    AuthChallenge(scheme: "Basic", parameters: ["realm": "a, b"]),
                    AuthChallenge(
                        scheme: "Bearer",
                        parameters: ["error": "insufficient_scope", "error_description": #"need "x""#]),
                ]
            ),
            (
                "Negotiate abc+/==, Bearer Realm=plain ,  Scope=read",
                [
                    AuthChallenge(scheme: "Negotiate", token68: "abc+/=="),
                    AuthChallenge(scheme: "Bearer", parameters: ["realm": "plain", "scope": "read"]),
                ]
            ),
            ("Bearer", [AuthChallenge(scheme: "Bearer")]),
        ])
    func challenges(header: String, expected: [AuthChallenge]) {
        #expect(AuthChallenge.parse([header]) == expected)
    }

    @Test(
        "discovered URLs: https, http on loopback, and local addresses only for local servers",
        arguments: [
            ("https://mcp.example.com/mcp", "https://auth.example.com/token", true),
            ("https://mcp.example.com/mcp", "http://auth.example.com/token", false),
            ("https://mcp.example.com/mcp", "https://169.254.169.254/latest", false),
            ("https://mcp.example.com/mcp", "https://192.168.1.4/token", false),
            ("https://mcp.example.com/mcp", "http://127.0.0.1:8080/token", false),
            ("https://mcp.example.com/mcp", "javascript:alert(1)", false),
            ("https://10.1.1.1/mcp", "https://10.1.1.2/token", true),
            ("http://127.0.0.1:9/mcp", "http://localhost:9/token", true),
            ("http://127.0.0.1:9/mcp", "https://[fe80::1]/token", false),
        ])
    func policy(server: String, discovered: String, allowed: Bool) {
        #expect((DiscoveredURLPolicy(serverURL: server).refusal(of: discovered) == nil) == allowed)
    }

    @Test("authorization-server metadata URLs in the spec's order")
    func metadataOrder() {
        #expect(
            OAuthDiscovery.metadataURLs(issuer: "https://auth.example.com/tenant1") == [
                "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
                "https://auth.example.com/.well-known/openid-configuration/tenant1",
                "https://auth.example.com/tenant1/.well-known/openid-configuration",
            ])
        #expect(
            OAuthDiscovery.metadataURLs(issuer: "https://auth.example.com/") == [
                "https://auth.example.com/.well-known/oauth-authorization-server",
                "https://auth.example.com/.well-known/openid-configuration",
            ])
    }
}
