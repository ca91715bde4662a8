import Basics
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The device flow (RFC 8628), step-up on `insufficient_scope`, `authType: none` probing and the
/// scope sources, end to end: the binary against `fixtures/servers/oauth.py` (contract §2, §7).
///
/// Tests run without a terminal on stdin: `run` is non-interactive there, and `auth login` (the
/// person's explicit request) runs the device flow anyway.
@Suite("OAuth device flow, step-up, probing and scopes", .timeLimit(.minutes(4)))
struct DeviceFlowTests {
    static let secret = "cs-stepup-planted-71c2"
    static let device = ["--device", "--device-interval", "1", "--client", "dev::none"]

    /// `MCP_SERVERS` with `secured` (authType oauth2) at the fixture.
    static func deviceServers(
        _ server: FixtureServer, flow: String = "device", scopes: [String]? = nil, clientID: String? = "dev"
    ) -> String {
        var oauth: [String: JSONValue] = ["flow": .string(flow)]
        if let clientID { oauth["clientId"] = .string(clientID) }
        if let scopes { oauth["scopes"] = .array(scopes.map { .string($0) }) }
        return JSONValue.object([
            "secured": [
                "url": .string(server.url()), "transport": "streamable-http", "authType": "oauth2",
                "oauth": .object(oauth),
            ]
        ]).serialized()
    }

    /// `MCP_SERVERS` with `secured` (client credentials, client `ci`) at the fixture.
    static func clientServers(_ server: FixtureServer, scopes: [String]? = nil) -> String {
        var oauth: [String: JSONValue] = ["clientId": "ci", "clientSecret": "${{ secrets.CLIENT_SECRET }}"]
        if let scopes { oauth["scopes"] = .array(scopes.map { .string($0) }) }
        return JSONValue.object([
            "secured": [
                "url": .string(server.url()), "transport": "streamable-http", "authType": "oauth2-client-credentials",
                "oauth": .object(oauth),
            ]
        ]).serialized()
    }

    static let client = ["--client", "ci:\(secret):client_secret_basic"]

    static func stats(_ server: FixtureServer) throws -> JSONValue {
        let url = try #require(URL(string: server.baseURL + "/stats"))
        return try JSONValue.parse(Array(try Data(contentsOf: url)))
    }

    /// The cached tokens and the device codes the fixture issued: none may show in any output.
    static func planted(_ home: String, _ stats: JSONValue) -> [String] {
        var texts = [secret] + (stats["device"]?["codes"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let folder = home + "/credentials"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".json") {
            if let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8),
                let json = try? JSONValue.parse(text)
            {
                texts += [json["accessToken"]?.stringValue, json["refreshToken"]?.stringValue].compactMap { $0 }
            }
        }
        return texts
    }

    static func expectNoLeak(_ runs: [RunOutput], _ texts: [String]) {
        for run in runs {
            for text in texts {
                #expect(!run.stdout.contains(text) && !run.stderr.contains(text), "an output leaks a secret")
            }
        }
    }

    /// Seconds between consecutive polls.
    static func gaps(_ stats: JSONValue) -> [Double] {
        let times = stats["device"]?["poll_times"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        return zip(times.dropFirst(), times).map { $0 - $1 }
    }

    @Test("auth login runs the device flow without a terminal: pending twice, then tokens; runs use the cache")
    func pendingThenSuccess() async throws {
        try await withServer("oauth.py", arguments: Self.device + ["--device-pending", "2"]) { server in
            let home = try temporaryDirectory("device-home")
            let environment = ["MCP_SERVERS": Self.deviceServers(server, flow: "auto"), "MCP_RUN_HOME": home]
            let login = try await runMCPRun(["auth", "login", "secured", "-v"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            #expect(login.stderr.contains(server.baseURL + "/device?user_code=UC"), "\(login)")
            #expect(login.stderr.contains("enter the code UC"), "\(login)")
            let stats = try Self.stats(server)
            #expect(stats["device"]?["authorizations"] == 1)
            #expect(stats["device"]?["polls"] == 3, "\(stats.serialized())")
            #expect(Self.gaps(stats).allSatisfy { $0 >= 0.9 }, "polls keep the interval: \(Self.gaps(stats))")
            #expect(stats["device"]?["resources"]?[0]?.stringValue == server.url(), "resource is sent")
            #expect(stats["device"]?["requested_scopes"]?[0] == ["mcp.read", "mcp.write"], "scopes_supported")

            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-v"], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            #expect(try Self.stats(server)["device"]?["authorizations"] == 1, "the run used the cached login")
            let status = try await runMCPRun(["auth", "status", "secured"], environment: environment)
            #expect(status.stdout.contains("device_code"), "\(status)")
            Self.expectNoLeak([login, run, status], Self.planted(home, try Self.stats(server)))
        }
    }

    @Test("a device login whose refresh token the server forgot ends a non-interactive run with exit 3: log in again")
    func refusedRefresh() async throws {
        try await withServer("oauth.py", arguments: Self.device) { server in
            let home = try temporaryDirectory("device-home")
            let environment = ["MCP_SERVERS": Self.deviceServers(server), "MCP_RUN_HOME": home]
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth-refused-refresh.yaml"), "-o", "-"], environment: environment,
                deadline: .seconds(30))
            #expect(run.exitCode == 3 && !run.timedOut, "\(run)")
            #expect(run.stderr.contains("refused the refresh token of the cached login"), "\(run)")
            #expect(run.stderr.contains("run 'mcp-run auth login secured'"), "\(run)")
            let results = try run.json()
            #expect(results.step("who")?["status"] == "succeeded" && results.step("again")?["status"] == "failed")
            let stats = try Self.stats(server)
            #expect(stats["refresh_unknown"] == 1, "\(stats.serialized())")
            #expect(stats["device"]?["authorizations"] == 1, "no second device login: \(stats.serialized())")
        }
    }

    @Test("without oauth.clientId the device login registers a client; runs refresh with it; status and revoke find it")
    func dynamicRegistration() async throws {
        try await withServer("oauth.py", arguments: ["--device", "--device-interval", "1"]) { server in
            let home = try temporaryDirectory("device-home")
            let environment = ["MCP_SERVERS": Self.deviceServers(server, clientID: nil), "MCP_RUN_HOME": home]
            let login = try await runMCPRun(["auth", "login", "secured", "-v"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            var stats = try Self.stats(server)
            #expect(stats["registrations"] == 1 && stats["device"]?["authorizations"] == 1, "\(stats.serialized())")
            #expect(
                stats["registered_grant_types"] == [["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"]],
                "\(stats.serialized())")
            let status = try await runMCPRun(["auth", "status", "secured"], environment: environment)
            #expect(status.stdout.contains("(registered dynamically)") && status.stdout.contains("device_code"))

            // The server forgets the access token: the run refreshes as the registered client.
            let run = try await runMCPRun(["run", fixture("workflows/oauth-401.yaml"), "-v"], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            stats = try Self.stats(server)
            #expect(stats["grants"]?["refresh_token"] == 1 && stats["token_errors"] == 0, "\(stats.serialized())")
            let planted = Self.planted(home, stats)
            let revoke = try await runMCPRun(["auth", "revoke", "secured"], environment: environment)
            #expect(revoke.exitCode == 0 && revoke.stderr.contains("revoked the tokens at the server"), "\(revoke)")
            stats = try Self.stats(server)
            #expect(stats["revocations"] == 2 && stats["token_errors"] == 0, "\(stats.serialized())")
            Self.expectNoLeak([login, status, run, revoke], planted)
        }
    }

    @Test("flow auto without a clientId takes the advertised device grant, registering its client")
    func autoWithoutClient() async throws {
        try await withServer("oauth.py", arguments: ["--device", "--device-interval", "1"]) { server in
            let environment = [
                "MCP_SERVERS": Self.deviceServers(server, flow: "auto", clientID: nil),
                "MCP_RUN_HOME": try temporaryDirectory("device-home"),
            ]
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 0 && login.stderr.contains("enter the code UC"), "\(login)")
            let stats = try Self.stats(server)
            #expect(stats["device"]?["authorizations"] == 1 && stats["authorize"] == 0, "\(stats.serialized())")
            #expect(stats["registrations"] == 1, "\(stats.serialized())")
            let run = try await runMCPRun(["run", fixture("workflows/oauth.yaml")], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
        }
    }

    @Test("a device login during a run on a terminal does not count against the request's timeout")
    func deviceLoginOutlastsRequestTimeout() async throws {
        try await withServer("oauth.py", arguments: Self.device + ["--device-pending", "2"]) { server in
            var environment = ProcessInfo.processInfo.environment
            for name in ["MCP_SERVERS", "XDG_CONFIG_HOME", "CI"] { environment[name] = nil }
            environment["MCP_RUN_HOME"] = try temporaryDirectory("device-home")
            environment["MCP_SERVERS"] = JSONValue.object([
                "secured": [
                    "url": .string(server.url()), "transport": "streamable-http", "authType": "oauth2",
                    "timeout": 1000, "oauth": ["clientId": "dev", "flow": "device"],
                ]
            ]).serialized()
            // Three polls a second apart: the approval takes over 2 s, the requests may take 1 s.
            let (status, output) = try await BrowserLoginTests.onTerminal(
                ["call", "secured", "whoami"], environment: environment)
            #expect(status == 0, "\(output)")
            #expect(output.contains("enter the code UC") && output.contains(#""authenticated":true"#), "\(output)")
            #expect(try Self.stats(server)["device"]?["polls"] == 3)
        }
    }

    @Test("slow_down adds 5 seconds to the polling interval")
    func slowDown() async throws {
        try await withServer("oauth.py", arguments: Self.device + ["--device-slow-down", "1"]) { server in
            let home = try temporaryDirectory("device-home")
            let environment = ["MCP_SERVERS": Self.deviceServers(server), "MCP_RUN_HOME": home]
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            let stats = try Self.stats(server)
            #expect(stats["device"]?["polls"] == 2, "\(stats.serialized())")
            let gaps = Self.gaps(stats)
            #expect(gaps.count == 1 && gaps[0] >= 5.8, "1 s + 5 s after slow_down: \(gaps)")
        }
    }

    @Test("a device code that expires before approval ends the login with exit 3")
    func expiry() async throws {
        try await withServer(
            "oauth.py", arguments: Self.device + ["--device-pending", "100", "--device-expires", "3"]
        ) { server in
            let environment = [
                "MCP_SERVERS": Self.deviceServers(server), "MCP_RUN_HOME": try temporaryDirectory("device-home"),
            ]
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 3 && login.stderr.contains("expired"), "\(login)")
            #expect(try Self.stats(server)["device"]?["polls"]?.doubleValue ?? 99 <= 3)
        }
    }

    @Test("access_denied ends the login with exit 3")
    func denied() async throws {
        try await withServer("oauth.py", arguments: Self.device + ["--device-deny"]) { server in
            let environment = [
                "MCP_SERVERS": Self.deviceServers(server), "MCP_RUN_HOME": try temporaryDirectory("device-home"),
            ]
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 3 && login.stderr.contains("denied"), "\(login)")
            #expect(try Self.stats(server)["device"]?["polls"] == 1)
        }
    }

    @Test("a non-interactive run never starts the device flow: exit 3 with the login advice")
    func nonInteractive() async throws {
        try await withServer("oauth.py", arguments: Self.device) { server in
            let environment = [
                "MCP_SERVERS": Self.deviceServers(server), "MCP_RUN_HOME": try temporaryDirectory("device-home"),
            ]
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml")], environment: environment, deadline: .seconds(30))
            #expect(run.exitCode == 3 && !run.timedOut, "\(run)")
            #expect(run.stderr.contains("run 'mcp-run auth login secured' on a machine with a browser"), "\(run)")
            let login = try await runMCPRun(
                ["auth", "login", "secured", "--non-interactive"], environment: environment, deadline: .seconds(30))
            #expect(login.exitCode == 3 && login.stderr.contains("mcp-run auth login secured"), "\(login)")
            #expect(try Self.stats(server)["device"] == nil, "no device authorization was requested")
        }
    }

    @Test("step-up: a 403 insufficient_scope re-authorizes once with the union of scopes, then the call succeeds")
    func stepUpOnce() async throws {
        try await withServer("oauth.py", arguments: Self.client + ["--insufficient-scope", "mcp.write"]) { server in
            let home = try temporaryDirectory("stepup-home")
            let environment = [
                "MCP_SERVERS": Self.clientServers(server, scopes: ["mcp.read"]), "CLIENT_SECRET": Self.secret,
                "MCP_RUN_HOME": home,
            ]
            let output = home + "/results.json"
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-v", "-o", output], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            let stats = try Self.stats(server)
            #expect(
                stats["scope_requests"] == [
                    ["client_credentials", "mcp.read"], ["client_credentials", "mcp.read mcp.write"],
                ],
                "\(stats.serialized())")
            #expect(stats["forbidden"] == 1)
            let results = try JSONValue.parse(try String(contentsOfFile: output, encoding: .utf8))
            #expect(results.step("who")?["result"]?["structuredContent"]?["scopes"] == ["mcp.read", "mcp.write"])
            Self.expectNoLeak([run], Self.planted(home, stats))
        }
    }

    @Test("no step-up loop: a server that always answers 403 ends the run with exit 3 naming the scope")
    func noLoop() async throws {
        try await withServer(
            "oauth.py", arguments: Self.client + ["--insufficient-scope", "mcp.write", "--always-403"]
        ) { server in
            let environment = [
                "MCP_SERVERS": Self.clientServers(server, scopes: ["mcp.read"]), "CLIENT_SECRET": Self.secret,
                "MCP_RUN_HOME": try temporaryDirectory("stepup-home"),
            ]
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml")], environment: environment, deadline: .seconds(30))
            #expect(run.exitCode == 3 && !run.timedOut, "\(run)")
            #expect(run.stderr.contains("mcp.write"), "\(run)")
            let stats = try Self.stats(server)
            #expect(stats["token_requests"] == 2, "one grant and one step-up: \(stats.serialized())")
            #expect(stats["forbidden"] == 2)
        }
    }

    @Test("step-up that needs a new device login is refused in a non-interactive run: exit 3 naming the scope")
    func stepUpNonInteractive() async throws {
        try await withServer("oauth.py", arguments: Self.device + ["--insufficient-scope", "mcp.write"]) { server in
            let environment = [
                "MCP_SERVERS": Self.deviceServers(server, scopes: ["mcp.read"]),
                "MCP_RUN_HOME": try temporaryDirectory("device-home"),
            ]
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml")], environment: environment, deadline: .seconds(30))
            #expect(run.exitCode == 3 && !run.timedOut, "\(run)")
            #expect(run.stderr.contains("mcp.write") && run.stderr.contains("non-interactive"), "\(run)")
            #expect(try Self.stats(server)["device"]?["authorizations"] == 1)
        }
    }

    @Test(
        "authType none against an OAuth server: exit 3 saying it wants OAuth and how to log in",
        arguments: ["sse", "http-sse"])
    func noneProbing(transport: String) async throws {
        try await withServer("oauth.py", arguments: Self.client) { server in
            let servers = JSONValue.object([
                "plain": ["url": .string(server.url()), "transport": .string(transport)]
            ]).serialized()
            let run = try await runMCPRun(
                ["call", "plain", "whoami"], environment: ["MCP_SERVERS": servers], deadline: .seconds(30))
            #expect(run.exitCode == 3, "\(run)")
            #expect(run.stderr.contains("requires OAuth"), "\(run)")
            #expect(run.stderr.contains("authType: oauth2") && run.stderr.contains("oauth2-client-credentials"))
            #expect(run.stderr.contains("mcp-run auth login plain"), "\(run)")
        }
    }

    @Test(
        "scopes: configured, else the challenge's, else scopes_supported, else none",
        arguments: [
            (["--challenge-scope", "mcp.read"], ["mcp.write"], "mcp.write"),
            (["--challenge-scope", "mcp.read"], nil, "mcp.read"),
            ([], nil, "mcp.read mcp.write"),
            (["--scopes", ""], nil, ""),
        ] as [([String], [String]?, String)])
    func scopeSources(fixtureArguments: [String], configured: [String]?, requested: String) async throws {
        try await withServer("oauth.py", arguments: Self.client + fixtureArguments) { server in
            let environment = [
                "MCP_SERVERS": Self.clientServers(server, scopes: configured), "CLIENT_SECRET": Self.secret,
                "MCP_RUN_HOME": try temporaryDirectory("scope-home"),
            ]
            let run = try await runMCPRun(["call", "secured", "whoami"], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            let stats = try Self.stats(server)
            #expect(stats["scope_requests"] == [["client_credentials", .string(requested)]], "\(stats.serialized())")
        }
    }

    @Test("scripts/conformance-client drives mcp-run as the conformance suite would (client credentials scenario)")
    func conformanceAdapter() async throws {
        try await withServer("oauth.py", arguments: Self.client) { server in
            var environment = ProcessInfo.processInfo.environment
            for name in ["MCP_SERVERS", "MCP_RUN_HOME", "CI"] { environment[name] = nil }
            environment["MCP_CONFORMANCE_SCENARIO"] = "auth/client-credentials-basic"
            environment["MCP_CONFORMANCE_CONTEXT"] = #"{"client_id": "ci", "client_secret": "\#(Self.secret)"}"#
            let adapter = try await ChildProcess(
                executable: repoRoot + "/scripts/conformance-client", arguments: [server.url()],
                environment: environment, workingDirectory: repoRoot)
            let exit = await adapter.waitForExit(timeout: .seconds(60))
            _ = await adapter.waitForOutputClosed(timeout: .seconds(5))
            #expect(exit?.exitCode == 0, "\(adapter.stderr)")
            #expect(adapter.stdout.contains("whoami"), "tools were listed: \(adapter.stdout)")
            #expect(try Self.stats(server)["grants"]?["client_credentials"] == 1)
            #expect(!adapter.stdout.contains(Self.secret) && !adapter.stderr.contains(Self.secret))
        }
    }
}
