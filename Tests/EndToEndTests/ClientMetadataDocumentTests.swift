import Basics
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `oauth.clientMetadataUrl` end to end (MCP 2025-11-25, Client Registration; contract §2): the
/// binary against `fixtures/servers/oauth.py`, which serves the client ID metadata document at
/// `/client-metadata/<name>.json` and, with `--cimd`, resolves a URL `client_id` by fetching it.
@Suite("OAuth client ID metadata documents", .timeLimit(.minutes(4)))
struct ClientMetadataDocumentTests {
    /// The document's URL on the fixture.
    static func documentURL(_ server: FixtureServer) -> String {
        server.baseURL + "/client-metadata/mcp-run.json"
    }

    /// `MCP_SERVERS` naming the fixture `secured` with `authType: oauth2` and `clientMetadataUrl`.
    static func servers(_ server: FixtureServer, extra: [String: JSONValue] = [:]) -> String {
        var oauth: [String: JSONValue] = ["clientMetadataUrl": .string(documentURL(server))]
        oauth.merge(extra) { _, new in new }
        return BrowserLoginTests.servers(server, oauth: oauth)
    }

    static func environment(
        _ server: FixtureServer, home: String, extra: [String: JSONValue] = [:]
    ) throws
        -> [String: String]
    {
        [
            "MCP_SERVERS": servers(server, extra: extra), "MCP_RUN_HOME": home,
            "BROWSER": try BrowserLoginTests.browserScript(in: home),
        ]
    }

    @Test("login uses the document URL as client_id without registering; the run uses the cached token")
    func loginWithDocument() async throws {
        try await withServer("oauth.py", arguments: ["--cimd"]) { server in
            let home = try temporaryDirectory("cimd-home")
            let environment = try Self.environment(server, home: home)
            let url = Self.documentURL(server)
            let login = try await runMCPRun(["auth", "login", "secured", "-v"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            #expect(login.stderr.contains("using the client ID metadata document URL as client_id"), "\(login)")
            let opened = try String(contentsOfFile: home + "/opened", encoding: .utf8)
            let clientID = URLComponents(string: opened)?.queryItems?.first { $0.name == "client_id" }?.value
            #expect(clientID == url, "\(opened)")
            var stats = try BrowserLoginTests.stats(server)
            #expect(stats["registrations"] == 0 && stats["grants"]?["authorization_code"] == 1, "\(stats.serialized())")
            // The login asked the server first (contract §7) and met its 401; the run must meet none.
            let unauthorizedBeforeRun = stats["unauthorized"]
            #expect(unauthorizedBeforeRun == 1, "\(stats.serialized())")
            let cimd = try #require(stats["cimd"])
            // The authorization server fetched it for /authorize and /token; mcp-run never did.
            #expect(cimd["fetches"] == 2 && cimd["served"] == 2, "\(cimd.serialized())")
            #expect(cimd["client_ids"] == .array([.string(url), .string(url)]), "\(cimd.serialized())")
            let cache = try BrowserLoginTests.cache(home)
            #expect(
                cache["clientId"]?.stringValue == url && cache["registeredClientId"] == nil, "\(cache.serialized())")

            let status = try await runMCPRun(["auth", "status", "secured"], environment: environment)
            #expect(status.exitCode == 0 && status.stdout.contains("client \(url)"), "\(status)")

            let output = home + "/results.json"
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-o", output], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            let results = try JSONValue.parse(try String(contentsOfFile: output, encoding: .utf8))
            #expect(results.step("who")?["result"]?["structuredContent"]?["client_id"]?.stringValue == url)
            stats = try BrowserLoginTests.stats(server)
            #expect(
                stats["token_requests"] == 1 && stats["unauthorized"] == unauthorizedBeforeRun, "\(stats.serialized())")
            #expect(stats["authorize"] == 1, "no second login: \(stats.serialized())")
        }
    }

    @Test("a token the server forgot is refreshed with the document URL as client_id")
    func refreshWithDocument() async throws {
        try await withServer("oauth.py", arguments: ["--cimd"]) { server in
            let home = try temporaryDirectory("cimd-home")
            let environment = try Self.environment(server, home: home)
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            let run = try await runMCPRun(["run", fixture("workflows/oauth-401.yaml")], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            let stats = try BrowserLoginTests.stats(server)
            #expect(stats["grants"]?["refresh_token"] == 1, "\(stats.serialized())")
            #expect(stats["authorize"] == 1 && stats["registrations"] == 0, "\(stats.serialized())")
            let url = JSONValue.string(Self.documentURL(server))
            #expect(stats["cimd"]?["client_ids"] == .array([url, url, url]), "authorize, code, refresh")
        }
    }

    @Test("an authorization server without client_id_metadata_document_supported gets a dynamic registration")
    func fallsBackToRegistration() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            let home = try temporaryDirectory("cimd-home")
            let environment = try Self.environment(server, home: home)
            let login = try await runMCPRun(["auth", "login", "secured", "-v"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            #expect(
                login.stderr.contains("does not advertise client_id_metadata_document_supported"),
                "the fallback is traced: \(login)")
            let stats = try BrowserLoginTests.stats(server)
            #expect(stats["registrations"] == 1 && stats["grants"]?["authorization_code"] == 1, "\(stats.serialized())")
            #expect(stats["cimd"]?["served"] == nil || stats["cimd"]?["served"] == 0, "\(stats.serialized())")
            let cache = try BrowserLoginTests.cache(home)
            #expect(cache["clientId"]?.stringValue == Self.documentURL(server))
            #expect(cache["registeredClientId"]?.stringValue?.hasPrefix("dyn-") == true, "\(cache.serialized())")

            let run = try await runMCPRun(["run", fixture("workflows/oauth.yaml")], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            #expect(try BrowserLoginTests.stats(server)["registrations"] == 1, "the registration is reused")
        }
    }

    @Test("without client_id_metadata_document_supported or registration, the error names both")
    func neitherDocumentNorRegistration() async throws {
        try await withServer("oauth.py", arguments: ["--registration", "off"]) { server in
            let home = try temporaryDirectory("cimd-home")
            let login = try await runMCPRun(
                ["auth", "login", "secured"], environment: try Self.environment(server, home: home))
            #expect(login.exitCode == 3, "\(login)")
            #expect(
                login.stderr.contains("supports neither client ID metadata documents")
                    && login.stderr.contains("dynamic client registration")
                    && login.stderr.contains("oauth.clientMetadataUrl")
                    && login.stderr.contains("oauth.clientId"), "\(login)")
            #expect(!Self.exists(home + "/opened"), "no browser was opened")
        }
    }

    @Test("a document whose redirect_uris do not match is refused by the server: exit 3 naming the document")
    func redirectMismatch() async throws {
        try await withServer(
            "oauth.py", arguments: ["--cimd", "--cimd-redirect-uri", "http://127.0.0.1/elsewhere"]
        ) { server in
            let home = try temporaryDirectory("cimd-home")
            let login = try await runMCPRun(
                ["auth", "login", "secured"], environment: try Self.environment(server, home: home))
            #expect(login.exitCode == 3, "\(login)")
            #expect(login.stderr.contains("refused the login"), "\(login)")
            #expect(
                login.stderr.contains("oauth.clientMetadataUrl") && login.stderr.contains("redirect_uris"), "\(login)")
            let stats = try BrowserLoginTests.stats(server)
            #expect(stats["cimd"]?["refusals"]?.arrayValue?.count == 1, "\(stats.serialized())")
            #expect(stats["grants"]?["authorization_code"] == 0 && stats["registrations"] == 0)
            let cached = Self.exists(home + "/credentials") ? try BrowserLoginTests.cacheCount(home) : 0
            #expect(cached == 0, "nothing was cached")
        }
    }

    @Test(
        "a clientMetadataUrl that is not https (or http on loopback) with a path is a workflow error",
        arguments: [
            ("http://example.com/client.json", "must be an https URL"), ("https://example.com", "must have a path"),
            ("https://example.com/", "must have a path"), ("https://example.com/c.json#x", "fragment"),
            ("https://user@example.com/c.json", "user name"), ("client.json", "not an absolute https URL"),
        ])
    func invalidURL(url: String, problem: String) async throws {
        let folder = try temporaryDirectory("cimd-validate")
        let path = folder + "/flow.yaml"
        let yaml = """
            name: cimd
            servers:
              secured:
                url: https://mcp.example.com/mcp
                authType: oauth2
                oauth:
                  clientMetadataUrl: "\(url)"
            steps:
              - id: who
                server: secured
                tool: whoami
            """
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let validate = try await runMCPRun(["validate", path])
        #expect(validate.exitCode == 2, "\(validate)")
        #expect(validate.stderr.contains("flow.yaml:7:"), "file:line:col of the key: \(validate)")
        #expect(
            validate.stderr.contains("server 'secured'") && validate.stderr.contains("oauth clientMetadataUrl")
                && validate.stderr.contains(problem), "\(validate)")
        let run = try await runMCPRun(["run", path])
        #expect(run.exitCode == 2 && run.stderr.contains("clientMetadataUrl"), "\(run)")
    }

    @Test("https, and http on a loopback host, are valid clientMetadataUrl values")
    func validURLs() async throws {
        let folder = try temporaryDirectory("cimd-validate")
        for url in ["https://client.example/mcp-run.json", "http://127.0.0.1:8080/c.json", "http://localhost/c.json"] {
            let path = folder + "/flow.yaml"
            let yaml = """
                name: cimd
                servers:
                  secured: { url: "https://mcp.example.com/mcp", authType: oauth2, oauth: { clientMetadataUrl: "\(url)" } }
                steps:
                  - { id: who, server: secured, tool: whoami }
                """
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            let validate = try await runMCPRun(["validate", path])
            #expect(validate.exitCode == 0, "\(url): \(validate)")
        }
    }

    @Test("the device flow sends the document URL as client_id")
    func deviceFlow() async throws {
        try await withServer("oauth.py", arguments: ["--cimd", "--device", "--device-interval", "1"]) { server in
            let home = try temporaryDirectory("cimd-home")
            let environment = try Self.environment(server, home: home, extra: ["flow": "device"])
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            let stats = try BrowserLoginTests.stats(server)
            #expect(stats["device"]?["authorizations"] == 1 && stats["registrations"] == 0, "\(stats.serialized())")
            let ids = stats["cimd"]?["client_ids"]?.arrayValue ?? []
            #expect(ids.count >= 2 && ids.allSatisfy { $0.stringValue == Self.documentURL(server) }, "\(ids)")
            #expect(try BrowserLoginTests.cache(home)["clientId"]?.stringValue == Self.documentURL(server))
        }
    }

    @Test("the device flow with a document the server does not support fails with exit 3 and says why")
    func deviceFlowUnsupported() async throws {
        try await withServer("oauth.py", arguments: ["--device", "--device-interval", "1"]) { server in
            let home = try temporaryDirectory("cimd-home")
            let login = try await runMCPRun(
                ["auth", "login", "secured"],
                environment: try Self.environment(server, home: home, extra: ["flow": "device"]))
            #expect(login.exitCode == 3, "\(login)")
            #expect(login.stderr.contains("client_id_metadata_document_supported"), "\(login)")
            #expect(try BrowserLoginTests.stats(server)["device"]?["authorizations"] == nil)
        }
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

extension BrowserLoginTests {
    /// How many cache files `home` holds.
    static func cacheCount(_ home: String) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: home + "/credentials").filter { $0.hasSuffix(".json") }
            .count
    }
}
