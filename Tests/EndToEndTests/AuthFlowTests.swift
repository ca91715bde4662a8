import Basics
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// OAuth client credentials end to end: the binary against `fixtures/servers/oauth.py`
/// (contract §7; issue #4's CI slice).
@Suite("OAuth client credentials", .timeLimit(.minutes(4)))
struct AuthFlowTests {
    static let basicSecret = "cs-basic-planted-4f1e"
    static let postSecret = "cs-post-planted-9a7c"
    static let clients = [
        "--client", "ci-basic:\(basicSecret):client_secret_basic", "--client",
        "ci-post:\(postSecret):client_secret_post",
    ]

    /// The `MCP_SERVERS` value naming the fixture `secured`, with client `clientID`.
    static func servers(_ server: FixtureServer, clientID: String = "ci-basic", method: String? = nil) -> String {
        var oauth: [String: JSONValue] = [
            "clientId": .string(clientID), "clientSecret": "${{ secrets.CLIENT_SECRET }}",
        ]
        if let method { oauth["tokenEndpointAuthMethod"] = .string(method) }
        return JSONValue.object([
            "secured": [
                "url": .string(server.url()), "transport": "streamable-http", "authType": "oauth2-client-credentials",
                "oauth": .object(oauth),
            ]
        ]).serialized()
    }

    /// The fixture's `/stats`.
    static func stats(_ server: FixtureServer) throws -> JSONValue {
        let url = try #require(URL(string: server.baseURL + "/stats"))
        return try JSONValue.parse(Array(try Data(contentsOf: url)))
    }

    /// The one cache file under `home`, parsed, with its POSIX permissions.
    static func cacheFile(_ home: String) throws -> (json: JSONValue, permissions: Int) {
        let folder = home + "/credentials"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
        try #require(names.count == 1, "one cache file: \(names)")
        let path = folder + "/" + names[0]
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
        let json = try JSONValue.parse(try String(contentsOfFile: path, encoding: .utf8))
        return (json, permissions)
    }

    /// Every text that must never show: the client secrets and the cached tokens.
    static func planted(cache: JSONValue?) -> [String] {
        [basicSecret, postSecret]
            + [cache?["accessToken"]?.stringValue, cache?["refreshToken"]?.stringValue]
            .compactMap { $0 }
    }

    @Test("three steps and a foreach of three against one server obtain one token and discover once")
    func oneTokenPerRun() async throws {
        try await withServer("oauth.py", arguments: Self.clients) { server in
            let home = try temporaryDirectory("oauth-home")
            let flow = home + "/many.yaml"
            try """
            steps:
              - { id: a, server: secured, tool: whoami }
              - { id: b, server: secured, tool: echo, arguments: { text: "b" } }
              - { id: c, server: secured, tool: whoami }
              - id: each
                server: secured
                tool: echo
                foreach: ${{ fromJSON('["x", "y", "z"]') }}
                arguments: { text: "${{ item }}" }
            """.write(toFile: flow, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(
                ["run", flow, "-o", "-"],
                environment: [
                    "MCP_SERVERS": Self.servers(server), "CLIENT_SECRET": Self.basicSecret, "MCP_RUN_HOME": home,
                ])
            #expect(run.exitCode == 0, "\(run)")
            let stats = try Self.stats(server)
            #expect(
                stats["grants"]?["client_credentials"] == 1 && stats["token_requests"] == 1, "\(stats.serialized())")
            let paths = stats["well_known"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(!paths.isEmpty && Set(paths).count == paths.count, "each metadata URL once: \(paths)")
        }
    }

    @Test(
        "a CI run whose token endpoint says 'not now' retries; still 'not now' after the retries is exit 4, not a refusal"
    )
    func tokenEndpointNotNow() async throws {
        try await withServer("oauth.py", arguments: Self.clients) { server in
            let home = try temporaryDirectory("oauth-home")
            let environment = [
                "MCP_SERVERS": Self.servers(server), "CLIENT_SECRET": Self.basicSecret, "MCP_RUN_HOME": home,
            ]
            let unavailable = try #require(
                URL(string: server.baseURL + "/token-unavailable?n=2&kind=429&retry_after=1&grant=client_credentials"))
            var request = URLRequest(url: unavailable)
            request.httpMethod = "POST"
            _ = try await URLSession.shared.data(for: request)
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-o", home + "/results.json"], environment: environment,
                deadline: .seconds(60))
            #expect(run.exitCode == 0, "\(run)")
            #expect(try Self.stats(server)["token_unavailable"] == 2)

            // Still "not now" after three retries: the server is unavailable, the credentials are fine.
            request.url = try #require(
                URL(string: server.baseURL + "/token-unavailable?n=4&kind=503&retry_after=0&grant=client_credentials"))
            _ = try await URLSession.shared.data(for: request)
            try FileManager.default.removeItem(atPath: home + "/credentials")
            let failed = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-o", home + "/results.json"], environment: environment,
                deadline: .seconds(60))
            #expect(failed.exitCode == 4, "\(failed)")
            #expect(failed.stderr.contains("could not issue a token for the client credentials: HTTP 503"), "\(failed)")
            #expect(!failed.stderr.contains("check `oauth.clientId`"), "\(failed)")
        }
    }

    @Test(
        "client credentials with each token-endpoint auth method; nothing secret in any output, even under -v",
        arguments: [("ci-basic", "client_secret_basic", basicSecret), ("ci-post", "client_secret_post", postSecret)])
    func eachAuthMethod(clientID: String, method: String, secret: String) async throws {
        try await withServer("oauth.py", arguments: Self.clients) { server in
            let home = try temporaryDirectory("oauth-home")
            let output = home + "/results.json"
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-v", "-o", output],
                environment: [
                    "MCP_SERVERS": Self.servers(server, clientID: clientID, method: method), "CLIENT_SECRET": secret,
                    "MCP_RUN_HOME": home,
                ])
            #expect(run.exitCode == 0, "\(run)")
            let document = try String(contentsOfFile: output, encoding: .utf8)
            let results = try JSONValue.parse(document)
            #expect(results.step("who")?["result"]?["structuredContent"]?["client_id"]?.stringValue == clientID)
            let cache = try Self.cacheFile(home)
            #expect(cache.permissions == 0o600)
            let folder = try FileManager.default.attributesOfItem(atPath: home + "/credentials")
            #expect((folder[.posixPermissions] as? NSNumber)?.intValue == 0o700)
            for text in Self.planted(cache: cache.json) {
                #expect(!run.stdout.contains(text) && !run.stderr.contains(text), "an output leaks a secret")
                #expect(!document.contains(text), "the results document leaks a secret")
            }
            #expect(try Self.stats(server)["grants"]?["client_credentials"] == 1)
            #expect(run.stderr.contains("oauth: obtained an access token"), "-v traces the OAuth exchange: \(run)")

            // A wrong secret: exit 3 naming the server, and the wrong value never shows.
            let wrong = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-v"],
                environment: [
                    "MCP_SERVERS": Self.servers(server, clientID: clientID, method: method),
                    "CLIENT_SECRET": "wrong-planted-secret",
                ])
            #expect(wrong.exitCode == 3, "\(wrong)")
            #expect(wrong.stderr.contains("secured") && wrong.stderr.contains("invalid_client"), "\(wrong)")
            #expect(!wrong.stderr.contains("wrong-planted-secret") && !wrong.stdout.contains("wrong-planted-secret"))
        }
    }

    @Test(
        "OAuth over legacy HTTP+SSE, chosen or negotiated: the stream and the POSTs carry the token; a 401 renews it",
        arguments: ["http-sse", "sse"])
    func legacyTransport(transport: String) async throws {
        try await withServer("oauth.py", arguments: Self.clients + ["--transport", "sse"]) { server in
            let servers = JSONValue.object([
                "secured": [
                    "url": .string(server.baseURL + "/sse"), "transport": .string(transport),
                    "authType": "oauth2-client-credentials",
                    "oauth": ["clientId": "ci-basic", "clientSecret": "${{ secrets.CLIENT_SECRET }}"],
                ]
            ]).serialized()
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth-401.yaml"), "-o", "-"],
                environment: ["MCP_SERVERS": servers, "CLIENT_SECRET": Self.basicSecret])
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results["servers"]?["secured"]?["transport"] == "http-sse", "\(results.serialized())")
            for step in ["who", "again"] {
                #expect(results.step(step)?["result"]?["structuredContent"]?["client_id"] == "ci-basic", "\(step)")
            }
            let stats = try Self.stats(server)
            #expect(stats["grants"]?["client_credentials"] == 1, "\(stats.serialized())")
            #expect(
                stats["grants"]?["refresh_token"] == 1, "the 401 after drop_tokens renewed once: \(stats.serialized())")
            #expect(!run.stdout.contains(Self.basicSecret) && !run.stderr.contains(Self.basicSecret))
        }
    }

    @Test("step-up over legacy HTTP+SSE: a 403 insufficient_scope on the event stream asks once for the union")
    func legacyStepUp() async throws {
        try await withServer(
            "oauth.py", arguments: Self.clients + ["--transport", "sse", "--insufficient-scope", "mcp.write"]
        ) { server in
            let servers = JSONValue.object([
                "secured": [
                    "url": .string(server.baseURL + "/sse"), "transport": "http-sse",
                    "authType": "oauth2-client-credentials",
                    "oauth": [
                        "clientId": "ci-basic", "clientSecret": "${{ secrets.CLIENT_SECRET }}", "scopes": ["mcp.read"],
                    ],
                ]
            ]).serialized()
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-o", "-"],
                environment: ["MCP_SERVERS": servers, "CLIENT_SECRET": Self.basicSecret])
            #expect(run.exitCode == 0, "\(run)")
            #expect(
                try run.json().step("who")?["result"]?["structuredContent"]?["scopes"] == ["mcp.read", "mcp.write"])
            let stats = try Self.stats(server)
            #expect(stats["forbidden"] == 1 && stats["grants"]?["client_credentials"] == 2, "\(stats.serialized())")
        }
    }

    @Test("a second run reuses the cached token: no new token request")
    func cacheReused() async throws {
        try await withServer("oauth.py", arguments: Self.clients) { server in
            let home = try temporaryDirectory("oauth-home")
            let environment = [
                "MCP_SERVERS": Self.servers(server), "CLIENT_SECRET": Self.basicSecret, "MCP_RUN_HOME": home,
            ]
            let first = try await runMCPRun(["run", fixture("workflows/oauth.yaml")], environment: environment)
            #expect(first.exitCode == 0, "\(first)")
            let before = try Self.stats(server)
            #expect(before["token_requests"] == 1)
            let second = try await runMCPRun(["run", fixture("workflows/oauth.yaml")], environment: environment)
            #expect(second.exitCode == 0, "\(second)")
            let after = try Self.stats(server)
            #expect(after["token_requests"] == 1, "\(after.serialized())")
            #expect(after["unauthorized"] == before["unauthorized"], "the cached token was sent at once")
        }
    }

    @Test("a token about to expire is refreshed before the call (1-second tokens)")
    func refreshOnExpiry() async throws {
        try await withServer("oauth.py", arguments: Self.clients + ["--token-lifetime", "1"]) { server in
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth-expiry.yaml")],
                environment: ["MCP_SERVERS": Self.servers(server), "CLIENT_SECRET": Self.basicSecret])
            #expect(run.exitCode == 0, "\(run)")
            let stats = try Self.stats(server)
            #expect((stats["grants"]?["refresh_token"]?.intValue ?? 0) >= 1, "\(stats.serialized())")
            #expect(stats["grants"]?["client_credentials"] == 1, "\(stats.serialized())")
        }
    }

    @Test("a 401 on a token the client thought valid refreshes once and retries the call")
    func refreshOn401() async throws {
        try await withServer("oauth.py", arguments: Self.clients) { server in
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth-401.yaml")],
                environment: ["MCP_SERVERS": Self.servers(server), "CLIENT_SECRET": Self.basicSecret])
            #expect(run.exitCode == 0, "\(run)")
            let stats = try Self.stats(server)
            #expect(stats["grants"]?["refresh_token"] == 1, "\(stats.serialized())")
            #expect(stats["grants"]?["client_credentials"] == 1, "\(stats.serialized())")
        }
    }

    @Test("a refused refresh token makes client credentials request a new token, and the call succeeds")
    func refusedRefresh() async throws {
        try await withServer("oauth.py", arguments: Self.clients) { server in
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth-refused-refresh.yaml")],
                environment: ["MCP_SERVERS": Self.servers(server), "CLIENT_SECRET": Self.basicSecret])
            #expect(run.exitCode == 0, "\(run)")
            let stats = try Self.stats(server)
            #expect(stats["grants"]?["refresh_token"] == 1, "\(stats.serialized())")
            #expect(stats["refresh_unknown"] == 1, "\(stats.serialized())")
            #expect(stats["grants"]?["client_credentials"] == 2, "\(stats.serialized())")
        }
    }

    @Test("eight runs at once with rotating refresh tokens and 1-second tokens all succeed and lose no token")
    func parallelRuns() async throws {
        try await withServer("oauth.py", arguments: Self.clients + ["--token-lifetime", "1"]) { server in
            let home = try temporaryDirectory("oauth-home")
            var environment = ProcessInfo.processInfo.environment
            for name in ["MCP_SERVERS", "XDG_CONFIG_HOME"] { environment[name] = nil }
            environment["MCP_SERVERS"] = Self.servers(server)
            environment["CLIENT_SECRET"] = Self.basicSecret
            environment["MCP_RUN_HOME"] = home
            let binary = try mcpRunBinary()
            var processes: [ChildProcess] = []
            for _ in 0..<8 {
                processes.append(
                    try await ChildProcess(
                        executable: binary, arguments: ["run", fixture("workflows/oauth-long.yaml"), "-v"],
                        environment: environment, workingDirectory: repoRoot))
            }
            var outputs: [(ChildProcess, ChildProcess.Termination?)] = []
            for process in processes {
                var ended = await process.waitForExit(timeout: .seconds(90))
                if ended == nil { ended = await process.terminate(grace: .seconds(2)) }
                _ = await process.waitForOutputClosed(timeout: .seconds(5))
                outputs.append((process, ended))
            }
            let cache = try Self.cacheFile(home)
            #expect(cache.permissions == 0o600)
            #expect(cache.json["accessToken"]?.stringValue != nil)
            for (process, ended) in outputs {
                #expect(ended?.exitCode == 0, "exit \(String(describing: ended)): \(process.stderr.suffix(2000))")
                for text in Self.planted(cache: cache.json) {
                    #expect(
                        !process.stdout.contains(text) && !process.stderr.contains(text), "an output leaks a secret")
                }
            }
            let stats = try Self.stats(server)
            #expect(stats["refresh_reused"] == 0, "a rotated refresh token was used twice: \(stats.serialized())")
            #expect(stats["refresh_unknown"] == 0, "\(stats.serialized())")
            #expect((stats["grants"]?["refresh_token"]?.intValue ?? 0) >= 8, "\(stats.serialized())")
        }
    }

    @Test("auth login, status, revoke and logout; status never shows a token; oauth2 under CI exits 3")
    func authCommands() async throws {
        try await withServer("oauth.py", arguments: Self.clients) { server in
            let home = try temporaryDirectory("oauth-home")
            var servers = try JSONValue.parse(Self.servers(server))
            servers = .object(
                (servers.objectValue ?? [:]).merging([
                    "browser": ["url": .string(server.url()), "authType": "oauth2"]
                ]) { a, _ in a })
            let environment = [
                "MCP_SERVERS": servers.serialized(), "CLIENT_SECRET": Self.basicSecret, "MCP_RUN_HOME": home,
            ]
            let empty = try await runMCPRun(["auth", "status"], environment: environment)
            #expect(empty.exitCode == 0 && empty.stderr.contains("no cached logins"), "\(empty)")

            let login = try await runMCPRun(["auth", "login", "secured", "-v"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            let cache = try Self.cacheFile(home)
            let status = try await runMCPRun(["auth", "status", "secured"], environment: environment)
            #expect(status.exitCode == 0, "\(status)")
            #expect(status.stdout.contains(server.url()) && status.stdout.contains("client_credentials"), "\(status)")
            #expect(status.stdout.contains("mcp.read") && status.stdout.contains("expires"), "\(status)")
            let all = try await runMCPRun(["auth", "status"], environment: environment)
            for run in [login, status, all] {
                for text in Self.planted(cache: cache.json) {
                    #expect(!run.stdout.contains(text) && !run.stderr.contains(text), "auth output leaks a secret")
                }
            }

            let revoke = try await runMCPRun(["auth", "revoke", "secured"], environment: environment)
            #expect(revoke.exitCode == 0, "\(revoke)")
            #expect(try Self.stats(server)["revocations"] == 2)
            let gone = try await runMCPRun(["auth", "status", "secured"], environment: environment)
            #expect(gone.exitCode == 3 && gone.stderr.contains("no cached login"), "\(gone)")

            _ = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            var withoutSecret = environment
            withoutSecret["CLIENT_SECRET"] = nil
            let status2 = try await runMCPRun(["auth", "status", "secured"], environment: withoutSecret)
            #expect(status2.exitCode == 0, "status needs no client secret: \(status2)")
            let logout = try await runMCPRun(["auth", "logout", "secured"], environment: withoutSecret)
            #expect(logout.exitCode == 0 && logout.stderr.contains("deleted"), "\(logout)")
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: home + "/credentials").filter {
                    $0.hasSuffix(".json")
                }.isEmpty)

            var ci = environment
            ci["CI"] = "1"
            let browser = try await runMCPRun(["auth", "login", "browser"], environment: ci, deadline: .seconds(30))
            #expect(browser.exitCode == 3 && browser.stderr.contains("mcp-run auth login browser"), "\(browser)")
            let run = try await runMCPRun(
                ["call", "browser", "whoami"], environment: environment, deadline: .seconds(30))
            #expect(run.exitCode == 3 && !run.timedOut, "\(run)")
        }
    }
}
