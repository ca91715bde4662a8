import Basics
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `workflows/jira-report.yaml` and `workflows/jira-report-ci.yaml` end to end through the binary
/// against `fixtures/servers/atlassian.py`, a double of Atlassian's remote MCP server built from
/// its public record (issue #10; CONTRACT §7 and §8). Each workflow is copied to a temporary
/// folder with only its `url` line pointing at the double (a workflow's own `servers:` wins over
/// `MCP_SERVERS` and `--servers`, CONTRACT §2), so every other line runs as users copy it.
@Suite("Atlassian's remote MCP server (the double)", .timeLimit(.minutes(6)))
struct AtlassianTests {
    static let email = "ada@example.com"
    static let apiToken = "atl-api-token-planted-5e1c"
    static let serviceKey = "atl-service-key-planted-9b07"
    static let apiTokenArguments = ["--api-token", "\(email):\(apiToken)", "--service-key", serviceKey]

    /// The workflow `name` from `workflows/`, in a new folder, with `url` pointing at `url` and
    /// `replacing` applied (old → new); returns its path.
    static func workflow(_ name: String, url: String, replacing: [(String, String)] = []) throws -> String {
        var text = try String(contentsOfFile: repoPath("workflows/\(name)"), encoding: .utf8)
        let published = "url: https://mcp.atlassian.com/v1/mcp"
        try #require(text.contains(published), "the example still names Atlassian's endpoint")
        text = text.replacingOccurrences(of: published, with: "url: \(url)")
        for (old, new) in replacing {
            try #require(text.contains(old), "'\(old)' is in \(name)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        let folder = try temporaryDirectory("atlassian-workflow")
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The double's `/_double/stats`.
    static func stats(_ server: FixtureServer) throws -> JSONValue {
        let url = try #require(URL(string: server.baseURL + "/_double/stats"))
        return try JSONValue.parse(Array(try Data(contentsOf: url)))
    }

    /// POSTs to one of the double's test controls (`expire-access`, `expire-clients`, `throttle?n=…`).
    static func control(_ server: FixtureServer, _ path: String) async throws {
        var request = URLRequest(url: try #require(URL(string: server.baseURL + "/_double/" + path)))
        request.httpMethod = "POST"
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
    }

    /// Checks a finished run of either workflow: every step succeeded, 3 ENG issues, one page
    /// created in space 98306 (the `ENG` space's numeric id), nothing secret in any output.
    static func expectReport(
        _ run: RunOutput, _ server: FixtureServer, pages: Int = 1, secrets: [String] = []
    )
        throws
    {
        #expect(run.exitCode == 0, "\(run)")
        let results = try run.json()
        #expect(results["status"]?.stringValue == "succeeded", "\(run)")
        #expect(results["outputs"]?["count"] == 3, "\(run)")
        for id in ["site", "search", "space", "page"] {
            #expect(results.step(id)?["status"]?.stringValue == "succeeded", "\(id): \(run)")
        }
        let stats = try Self.stats(server)
        let created = stats["pages"]?.arrayValue ?? []
        #expect(created.count == pages, "\(stats)")
        #expect(created.last?["spaceId"]?.stringValue == "98306", "\(stats)")
        #expect(stats["searches"]?.arrayValue?.last?["maxResults"] == 50, "\(stats)")
        for secret in secrets {
            #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret), "a secret leaked: \(run)")
        }
    }

    static func apiTokenEnvironment() -> [String: String] {
        ["ATLASSIAN_EMAIL": email, "ATLASSIAN_API_TOKEN": apiToken, "ATLASSIAN_API_KEY": serviceKey]
    }

    /// jira-report-ci.yaml with a service account's API key as Bearer, as its header comment says.
    static let bearerReplacement = [
        (
            "    authType: basic\n    username: ${{ secrets.ATLASSIAN_EMAIL }}\n    password: ${{ secrets.ATLASSIAN_API_TOKEN }}\n",
            "    authType: bearer-token\n    token: ${{ secrets.ATLASSIAN_API_KEY }}\n"
        )
    ]

    // MARK: - API tokens

    @Test("jira-report-ci.yaml with a personal API token (Basic email:token) over /v1/mcp")
    func apiTokenBasic() async throws {
        try await withServer("atlassian.py", arguments: Self.apiTokenArguments) { server in
            let path = try Self.workflow("jira-report-ci.yaml", url: server.url(path: "/v1/mcp"))
            let run = try await runMCPRun(["run", path, "-o", "-"], environment: Self.apiTokenEnvironment())
            try Self.expectReport(run, server, secrets: [Self.apiToken])
            let kinds = Set(
                try Self.stats(server)["mcp_auth"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? [])
            #expect(kinds == ["api-token-basic"])
        }
    }

    @Test("jira-report-ci.yaml with a service account's API key (Bearer) over /v1/mcp")
    func serviceKeyBearer() async throws {
        try await withServer("atlassian.py", arguments: Self.apiTokenArguments) { server in
            let path = try Self.workflow(
                "jira-report-ci.yaml", url: server.url(path: "/v1/mcp"), replacing: Self.bearerReplacement)
            let run = try await runMCPRun(["run", path, "-o", "-"], environment: Self.apiTokenEnvironment())
            try Self.expectReport(run, server, secrets: [Self.serviceKey])
            let kinds = Set(
                try Self.stats(server)["mcp_auth"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? [])
            #expect(kinds == ["service-key-bearer"])
        }
    }

    @Test(
        "jira-report-ci.yaml over the legacy /v1/sse with `transport: sse`: the POST's 404 'Missing sessionId parameter' falls back",
        arguments: ["basic", "bearer"])
    func legacySSE(credential: String) async throws {
        try await withServer("atlassian.py", arguments: Self.apiTokenArguments) { server in
            let replacing =
                [("url: \(server.url(path: "/v1/sse"))\n", "url: \(server.url(path: "/v1/sse"))\n    transport: sse\n")]
                + (credential == "bearer" ? Self.bearerReplacement : [])
            let path = try Self.workflow("jira-report-ci.yaml", url: server.url(path: "/v1/sse"), replacing: replacing)
            let run = try await runMCPRun(["run", path, "-o", "-"], environment: Self.apiTokenEnvironment())
            try Self.expectReport(run, server)
            let stats = try Self.stats(server)
            #expect(stats["sse_post_404"] == 1, "one POST, then the legacy transport: \(stats)")
            let paths = stats["mcp_auth"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
            #expect(paths.contains("/v1/sse/message"), "\(paths)")
        }
    }

    @Test("a 429 is retried after its Retry-After, and the run succeeds")
    func throttled() async throws {
        try await withServer("atlassian.py", arguments: Self.apiTokenArguments + ["--throttle", "1:1"]) { server in
            let path = try Self.workflow("jira-report-ci.yaml", url: server.url(path: "/v1/mcp"))
            let run = try await runMCPRun(["run", path, "-o", "-"], environment: Self.apiTokenEnvironment())
            try Self.expectReport(run, server)
            #expect(try Self.stats(server)["throttled"] == 1)
        }
    }

    @Test("API tokens the admin has not enabled get the OAuth challenge: exit 3, the server named")
    func apiTokensDisabled() async throws {
        try await withServer("atlassian.py", arguments: Self.apiTokenArguments + ["--api-tokens", "disabled"]) {
            server in
            let path = try Self.workflow("jira-report-ci.yaml", url: server.url(path: "/v1/mcp"))
            let run = try await runMCPRun(["run", path, "-o", "-"], environment: Self.apiTokenEnvironment())
            #expect(run.exitCode == 3, "\(run)")
            #expect(run.stderr.contains("atlassian"), "\(run)")
            #expect(!run.stderr.contains(Self.apiToken), "\(run)")
        }
    }

    // MARK: - OAuth

    /// A login of `atlassian` at `server` through the stand-in browser, with the cache in `home`.
    static func login(_ server: FixtureServer, home: String) async throws -> RunOutput {
        let servers = JSONValue.object([
            "atlassian": .object(["url": .string(server.url(path: "/v1/mcp")), "authType": "oauth2"])
        ]).serialized()
        return try await runMCPRun(
            ["auth", "login", "atlassian", "-v"],
            environment: [
                "MCP_SERVERS": servers, "MCP_RUN_HOME": home,
                "BROWSER": try BrowserLoginTests.browserScript(in: home),
            ])
    }

    /// A cron-style run of jira-report.yaml from the cache in `home`: no terminal, `CI=1`.
    static func cronRun(_ path: String, home: String) async throws -> RunOutput {
        try await runMCPRun(["run", path, "-o", "-"], environment: ["MCP_RUN_HOME": home, "CI": "1"])
    }

    static func cacheText(_ home: String) throws -> String {
        let folder = home + "/credentials"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
        try #require(names.count == 1, "one cache file: \(names)")
        return try String(contentsOfFile: folder + "/" + names[0], encoding: .utf8)
    }

    static func writeCache(_ text: String, home: String) throws {
        let folder = home + "/credentials"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
        try #require(names.count == 1)
        try text.write(toFile: folder + "/" + names[0], atomically: true, encoding: .utf8)
    }

    static func outcomes(_ server: FixtureServer, grant: String) throws -> [String] {
        try stats(server)["token_requests"]?.arrayValue?.filter { $0["grant_type"]?.stringValue == grant }
            .compactMap { $0["outcome"]?.stringValue } ?? []
    }

    @Test(
        "OAuth: login through a stand-in browser, a cron run from the cache, a run after the token expired",
        arguments: [["--endpoints", "issuer"], ["--endpoints", "mcp"], ["--iss", "on"], ["--iss", "off"]])
    func oauthLoginThenCron(variant: [String]) async throws {
        try await withServer("atlassian.py", arguments: variant) { server in
            let home = try temporaryDirectory("atlassian-home")
            let login = try await Self.login(server, home: home)
            #expect(login.exitCode == 0, "\(login)")
            let stats = try Self.stats(server)
            let issuer = try #require(stats["auth_base"]?.stringValue)
            #expect(login.stderr.contains(issuer), "-v shows the issuer on the other origin: \(login)")
            let registration = stats["registrations"]?.arrayValue?.first
            #expect(registration?["explicit"] == true, "mcp-run names its auth method: \(stats)")

            let path = try Self.workflow("jira-report.yaml", url: server.url(path: "/v1/mcp"))
            let first = try await Self.cronRun(path, home: home)
            try Self.expectReport(first, server)

            let afterExpiry = try await Self.runAfterExpiry(path, home: home, server)
            try Self.expectReport(afterExpiry, server, pages: 2)
            #expect(try Self.outcomes(server, grant: "refresh_token") == ["ok"])
            let kinds = Set(
                try Self.stats(server)["mcp_auth"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? [])
            #expect(kinds == ["oauth"])
        }
    }

    /// Expires every access token at the double, puts `cache` (a copy of the cache file taken
    /// earlier) back when given, and runs `path` cron-style: the run must refresh.
    static func runAfterExpiry(
        _ path: String, home: String, _ server: FixtureServer, cache: String? = nil
    )
        async throws -> RunOutput
    {
        if let cache { try writeCache(cache, home: home) }
        try await control(server, "expire-access")
        return try await cronRun(path, home: home)
    }

    @Test(
        "a rotated refresh token: with grace the previous one works until its replacement is used, then (or at once when strict) invalid_grant, exit 3",
        arguments: ["grace", "strict"])
    func rotation(mode: String) async throws {
        try await withServer("atlassian.py", arguments: ["--rotation", mode]) { server in
            let home = try temporaryDirectory("atlassian-home")
            #expect(try await Self.login(server, home: home).exitCode == 0)
            let path = try Self.workflow("jira-report.yaml", url: server.url(path: "/v1/mcp"))
            let withA = try Self.cacheText(home)  // refresh token A
            try Self.expectReport(try await Self.runAfterExpiry(path, home: home, server), server)  // A → B
            let withB = try Self.cacheText(home)
            // A again (as a run that lost the refresh response would): B is not used yet.
            let again = try await Self.runAfterExpiry(path, home: home, server, cache: withA)
            var stale = again
            if mode == "grace" {
                try Self.expectReport(again, server, pages: 2)  // A → C; B was replaced before use
                stale = try await Self.runAfterExpiry(path, home: home, server, cache: withB)
            }
            #expect(stale.exitCode == 3, "\(stale)")
            #expect(stale.stderr.contains("auth login"), "log in again: \(stale)")
            let expected = mode == "grace" ? ["ok", "ok-previous", "invalid_grant"] : ["ok", "invalid_grant"]
            #expect(try Self.outcomes(server, grant: "refresh_token") == expected)
        }
    }

    @Test("an expired registration: the cron run exits 3 (invalid_client), a new login registers again")
    func expiredRegistration() async throws {
        try await withServer("atlassian.py", arguments: ["--registration-ttl", "3600"]) { server in
            let home = try temporaryDirectory("atlassian-home")
            #expect(try await Self.login(server, home: home).exitCode == 0)
            let path = try Self.workflow("jira-report.yaml", url: server.url(path: "/v1/mcp"))
            try await Self.control(server, "expire-clients")
            let stale = try await Self.runAfterExpiry(path, home: home, server)
            #expect(stale.exitCode == 3, "\(stale)")
            #expect(stale.stderr.contains("auth login"), "\(stale)")
            #expect(try await Self.login(server, home: home).exitCode == 0)
            try Self.expectReport(try await Self.cronRun(path, home: home), server)
            #expect(try Self.stats(server)["registrations"]?.arrayValue?.count == 2)
        }
    }

    /// Registers a client at the double (as any client would) and opens `/v1/authorize` with an
    /// unregistered `scope`; returns the status and content type.
    static func authorizeWithScope(_ server: FixtureServer) async throws -> (Int?, String?) {
        let issuer = try #require(try stats(server)["auth_base"]?.stringValue)
        var register = URLRequest(url: try #require(URL(string: issuer + "/v1/register")))
        register.httpMethod = "POST"
        register.setValue("application/json", forHTTPHeaderField: "Content-Type")
        register.httpBody = Data(#"{"redirect_uris": ["http://127.0.0.1/oauth/callback"], "scope": "x"}"#.utf8)
        let (body, _) = try await URLSession.shared.data(for: register)
        let clientID = try #require(try JSONValue.parse(Array(body))["client_id"]?.stringValue)
        let query =
            "response_type=code&client_id=\(clientID)&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Foauth%2Fcallback"
            + "&code_challenge=abc&code_challenge_method=S256&state=s&scope=unregistered%3Ascope"
        let url = try #require(URL(string: server.baseURL + "/v1/authorize?" + query))
        let (_, response) = try await URLSession.shared.data(from: url)
        let http = response as? HTTPURLResponse
        return (http?.statusCode, http?.value(forHTTPHeaderField: "Content-Type"))
    }

    @Test(
        "an explicit unregistered scope at /v1/authorize gets an error page, not a redirect; mcp-run sends none",
        arguments: ["unknown", "any"])
    func authorizeScope(variant: String) async throws {
        try await withServer("atlassian.py", arguments: ["--authorize-scope", variant]) { server in
            let (status, type) = try await Self.authorizeWithScope(server)
            #expect(
                status == 400 && type?.hasPrefix("text/html") == true, "\(String(describing: status)) \(type ?? "")")
            let home = try temporaryDirectory("atlassian-home")
            #expect(try await Self.login(server, home: home).exitCode == 0)
            let asked = try Self.stats(server)["authorize"]?.arrayValue?.last
            #expect(asked?["scope"] == .null, "\(String(describing: asked))")
            #expect(try Self.stats(server)["registrations"]?.arrayValue?.last?["scope_sent"] == .null)
            let path = try Self.workflow("jira-report.yaml", url: server.url(path: "/v1/mcp"))
            try Self.expectReport(try await Self.cronRun(path, home: home), server)
        }
    }
}
