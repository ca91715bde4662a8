import Basics
import Foundation
import TestSupport
import Testing

/// Whose cached list is whose (contract §8, Lists; MCP 2026-07-28, Caching: a private list is
/// one authorization context's): the list cache's identity for an OAuth login and for a stdio
/// server, through the binary. `ListCacheTests` covers header credentials.
@Suite("list cache identity end to end", .timeLimit(.minutes(4)))
struct ListCacheIdentityTests {
    /// The clients whose tokens carried each `tools/list` the OAuth fixture answered, in order.
    static func listings(_ server: FixtureServer) throws -> [String?] {
        let requests = try BrowserLoginTests.stats(server)["mcp_requests"]?.arrayValue ?? []
        return requests.filter { $0[0] == "tools/list" }.map { $0[1]?.stringValue }
    }

    @Test("an OAuth login's lists are its own: the same login reuses them (refreshed too), a new login lists afresh")
    func oauthLogins() async throws {
        try await withServer("oauth.py", arguments: ["--list-ttl-ms", "600000"]) { server in
            let (home, environment) = try BrowserLoginTests.loginEnvironment(server)
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            try #require(login.exitCode == 0, "\(login)")
            let first = try #require(try BrowserLoginTests.cache(home)["registeredClientId"]?.stringValue)
            for _ in 0..<2 {
                let run = try await runMCPRun(["call", "secured", "whoami"], environment: environment)
                #expect(run.exitCode == 0, "\(run)")
            }
            #expect(try Self.listings(server) == [first], "the same login listed twice")
            // An hour later: the token is refreshed, and the login (and its lists) stays the same.
            try AuthorizationServerMigrationTests.expireCachedToken(home)
            let refreshed = try await runMCPRun(["call", "secured", "whoami", "-v"], environment: environment)
            #expect(refreshed.exitCode == 0, "\(refreshed)")
            #expect(try BrowserLoginTests.stats(server)["grants"]?["refresh_token"] == 1)
            #expect(try Self.listings(server) == [first], "\(refreshed)")
            #expect(refreshed.stderr.contains("tools/list: using the cached list"), "\(refreshed)")

            // Someone else logs in on this machine (a new login, a new client): never the first one's list.
            #expect(try await runMCPRun(["auth", "logout", "secured"], environment: environment).exitCode == 0)
            let again = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            try #require(again.exitCode == 0, "\(again)")
            let second = try #require(try BrowserLoginTests.cache(home)["registeredClientId"]?.stringValue)
            let run = try await runMCPRun(["call", "secured", "whoami", "-v"], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            #expect(try Self.listings(server) == [first, second], "the new login used the old one's list: \(run)")
        }
    }

    @Test("a login cached by an earlier version (no login name) keeps no private list until its next refresh names it")
    func unnamedLogin() async throws {
        try await withServer("oauth.py", arguments: ["--list-ttl-ms", "600000"]) { server in
            let (home, environment) = try BrowserLoginTests.loginEnvironment(server)
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            try #require(login.exitCode == 0, "\(login)")
            // The entry as an earlier mcp-run wrote it, and due for refresh.
            try AuthorizationServerMigrationTests.expireCachedToken(home)
            let folder = home + "/credentials"
            let name = try #require(
                try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".json") })
            var entry = try #require(
                try JSONValue.parse(String(contentsOfFile: folder + "/" + name, encoding: .utf8)).objectValue)
            #expect(entry.removeValue(forKey: "loginId") != nil, "a new login is named")
            try JSONValue.object(entry).serialized().write(
                toFile: folder + "/" + name, atomically: false, encoding: .utf8)

            for _ in 0..<3 {
                let run = try await runMCPRun(["call", "secured", "whoami"], environment: environment)
                #expect(run.exitCode == 0, "\(run)")
            }
            #expect(try BrowserLoginTests.cache(home)["loginId"]?.stringValue != nil, "the refresh named the login")
            // The first run (unnamed at its start) kept nothing private; the second listed under
            // the new name, and the third reused that.
            #expect(try Self.listings(server).count == 2)
        }
    }

    @Test("two people's logins with the same pre-registered client never share a list")
    func oauthLoginsOfOneClient() async throws {
        let arguments = ["--list-ttl-ms", "600000", "--client", "web-public::none"]
        try await withServer("oauth.py", arguments: arguments) { server in
            let home = try temporaryDirectory("list-identity")
            let environment = [
                "MCP_SERVERS": BrowserLoginTests.servers(
                    server, oauth: ["clientId": "web-public", "tokenEndpointAuthMethod": "none"]),
                "MCP_RUN_HOME": home, "BROWSER": try BrowserLoginTests.browserScript(in: home),
            ]
            for round in 1...2 {
                let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
                try #require(login.exitCode == 0, "\(login)")
                let run = try await runMCPRun(["call", "secured", "whoami"], environment: environment)
                #expect(run.exitCode == 0, "\(run)")
                #expect(try Self.listings(server).count == round, "login \(round) used another login's list")
            }
        }
    }

    @Test("client credentials: one client is one identity, so a new token keeps its lists")
    func clientCredentials() async throws {
        let secret = "cc-secret-planted-2f7d"
        let arguments = ["--list-ttl-ms", "600000", "--client", "ci:\(secret):client_secret_basic"]
        try await withServer("oauth.py", arguments: arguments) { server in
            let home = try temporaryDirectory("list-identity")
            let servers = JSONValue.object([
                "secured": [
                    "url": .string(server.url()), "transport": "streamable-http",
                    "authType": "oauth2-client-credentials",
                    "oauth": ["clientId": "ci", "clientSecret": "${{ secrets.CC_SECRET }}"],
                ]
            ]).serialized()
            let environment = ["MCP_SERVERS": servers, "MCP_RUN_HOME": home, "CC_SECRET": secret]
            for _ in 0..<2 {
                let run = try await runMCPRun(["call", "secured", "whoami"], environment: environment)
                #expect(run.exitCode == 0, "\(run)")
                // The next run obtains a new token for the same client.
                #expect(try await runMCPRun(["auth", "logout", "secured"], environment: environment).exitCode == 0)
            }
            #expect(try BrowserLoginTests.stats(server)["grants"]?["client_credentials"] == 2)
            #expect(try Self.listings(server) == ["ci"])
        }
    }

    /// `MCP_SERVERS` with a stdio `eras.py` named `local` whose lists stay fresh for 10 minutes;
    /// `environment` is its declared `env`, `script` replaces eras.py (a path relative to the
    /// working folder).
    static func stdioServers(environment: [String: String] = [:], script: String? = nil) throws -> String {
        let (python, arguments) = try fixtureServerCommand(
            "eras.py", arguments: ["--transport", "stdio", "--list-ttl-ms", "600000"])
        var block: [String: JSONValue] = [
            "transport": "stdio", "command": .string(python),
            "args": .array((script.map { [$0] } ?? arguments).map { .string($0) }),
        ]
        if !environment.isEmpty { block["env"] = .object(environment.mapValues { .string($0) }) }
        return JSONValue.object(["local": .object(block)]).serialized()
    }

    @Test("a stdio server's declared environment is part of its identity")
    func stdioEnvironment() async throws {
        try await withTemporaryDirectory("list-identity") { home in
            func tools(_ extra: String) async throws -> RunOutput {
                let servers = try Self.stdioServers(environment: ["ERAS_EXTRA_TOOL": extra])
                return try await runMCPRun(
                    ["tools", "local", "-v"], environment: ["MCP_SERVERS": servers, "MCP_RUN_HOME": home])
            }
            let a = try await tools("only_a")
            #expect(a.exitCode == 0 && a.stdout.contains("only_a"), "\(a)")
            let b = try await tools("only_b")
            #expect(b.exitCode == 0 && b.stdout.contains("only_b") && !b.stdout.contains("only_a"), "\(b)")
            #expect(!b.stderr.contains("using the cached list"), "\(b)")
            let again = try await tools("only_a")
            #expect(again.exitCode == 0 && again.stdout.contains("only_a"), "\(again)")
            #expect(
                again.stderr.contains("tools/list: using the cached list"), "the same server listed again: \(again)")
        }
    }

    @Test("a stdio server started without `cwd` runs in the current folder, which is part of its identity")
    func stdioWorkingFolder() async throws {
        try await withTemporaryDirectory("list-identity") { home in
            // The same command line, `python server.py`, starts a different server in each folder.
            var folders: [String] = []
            for name in ["one", "two"] {
                let folder = home + "/" + name
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let servers = repoPath("fixtures/servers")
                try """
                import runpy, sys
                sys.path.insert(0, \(JSONValue.string(servers).serialized()))
                sys.argv = ["eras.py", "--transport", "stdio", "--list-ttl-ms", "600000", "--extra-tool", "only_\(name)"]
                runpy.run_path(\(JSONValue.string(servers + "/eras.py").serialized()), run_name="__main__")
                """.write(toFile: folder + "/server.py", atomically: true, encoding: .utf8)
                folders.append(folder)
            }
            let environment = ["MCP_SERVERS": try Self.stdioServers(script: "server.py"), "MCP_RUN_HOME": home]
            func tools(in folder: String) async throws -> RunOutput {
                try await runMCPRun(["tools", "local", "-v"], environment: environment, workingDirectory: folder)
            }
            let one = try await tools(in: folders[0])
            #expect(one.exitCode == 0 && one.stdout.contains("only_one"), "\(one)")
            let two = try await tools(in: folders[1])
            #expect(two.exitCode == 0 && two.stdout.contains("only_two"), "another folder's list was used: \(two)")
            #expect(!two.stdout.contains("only_one"), "\(two)")
            let again = try await tools(in: folders[0])
            #expect(again.exitCode == 0 && again.stdout.contains("only_one"), "\(again)")
            #expect(again.stderr.contains("tools/list: using the cached list"), "\(again)")
        }
    }
}
