import Basics
import Foundation
import TestSupport
import Testing

/// `mcp-run auth login` finds the authorization server and the scopes the way a run does
/// (contract §7: every login starts by asking the server; issue #10): through the binary against
/// `fixtures/servers/oauth.py`, with the stand-in browser of `BrowserLoginTests`.
@Suite("auth login asks the server first", .timeLimit(.minutes(3)))
struct LoginDiscoveryTests {
    @Test("auth login uses the scope of the server's 401 challenge, and a run then needs no login")
    func challengeScope() async throws {
        // The resource advertises mcp.read and mcp.write; its 401 asks for mcp.write alone.
        try await withServer("oauth.py", arguments: ["--challenge-scope", "mcp.write"]) { server in
            let home = try temporaryDirectory("login-probe-home")
            let environment = try BrowserLoginTests.childEnvironment(server, home: home)
            let login = try await runMCPRun(["auth", "login", "secured", "-v"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            #expect(login.stderr.contains("without credentials first"), "the login asked the server: \(login)")
            #expect(try BrowserLoginTests.cache(home)["grantedScopes"] == ["mcp.write"], "\(login)")
            let run = try await runMCPRun(["call", "secured", "whoami", "--non-interactive"], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            #expect(try BrowserLoginTests.stats(server)["authorize"] == 1, "one login in all")
        }
    }

    @Test("a server with no OAuth metadata at all (MCP 2025-03-26) logs in at /authorize, /token and /register")
    func defaultEndpoints() async throws {
        try await withServer("oauth.py", arguments: ["--prm", "none", "--as-metadata", "none"]) { server in
            let home = try temporaryDirectory("login-probe-home")
            let environment = try BrowserLoginTests.childEnvironment(server, home: home, oauth: ["flow": "browser"])
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            let stats = try BrowserLoginTests.stats(server)
            #expect(stats["authorize"] == 1 && stats["grants"]?["authorization_code"] == 1, "\(stats.serialized())")
            let run = try await runMCPRun(["call", "secured", "whoami", "--non-interactive"], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            #expect(run.stdout.contains(#""authenticated":true"#), "\(run)")
        }
    }
}
