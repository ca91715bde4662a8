import Basics
import Foundation
import TestSupport
import Testing

/// Authorization-server binding and migration through the binary (MCP 2026-07-28, Client
/// Registration, Authorization Server Binding; issue #11): `fixtures/servers/oauth.py
/// --second-issuer` serves two authorization servers, and its protected-resource metadata is
/// switched from the first (`a`, the fixture's root) to the second (`b`, `/as-b`) mid-test.
@Suite("authorization-server migration: through the binary", .timeLimit(.minutes(4)))
struct AuthorizationServerMigrationTests {
    /// The fixture's `issuer_log` entries (register, authorize, token requests, in order).
    static func issuerLog(_ server: FixtureServer) throws -> [JSONValue] {
        try BrowserLoginTests.stats(server)["issuer_log"]?.arrayValue ?? []
    }

    /// Names the authorization servers the protected resource lists (and trusts): `list=b`.
    static func switchTo(_ server: FixtureServer, _ query: String) async throws {
        #expect(try await BrowserLoginTests.post(server, "/switch-authorization-servers?\(query)") == 200)
    }

    /// Rewrites the cached token's expiry into the past, so the next run renews it before use
    /// (what an hour's wait would do).
    static func expireCachedToken(_ home: String) throws {
        let folder = home + "/credentials"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
        try #require(names.count == 1, "one cache file: \(names)")
        let path = folder + "/" + names[0]
        var object = try #require(try JSONValue.parse(String(contentsOfFile: path, encoding: .utf8)).objectValue)
        object["expiresAt"] = .double(Date().timeIntervalSince1970 - 60)
        object["issuedAt"] = .double(Date().timeIntervalSince1970 - 3660)
        try JSONValue.object(object).serialized().write(toFile: path, atomically: false, encoding: .utf8)
    }

    static func entries(_ log: [JSONValue], issuer: String, endpoint: String? = nil) -> [JSONValue] {
        log.filter {
            $0["issuer"]?.stringValue == issuer && (endpoint == nil || $0["endpoint"]?.stringValue == endpoint)
        }
    }

    @Test("a dynamic client moves: a new registration and login at the new issuer, nothing of the old one sent there")
    func dynamicClientMoves() async throws {
        try await withServer("oauth.py", arguments: ["--second-issuer"]) { server in
            let home = try temporaryDirectory("migration-home")
            let environment = try BrowserLoginTests.childEnvironment(server, home: home)
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            try #require(login.exitCode == 0, "\(login)")
            let before = try BrowserLoginTests.cache(home)
            let oldClient = try #require(before["registeredClientId"]?.stringValue)
            let oldRefresh = try #require(before["refreshToken"]?.stringValue)
            #expect(before["issuer"]?.stringValue == server.baseURL + "/", "\(before.serialized())")
            let loggedAtA = try Self.issuerLog(server).count

            try await Self.switchTo(server, "list=b")
            // On a terminal (a person may log in): the cached token of `a` meets a 401, and the
            // run logs in at `b` with a client registered there.
            let (status, output) = try await BrowserLoginTests.onTerminal(
                ["call", "secured", "whoami", "-v"], environment: environment)
            #expect(status == 0, "\(output)")
            #expect(output.contains(#""authenticated":true"#), "\(output)")
            #expect(output.contains("names the authorization server '\(server.baseURL)/as-b'"), "\(output)")
            let after = try BrowserLoginTests.cache(home)
            let newClient = try #require(after["registeredClientId"]?.stringValue)
            #expect(newClient != oldClient)
            #expect(after["issuer"]?.stringValue == server.baseURL + "/as-b", "\(after.serialized())")
            #expect(output.contains(#""client_id":"\#(newClient)""#), "\(output)")

            let log = try Self.issuerLog(server)
            let moved = Array(log.dropFirst(loggedAtA))
            #expect(Self.entries(moved, issuer: "a").isEmpty, "nothing asked of the old issuer: \(moved)")
            #expect(Self.entries(moved, issuer: "b", endpoint: "register").count == 1, "\(moved)")
            #expect(Self.entries(moved, issuer: "b", endpoint: "authorize").count == 1, "\(moved)")
            for entry in Self.entries(moved, issuer: "b") {
                #expect(entry["client_id"]?.stringValue != oldClient, "the old client went to b: \(entry)")
                #expect(entry["refresh_token"]?.stringValue != oldRefresh, "the old refresh token went to b")
            }
            #expect(try BrowserLoginTests.stats(server)["refresh_elsewhere"] == nil)

            // The next run (non-interactive) uses the login at `b` as it is: no login, no registration.
            let again = try await runMCPRun(["call", "secured", "whoami"], environment: environment)
            #expect(again.exitCode == 0, "\(again)")
            #expect(try Self.issuerLog(server).count == log.count)
        }
    }

    @Test("a due refresh is not tried at the old issuer once the resource names another; non-interactive: exit 3")
    func noRefreshAtOldIssuer() async throws {
        try await withServer("oauth.py", arguments: ["--second-issuer"]) { server in
            let home = try temporaryDirectory("migration-home")
            let environment = try BrowserLoginTests.childEnvironment(server, home: home)
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            try #require(login.exitCode == 0, "\(login)")
            let loggedAtA = try Self.issuerLog(server).count
            try Self.expireCachedToken(home)
            try await Self.switchTo(server, "list=b")

            let run = try await runMCPRun(
                ["call", "secured", "whoami"], environment: environment, deadline: .seconds(30))
            #expect(run.exitCode == 3 && !run.timedOut, "\(run)")
            #expect(
                run.stderr.contains("now names the authorization server '\(server.baseURL)/as-b'")
                    && run.stderr.contains("non-interactive"), "\(run)")
            #expect(run.stderr.contains("run 'mcp-run auth login secured' on a machine with a browser"), "\(run)")
            let log = try Self.issuerLog(server)
            #expect(log.count == loggedAtA, "no refresh at a, nothing at b: \(log)")
            #expect(try BrowserLoginTests.stats(server)["grants"]?["refresh_token"] == 0)
        }
    }

    @Test("while the resource still lists the old issuer (after the new one), the login stays there and refreshes")
    func listedIssuerKept() async throws {
        try await withServer("oauth.py", arguments: ["--second-issuer"]) { server in
            let home = try temporaryDirectory("migration-home")
            let environment = try BrowserLoginTests.childEnvironment(server, home: home)
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            try #require(login.exitCode == 0, "\(login)")
            let loggedAtA = try Self.issuerLog(server).count
            try Self.expireCachedToken(home)
            try await Self.switchTo(server, "list=b,a")

            let run = try await runMCPRun(["call", "secured", "whoami"], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            let moved = Array(try Self.issuerLog(server).dropFirst(loggedAtA))
            #expect(Self.entries(moved, issuer: "b").isEmpty, "\(moved)")
            #expect(moved.map { $0["grant"]?.stringValue } == ["refresh_token"], "\(moved)")
            #expect(try BrowserLoginTests.cache(home)["issuer"]?.stringValue == server.baseURL + "/")
        }
    }

    @Test("a pre-registered client is not used with another issuer: exit 3 and a next step that works")
    func preRegisteredClientRefused() async throws {
        let secret = "ci-secret-planted-4b1e"
        let client = "ci-reporter:\(secret):client_secret_basic"
        try await withServer(
            "oauth.py", arguments: ["--second-issuer", "--client", client, "--client-b", client]
        ) { server in
            let home = try temporaryDirectory("migration-home")
            let servers = JSONValue.object([
                "secured": [
                    "url": .string(server.url()), "transport": "streamable-http",
                    "authType": "oauth2-client-credentials",
                    "oauth": ["clientId": "ci-reporter", "clientSecret": "${{ secrets.CI_SECRET }}"],
                ]
            ]).serialized()
            let environment = ["MCP_SERVERS": servers, "MCP_RUN_HOME": home, "CI_SECRET": secret]
            let first = try await runMCPRun(["call", "secured", "whoami"], environment: environment)
            try #require(first.exitCode == 0, "\(first)")
            let usedAtA = try Self.issuerLog(server).count
            try await Self.switchTo(server, "list=b")

            for arguments in [["call", "secured", "whoami"], ["auth", "login", "secured"]] {
                let refused = try await runMCPRun(arguments, environment: environment)
                #expect(refused.exitCode == 3, "\(refused)")
                #expect(
                    refused.stderr.contains("the pre-registered client 'ci-reporter' (`oauth.clientId`)")
                        && refused.stderr.contains("'\(server.baseURL)/as-b'"), "\(refused)")
                #expect(refused.stderr.contains("run 'mcp-run auth logout secured'"), "\(refused)")
                #expect(!refused.stderr.contains("remove `oauth.clientId`"), "client credentials cannot register")
                #expect(!refused.stderr.contains(secret), "\(refused)")
            }
            #expect(try Self.issuerLog(server).count == usedAtA, "the credentials went nowhere")

            // The hint's way out when the client is registered at the new issuer too.
            let logout = try await runMCPRun(["auth", "logout", "secured"], environment: environment)
            #expect(logout.exitCode == 0, "\(logout)")
            let next = try await runMCPRun(["call", "secured", "whoami"], environment: environment)
            #expect(next.exitCode == 0, "\(next)")
            let moved = Array(try Self.issuerLog(server).dropFirst(usedAtA))
            #expect(moved.map { $0["issuer"]?.stringValue } == ["b"], "\(moved)")
            #expect(try BrowserLoginTests.cache(home)["issuer"]?.stringValue == server.baseURL + "/as-b")
        }
    }

    @Test("a browser login's pre-registered client is not used with another issuer either: exit 3, no login started")
    func preRegisteredBrowserClientRefused() async throws {
        try await withServer("oauth.py", arguments: ["--second-issuer", "--client", "web-public::none"]) { server in
            let home = try temporaryDirectory("migration-home")
            let environment = try BrowserLoginTests.childEnvironment(
                server, home: home, oauth: ["clientId": "web-public", "tokenEndpointAuthMethod": "none"])
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            try #require(login.exitCode == 0, "\(login)")
            let loggedAtA = try Self.issuerLog(server).count
            try await Self.switchTo(server, "list=b")
            // On a terminal, where a login could start: the client is refused before any.
            let (status, output) = try await BrowserLoginTests.onTerminal(
                ["call", "secured", "whoami"], environment: environment)
            #expect(status == 3, "\(output)")
            #expect(output.contains("the pre-registered client 'web-public'"), "\(output)")
            #expect(output.contains("remove `oauth.clientId` so that mcp-run registers one"), "\(output)")
            #expect(try Self.issuerLog(server).count == loggedAtA, "nothing was sent to either issuer")
        }
    }

    @Test("a client ID metadata document client moves without registering: the same client_id at the new issuer")
    func metadataDocumentClientMoves() async throws {
        try await withServer("oauth.py", arguments: ["--second-issuer", "--cimd"]) { server in
            let home = try temporaryDirectory("migration-home")
            let document = ClientMetadataDocumentTests.documentURL(server)
            let environment = try ClientMetadataDocumentTests.environment(server, home: home)
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            try #require(login.exitCode == 0, "\(login)")
            let loggedAtA = try Self.issuerLog(server).count
            try await Self.switchTo(server, "list=b")

            let refused = try await runMCPRun(["call", "secured", "whoami"], environment: environment)
            #expect(refused.exitCode == 3, "\(refused)")
            #expect(refused.stderr.contains("now names the authorization server"), "\(refused)")
            #expect(try Self.issuerLog(server).count == loggedAtA, "nothing asked before a person logs in")

            let again = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(again.exitCode == 0, "\(again)")
            let run = try await runMCPRun(["call", "secured", "whoami"], environment: environment)
            #expect(run.exitCode == 0 && run.stdout.contains(#""client_id":"\#(document)""#), "\(run)")
            let moved = Array(try Self.issuerLog(server).dropFirst(loggedAtA))
            #expect(Self.entries(moved, issuer: "a").isEmpty, "\(moved)")
            #expect(
                Self.entries(moved, issuer: "b", endpoint: "authorize").compactMap { $0["client_id"]?.stringValue }
                    == [document], "\(moved)")
            #expect(try BrowserLoginTests.stats(server)["registrations"] == 0)
        }
    }
}
