import Basics
import Foundation
import HTTP
import MCPClient
import TestSupport
import Testing

/// `BrowserFlowProvider` against `fixtures/servers/oauth.py` without the binary: the parts the
/// end-to-end tests cannot reach from a non-interactive child (a login during a run).
@Suite("OAuth browser flow provider against oauth.py", .timeLimit(.minutes(3)))
struct BrowserFlowProviderTests {
    /// A `$BROWSER` that follows the URL with curl.
    private func browser(in folder: String) throws -> String {
        let path = folder + "/browser"
        try writeExecutable("#!/bin/sh\ncurl -s -L -o /dev/null --max-time 10 \"$1\"\n", to: path)
        return path
    }

    private func config(_ server: FixtureServer, home: String) throws -> BrowserFlowConfig {
        let interaction = LoginInteraction(
            mayLogIn: true, acceptPaste: false, openBrowser: true, isTerminal: false,
            environment: ["BROWSER": try browser(in: home), "PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""],
            timeout: .seconds(30), tell: { _ in })
        return BrowserFlowConfig(
            serverName: "secured", serverURL: server.url(), client: nil, scopes: nil, resource: nil, metadataURL: nil,
            redirectPort: nil, store: TokenStore(directory: home + "/credentials"), interaction: interaction)
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
            let first = try await BrowserFlowProvider(config: config, logger: .silent).login()
            let firstClient = try #require(first.registeredClientID)
            try await post(server.baseURL + "/forget-clients")

            let provider = BrowserFlowProvider(config: config, logger: .silent)
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
                        let provider = BrowserFlowProvider(config: config, logger: .silent)
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
