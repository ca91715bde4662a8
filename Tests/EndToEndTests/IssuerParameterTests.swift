import Basics
import Foundation
import TestSupport
import Testing

/// RFC 9207 `iss` as MCP 2026-07-28's authorization requires it: an authorization server that
/// advertises `authorization_response_iss_parameter_supported` must put `iss` on its redirect,
/// and a redirect without it is refused before the code is used (a mix-up attack cannot drop it).
/// Against `oauth.py --advertise-iss` (the official SDK's authorization server pieces).
@Suite("RFC 9207 iss when advertised", .timeLimit(.minutes(2)))
struct IssuerParameterTests {
    @Test("a redirect without iss from a server advertising it is refused; the code never reaches /token")
    func missingIssuerRefused() async throws {
        try await withServer("oauth.py", arguments: ["--iss", "omit", "--advertise-iss"]) { server in
            let (_, environment) = try BrowserLoginTests.loginEnvironment(server)
            let login = try await runMCPRun(
                ["auth", "login", "secured"], environment: environment, deadline: .seconds(30))
            #expect(login.exitCode == 3, "\(login)")
            #expect(login.stderr.contains("carries no issuer (iss)"), "\(login)")
            let stats = try BrowserLoginTests.stats(server)
            #expect(stats["authorize"] == 1 && stats["token_requests"] == 0, "\(stats.serialized())")
        }
    }

    @Test("with iss on the redirect, or without it from a server that does not advertise it, the login works")
    func issuerPresentOrNotAdvertised() async throws {
        for arguments in [["--advertise-iss"], ["--iss", "omit"]] {
            try await withServer("oauth.py", arguments: arguments) { server in
                let (_, environment) = try BrowserLoginTests.loginEnvironment(server)
                let login = try await runMCPRun(
                    ["auth", "login", "secured"], environment: environment, deadline: .seconds(30))
                #expect(login.exitCode == 0, "\(arguments): \(login)")
                #expect(try BrowserLoginTests.stats(server)["token_requests"] == 1, "\(arguments)")
            }
        }
    }
}
