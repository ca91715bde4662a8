import Basics
import Foundation
import HTTP
import MCPClient
import TestSupport
import Testing

// The browser login's tests live in two files of the same name: this one (its pure parts, and the
// provider in-process against oauth.py) and EndToEndTests/BrowserLoginTests.swift (through the
// binary: login, cache reuse, status/revoke/logout, step-up, paste, non-interactive runs).

/// The browser login (`TokenProvider` with an `AuthorizationCodeGrant`) against `fixtures/servers/oauth.py` without the binary: the parts the
/// end-to-end tests cannot reach from a non-interactive child (a login during a run).
@Suite("browser login: provider against oauth.py", .timeLimit(.minutes(3)))
struct BrowserLoginProviderTests {
    /// A `$BROWSER` that follows the URL with curl.
    private func browser(in folder: String) throws -> String {
        let path = folder + "/browser"
        try writeExecutable("#!/bin/sh\ncurl -s -L -o /dev/null --max-time 10 \"$1\"\n", to: path)
        return path
    }

    /// A person who follows every authorization URL with `browser`.
    private struct FollowingUI: LoginUI {
        let browser: String

        func showAuthorizationURL(_ url: String, server: String) {
            // Not waited for here: the login goes on while the stand-in browser follows the URL.
            let follower = Thread { _ = try? runQuickCommand(browser, [url]) }
            follower.start()
        }
        func pastedRedirects() -> AsyncStream<String>? { nil }
        func rejectPastedLine() {}
        func showDeviceCode(server: String, verificationURL: String, userCode: String, expiresIn: Int) {}
    }

    /// The browser login of server `secured`, as the runner would set it up.
    private struct Config {
        var settings: TokenProvider.Settings
        var grant: AuthorizationCodeGrant
        var ui: FollowingUI
        var store: TokenStore { settings.store }
        var identity: TokenIdentity { settings.identity }
    }

    private func config(_ server: FixtureServer, home: String) throws -> Config {
        let settings = TokenProvider.Settings(
            serverName: "secured", serverURL: server.url(),
            identity: TokenIdentity(serverURL: server.url(), clientID: "dynamic", scopes: []), scopes: nil,
            resource: nil, metadataURL: nil, store: TokenStore(directory: home + "/credentials"), mayAskPerson: true)
        return Config(
            settings: settings,
            grant: AuthorizationCodeGrant(
                client: nil, clientMetadataURL: nil, redirectPort: nil, loginTimeout: .seconds(30)),
            ui: FollowingUI(browser: try browser(in: home)))
    }

    private func provider(_ config: Config) -> TokenProvider {
        TokenProvider(settings: config.settings, grant: config.grant, ui: config.ui, logger: .silent)
    }

    private func post(_ url: String) async throws {
        let response = try await HTTPClient.shared.send(
            HTTPRequest(method: "POST", url: url, headers: [], body: [], timeout: .seconds(10)))
        _ = try await response.body.collect(limit: 1 << 16)
    }

    private func stats(_ server: FixtureServer) async throws -> JSONValue {
        let response = try await HTTPClient.shared.send(
            HTTPRequest(method: "GET", url: server.baseURL + "/stats", headers: [], timeout: .seconds(10)))
        return try JSONValue.parse(try await response.body.collect(limit: 1 << 16))
    }

    @Test("a cached registration the server no longer knows is dropped and registered again, once")
    func reRegistration() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            let home = try temporaryDirectory("browser-provider")
            let config = try config(server, home: home)
            let first = try await provider(config).login()
            let firstClient = try #require(first.registeredClientID)
            try await post(server.baseURL + "/forget-clients")

            let provider = self.provider(config)
            let sent = try await provider.currentAuthorization(logger: .silent)
            _ = try await provider.authorizationAfterUnauthorized(challenges: [], rejected: sent, logger: .silent)
            let cached = try #require(config.store.read(config.identity))
            #expect(cached.registeredClientID != nil && cached.registeredClientID != firstClient)
            let stats = try await stats(server)
            #expect(stats["registrations"] == 2 && stats["authorize"] == 2, "\(stats.serialized())")
            // Code, refused refresh (invalid_client), code: the refresh was tried first.
            #expect(stats["token_requests"] == 3 && stats["token_errors"] == 1, "\(stats.serialized())")
        }
    }

    @Test("parallel logins for one identity run one flow; the others use its tokens")
    func parallelLogins() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            let home = try temporaryDirectory("browser-provider")
            let config = try config(server, home: home)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let provider = self.provider(config)
                        _ = try await provider.authorizationAfterUnauthorized(
                            challenges: [], rejected: nil, logger: .silent)
                    }
                }
                try await group.waitForAll()
            }
            let stats = try await stats(server)
            #expect(stats["authorize"] == 1 && stats["registrations"] == 1, "\(stats.serialized())")
        }
    }
}

/// The browser login's pure parts: PKCE values and the check of the URL handed to a browser.
@Suite("browser login: PKCE and the browser launcher's URL check")
struct BrowserLoginUnitTests {
    @Test("the S256 challenge of RFC 7636 Appendix B's verifier is the RFC's")
    func rfc7636Example() {
        #expect(
            PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test(
        "SHA-256 matches FIPS 180-4 examples, across block boundaries",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ])
    func sha256(input: String, expected: String) {
        let digest = PKCE.sha256(Array(input.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(digest == expected)
    }

    @Test("verifiers and states are 43-character base64url and differ")
    func randomValues() {
        let a = PKCE.makeVerifier()
        let b = PKCE.makeVerifier()
        #expect(a.count == 43 && a != b)
        #expect(a.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test(
        "authorization endpoints that are refused",
        arguments: [
            "javascript:alert(1)", "file:///etc/passwd", "http://example.com/authorize",
            "https://example.com/a;touch /tmp/x", "https://example.com/a\nb", "https://example.com/a\\b",
            "ftp://127.0.0.1/x", "authorize", "https:///nohost",
        ])
    func refused(url: String) {
        #expect(BrowserLauncher.refusal(of: url) != nil)
    }

    @Test(
        "authorization endpoints that are accepted",
        arguments: ["https://auth.example.com/authorize", "http://127.0.0.1:8080/authorize", "http://localhost/a?b=c"])
    func accepted(url: String) {
        #expect(BrowserLauncher.refusal(of: url) == nil)
    }
}
