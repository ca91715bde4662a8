import Basics
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

// The browser login's tests live in two files of the same name: this one (through the binary)
// and IntegrationTests/BrowserLoginTests.swift (PKCE and the launcher's URL check, and the
// provider in-process against oauth.py: what a non-interactive child cannot reach).

/// The OAuth browser (authorization-code) flow end to end: the binary against
/// `fixtures/servers/oauth.py`, whose `/authorize` approves at once, with a `$BROWSER` script
/// that follows the URL with curl (contract §7, Browser flow; issue #4).
@Suite("browser login: through the binary", .timeLimit(.minutes(4)))
struct BrowserLoginTests {
    static let basicSecret = "web-basic-planted-3c9d"
    static let postSecret = "web-post-planted-71ab"
    static let clients = [
        "--client", "web-basic:\(basicSecret):client_secret_basic", "--client",
        "web-post:\(postSecret):client_secret_post", "--client", "web-public::none",
    ]

    /// `secured` (client `web-public`, no secret) logged in through the stand-in browser: the
    /// home with its token cache, and the environment a later run of it needs.
    static func loggedIn(_ server: FixtureServer) async throws -> (home: String, environment: [String: String]) {
        let home = try temporaryDirectory("browser-home")
        let environment = [
            "MCP_SERVERS": servers(server, oauth: ["clientId": "web-public", "tokenEndpointAuthMethod": "none"]),
            "MCP_RUN_HOME": home, "BROWSER": try browserScript(in: home),
        ]
        let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
        try #require(login.exitCode == 0, "\(login)")
        return (home, environment)
    }

    /// A `$BROWSER` in `folder`: records that it ran (`opened`) and its one argument, follows the
    /// URL with curl, and records the final HTTP status (`status`).
    static func browserScript(in folder: String) throws -> String {
        let path = folder + "/browser"
        let script = """
            #!/bin/sh
            printf '%s' "$#" > '\(folder)/argc'
            printf '%s' "$1" > '\(folder)/opened'
            curl -s -L -o /dev/null --max-time 10 -w '%{http_code}' "$1" > '\(folder)/status'
            """
        try writeExecutable(script, to: path)
        return path
    }

    /// A `$BROWSER` in `folder` that waits `seconds` (a person reading the page) before following
    /// the URL with curl; records nothing.
    static func slowBrowserScript(in folder: String, seconds: Int) throws -> String {
        let path = folder + "/slow-browser"
        try writeExecutable("#!/bin/sh\nsleep \(seconds)\ncurl -s -L -o /dev/null --max-time 10 \"$1\"\n", to: path)
        return path
    }

    /// `MCP_SERVERS` naming the fixture `secured` with `authType: oauth2`.
    static func servers(_ server: FixtureServer, oauth: [String: JSONValue] = [:]) -> String {
        var block: [String: JSONValue] = [
            "url": .string(server.url()), "transport": "streamable-http", "authType": "oauth2",
        ]
        if !oauth.isEmpty { block["oauth"] = .object(oauth) }
        return JSONValue.object(["secured": .object(block)]).serialized()
    }

    /// A new token cache folder, and the environment of a login to `server` in it with the
    /// recording `$BROWSER` of `browserScript`.
    static func loginEnvironment(_ server: FixtureServer) throws -> (home: String, environment: [String: String]) {
        let home = try temporaryDirectory("browser-home")
        let environment = [
            "MCP_SERVERS": Self.servers(server), "MCP_RUN_HOME": home, "BROWSER": try Self.browserScript(in: home),
        ]
        return (home, environment)
    }

    static func stats(_ server: FixtureServer) throws -> JSONValue {
        let url = try #require(URL(string: server.baseURL + "/stats"))
        return try JSONValue.parse(Array(try Data(contentsOf: url)))
    }

    static func cache(_ home: String) throws -> JSONValue {
        let folder = home + "/credentials"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
        try #require(names.count == 1, "one cache file: \(names)")
        return try JSONValue.parse(try String(contentsOfFile: folder + "/" + names[0], encoding: .utf8))
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Runs mcp-run with `arguments` and a pseudo-terminal as its stdin, stdout and stderr
    /// (util-linux `script`), as a person at a terminal would; returns its exit status and output.
    static func onTerminal(_ arguments: [String], environment: [String: String]) async throws -> (Int32?, String) {
        let process = try await ChildProcess(
            executable: "/usr/bin/env",
            arguments: ["script", "-qec", ChildProcess.render([try mcpRunBinary()] + arguments), "/dev/null"],
            environment: environment, workingDirectory: repoRoot)
        var ended = await process.waitForExit(timeout: .seconds(30))
        if ended == nil { ended = await process.terminate() }
        _ = await process.waitForOutputClosed(timeout: .seconds(5))
        return (ended?.exitCode, process.stdout + process.stderr)
    }

    /// POSTs the form-encoded `form` to the fixture's `path`; returns the HTTP status.
    static func post(_ server: FixtureServer, _ path: String, form: String = "") async throws -> Int? {
        var request = URLRequest(url: try #require(URL(string: server.baseURL + path)))
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(form.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode
    }

    /// The whole environment for an mcp-run started as a `ChildProcess` (not through `runMCPRun`):
    /// this process's, without what would leak the machine's configuration in (`CI`, a display),
    /// with `secured`, the cache in `home` and the stand-in browser.
    static func childEnvironment(
        _ server: FixtureServer, home: String, oauth: [String: JSONValue] = [:]
    ) throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["MCP_SERVERS", "XDG_CONFIG_HOME", "CI", "DISPLAY", "WAYLAND_DISPLAY"] {
            environment[name] = nil
        }
        environment["MCP_SERVERS"] = servers(server, oauth: oauth)
        environment["MCP_RUN_HOME"] = home
        environment["BROWSER"] = try browserScript(in: home)
        return environment
    }

    @Test("login with dynamic registration, then a run reuses the cache; nothing secret in any output")
    func dynamicRegistration() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            let home = try temporaryDirectory("browser-home")
            let browser = try Self.browserScript(in: home)
            let environment = ["MCP_SERVERS": Self.servers(server), "MCP_RUN_HOME": home, "BROWSER": browser]
            let login = try await runMCPRun(["auth", "login", "secured", "-v"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            #expect(try String(contentsOfFile: home + "/argc", encoding: .utf8) == "1", "the URL is one argument")
            let opened = try String(contentsOfFile: home + "/opened", encoding: .utf8)
            #expect(login.stderr.contains(opened), "the URL is printed to stderr: \(login)")
            #expect(opened.contains("code_challenge_method=S256") && opened.contains("resource="), "\(opened)")
            let cache = try Self.cache(home)
            #expect(cache["registeredClientId"]?.stringValue?.hasPrefix("dyn-") == true)
            var stats = try Self.stats(server)
            #expect(stats["registrations"] == 1 && stats["grants"]?["authorization_code"] == 1, "\(stats.serialized())")
            // The login asked the server first (contract §7) and met its 401; the run must meet none.
            let unauthorizedBeforeRun = stats["unauthorized"]
            #expect(unauthorizedBeforeRun == 1, "\(stats.serialized())")

            let output = home + "/results.json"
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-v", "-o", output], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            let document = try String(contentsOfFile: output, encoding: .utf8)
            let results = try JSONValue.parse(document)
            #expect(
                results.step("who")?["result"]?["structuredContent"]?["client_id"]
                    == cache["registeredClientId"])
            stats = try Self.stats(server)
            #expect(
                stats["token_requests"] == 1 && stats["unauthorized"] == unauthorizedBeforeRun, "\(stats.serialized())")

            let exchanges = stats["code_exchanges"]?.arrayValue ?? []
            #expect(exchanges.count == 1, "\(stats.serialized())")
            let codeAndVerifier = exchanges.flatMap { $0.arrayValue ?? [] }.compactMap(\.stringValue)
            #expect(codeAndVerifier.count == 2 && codeAndVerifier.allSatisfy { $0.count >= 20 })
            // A public client (registered with `none`): no client secret to plant.
            let planted =
                [cache["accessToken"]?.stringValue, cache["refreshToken"]?.stringValue].compactMap { $0 }
                + codeAndVerifier
            #expect(planted.count == 4)
            let code = URLComponents(string: opened)?.queryItems?.first { $0.name == "code_challenge" }?.value
            for text in planted {
                for out in [login.stdout, login.stderr, run.stdout, run.stderr, document] {
                    #expect(!out.contains(text), "an output leaks a token, the code or the verifier")
                }
            }
            #expect(code != nil)
            #expect(!login.stderr.contains("code=code-") && !login.stderr.contains("code_verifier"), "\(login)")
        }
    }

    @Test("a new login registers a new client: a registration the server forgot never reaches /authorize")
    func staleRegistration() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            let (home, environment) = try Self.loginEnvironment(server)
            let first = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(first.exitCode == 0, "\(first)")
            let stale = try #require(try Self.cache(home)["registeredClientId"]?.stringValue)
            // The authorization server loses its registrations (a redeploy, an expiry policy): a
            // stale client_id at /authorize gets an error page and no redirect (RFC 6749 §4.1.2.1).
            #expect(try await Self.post(server, "/forget-clients") == 200)

            let again = try await runMCPRun(
                ["auth", "login", "secured"], environment: environment, deadline: .seconds(30))
            #expect(again.exitCode == 0 && !again.timedOut, "\(again)")
            let opened = try String(contentsOfFile: home + "/opened", encoding: .utf8)
            #expect(!opened.contains("client_id=\(stale)"), "the stale client id was sent: \(opened)")
            #expect(try String(contentsOfFile: home + "/status", encoding: .utf8) == "200")
            let fresh = try Self.cache(home)["registeredClientId"]?.stringValue
            #expect(fresh != nil && fresh != stale)
            let stats = try Self.stats(server)
            #expect(stats["registrations"] == 2 && stats["grants"]?["authorization_code"] == 2, "\(stats.serialized())")
            let run = try await runMCPRun(["run", fixture("workflows/oauth.yaml")], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
        }
    }

    @Test("two logins for different servers with one fixed redirectPort take turns instead of failing to bind")
    func sharedRedirectPort() async throws {
        try await withServer("oauth.py", arguments: Self.clients) { server in
            let home = try temporaryDirectory("browser-home")
            let port = try freeLoopbackPort()
            // A browser that takes 2 s to follow the URL, so the two logins overlap.
            let browser = try Self.slowBrowserScript(in: home, seconds: 2)
            func block(_ scopes: [JSONValue]) -> JSONValue {
                [
                    "url": .string(server.url()), "transport": "streamable-http", "authType": "oauth2",
                    "oauth": [
                        "clientId": "web-public", "tokenEndpointAuthMethod": "none", "flow": "browser",
                        "redirectPort": .integer(port), "scopes": .array(scopes),
                    ],
                ]
            }
            let servers = JSONValue.object(["reader": block(["mcp.read"]), "writer": block(["mcp.write"])])
            let environment = ["MCP_SERVERS": servers.serialized(), "MCP_RUN_HOME": home, "BROWSER": browser]
            async let reader = runMCPRun(["auth", "login", "reader"], environment: environment, deadline: .seconds(40))
            async let writer = runMCPRun(["auth", "login", "writer"], environment: environment, deadline: .seconds(40))
            let (first, second) = try await (reader, writer)
            #expect(first.exitCode == 0, "\(first)")
            #expect(second.exitCode == 0, "\(second)")
            for login in [first, second] {
                #expect(login.stderr.contains("redirect_uri=http://127.0.0.1:\(port)/oauth/callback"), "\(login)")
            }
            #expect(try Self.stats(server)["grants"]?["authorization_code"] == 2)
        }
    }

    @Test(
        "registration is native and uses an advertised auth method; a secret one is kept for token and revoke",
        arguments: [
            ("client_secret_basic,client_secret_post,none", "none"),
            ("client_secret_post,client_secret_basic", "client_secret_basic"),
            ("client_secret_post", "client_secret_post"),
        ])
    func registrationAuthMethod(advertised: String, expected: String) async throws {
        try await withServer("oauth.py", arguments: ["--auth-methods", advertised]) { server in
            let (home, environment) = try Self.loginEnvironment(server)
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            let requests = try Self.stats(server)["registration_requests"]?.arrayValue ?? []
            #expect(requests.count == 1, "\(requests)")
            #expect(requests.first?["application_type"] == "native", "\(requests)")
            #expect(requests.first?["token_endpoint_auth_method"] == .string(expected), "\(requests)")
            let cache = try Self.cache(home)
            #expect((cache["registeredClientSecret"]?.stringValue != nil) == (expected != "none"), "\(cache)")
            let run = try await runMCPRun(
                ["call", "secured", "echo", "text=hi"], environment: environment.merging(["CI": "1"]) { $1 })
            #expect(run.exitCode == 0, "\(run)")
            let revoke = try await runMCPRun(["auth", "revoke", "secured", "-v"], environment: environment)
            #expect(revoke.exitCode == 0 && revoke.stderr.contains("revoked the tokens at the server"), "\(revoke)")
            let stats = try Self.stats(server)
            #expect(stats["revocations"] == 2 && stats["token_errors"] == 0, "\(stats.serialized())")
            if let secret = cache["registeredClientSecret"]?.stringValue {
                for output in [login, run, revoke] {
                    #expect(!output.stdout.contains(secret) && !output.stderr.contains(secret))
                }
            }
        }
    }

    @Test("auth status, revoke and logout find a login made with dynamic registration")
    func dynamicRegistrationAuthCommands() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            let (home, environment) = try Self.loginEnvironment(server)
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            let cache = try Self.cache(home)
            let registered = try #require(cache["registeredClientId"]?.stringValue)
            let status = try await runMCPRun(["auth", "status", "secured"], environment: environment)
            #expect(status.exitCode == 0, "\(status)")
            #expect(status.stdout.contains("client \(registered) (registered dynamically)"), "\(status)")
            #expect(status.stdout.contains("grant authorization_code"), "\(status)")
            let revoke = try await runMCPRun(["auth", "revoke", "secured", "-v"], environment: environment)
            #expect(revoke.exitCode == 0 && revoke.stderr.contains("revoked the tokens at the server"), "\(revoke)")
            let stats = try Self.stats(server)
            #expect(stats["revocations"] == 2 && stats["token_errors"] == 0, "\(stats.serialized())")
            let gone = try await runMCPRun(["auth", "status", "secured"], environment: environment)
            #expect(gone.exitCode == 3 && gone.stderr.contains("no cached login for 'secured'"), "\(gone)")

            let again = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(again.exitCode == 0, "\(again)")
            let logout = try await runMCPRun(["auth", "logout", "secured"], environment: environment)
            #expect(logout.exitCode == 0 && logout.stderr.contains("deleted the cached login"), "\(logout)")
            let names = try FileManager.default.contentsOfDirectory(atPath: home + "/credentials")
            #expect(names.filter { $0.hasSuffix(".json") }.isEmpty, "\(names)")
            let planted = [
                cache["accessToken"]?.stringValue, cache["refreshToken"]?.stringValue,
                cache["registeredClientSecret"]?.stringValue,
            ].compactMap { $0 }
            for run in [login, status, revoke, gone, again, logout] {
                for text in planted { #expect(!run.stdout.contains(text) && !run.stderr.contains(text)) }
            }
        }
    }

    @Test(
        "a pre-registered client logs in with each token-endpoint auth method; its secret never shows",
        arguments: [
            ("web-basic", "client_secret_basic", basicSecret), ("web-post", "client_secret_post", postSecret),
            ("web-public", "none", ""),
        ])
    func preRegistered(clientID: String, method: String, secret: String) async throws {
        try await withServer("oauth.py", arguments: Self.clients + ["--registration", "off"]) { server in
            let home = try temporaryDirectory("browser-home")
            var oauth: [String: JSONValue] = [
                "clientId": .string(clientID), "tokenEndpointAuthMethod": .string(method),
            ]
            if !secret.isEmpty { oauth["clientSecret"] = "${{ secrets.CLIENT_SECRET }}" }
            let environment = [
                "MCP_SERVERS": Self.servers(server, oauth: oauth), "MCP_RUN_HOME": home,
                "BROWSER": try Self.browserScript(in: home), "CLIENT_SECRET": secret,
            ]
            let login = try await runMCPRun(["auth", "login", "secured", "-v"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-o", "-"], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            #expect(try run.json().step("who")?["result"]?["structuredContent"]?["client_id"]?.stringValue == clientID)
            let stats = try Self.stats(server)
            #expect(stats["grants"]?["authorization_code"] == 1 && stats["registrations"] == 0, "\(stats.serialized())")
            if !secret.isEmpty {
                for out in [login.stdout, login.stderr, run.stdout, run.stderr] { #expect(!out.contains(secret)) }
            }
        }
    }

    @Test(
        "a hostile authorization_endpoint is refused before anything is launched",
        arguments: [
            "javascript:alert(1)", "file:///etc/passwd", "https://127.0.0.1/a;touch MARKER", "ftp://127.0.0.1/x",
        ])
    func hostileEndpoint(endpoint: String) async throws {
        let home = try temporaryDirectory("browser-home")
        let marker = home + "/shell-marker"
        let claimed = endpoint.replacingOccurrences(of: "MARKER", with: marker)
        try await withServer("oauth.py", arguments: ["--authorization-endpoint", claimed]) { server in
            let login = try await runMCPRun(
                ["auth", "login", "secured"],
                environment: [
                    "MCP_SERVERS": Self.servers(server), "MCP_RUN_HOME": home,
                    "BROWSER": try Self.browserScript(in: home),
                ], deadline: .seconds(30))
            #expect(login.exitCode == 3 && !login.timedOut, "\(login)")
            #expect(login.stderr.contains("refusing the authorization_endpoint"), "\(login)")
            #expect(!Self.exists(home + "/opened"), "the browser was launched")
            #expect(!Self.exists(marker), "a shell ran the URL")
            let stats = try Self.stats(server)
            #expect(stats["registrations"] == 0 && stats["token_requests"] == 0, "\(stats.serialized())")
        }
    }

    @Test("metadata without S256 is refused before a login starts")
    func noS256() async throws {
        try await withServer("oauth.py", arguments: ["--no-s256"]) { server in
            let home = try temporaryDirectory("browser-home")
            let login = try await runMCPRun(
                ["auth", "login", "secured"],
                environment: [
                    "MCP_SERVERS": Self.servers(server), "MCP_RUN_HOME": home,
                    "BROWSER": try Self.browserScript(in: home),
                ], deadline: .seconds(30))
            #expect(login.exitCode == 3 && login.stderr.contains("S256"), "\(login)")
            #expect(!Self.exists(home + "/opened"))
            #expect(try Self.stats(server)["token_requests"] == 0)
        }
    }

    @Test("a wrong iss on the redirect is refused and the code never reaches the token endpoint")
    func wrongIssuer() async throws {
        try await withServer("oauth.py", arguments: ["--iss", "wrong"]) { server in
            let home = try temporaryDirectory("browser-home")
            let login = try await runMCPRun(
                ["auth", "login", "secured"],
                environment: [
                    "MCP_SERVERS": Self.servers(server), "MCP_RUN_HOME": home,
                    "BROWSER": try Self.browserScript(in: home),
                ], deadline: .seconds(30))
            #expect(login.exitCode == 3 && login.stderr.contains("issuer"), "\(login)")
            let stats = try Self.stats(server)
            #expect(stats["authorize"] == 1 && stats["token_requests"] == 0, "\(stats.serialized())")
        }
    }

    @Test("a redirect with the wrong state gets 400, never reaches the token endpoint, and the wait goes on")
    func wrongState() async throws {
        try await withServer("oauth.py", arguments: ["--state", "wrong"]) { server in
            let home = try temporaryDirectory("browser-home")
            let login = try await runMCPRun(
                ["auth", "login", "secured"],
                environment: [
                    "MCP_SERVERS": Self.servers(server), "MCP_RUN_HOME": home,
                    "BROWSER": try Self.browserScript(in: home),
                ], deadline: .seconds(8))
            #expect(login.timedOut, "still waiting for the right redirect: \(login)")
            #expect(try String(contentsOfFile: home + "/status", encoding: .utf8) == "400")
            let stats = try Self.stats(server)
            #expect(stats["authorize"] == 1 && stats["token_requests"] == 0, "\(stats.serialized())")
        }
    }

    @Test("with --no-browser the redirected URL pasted on stdin logs in; a paste with another state is refused")
    func pasteBack() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            let home = try temporaryDirectory("browser-home")
            let environment = try Self.childEnvironment(server, home: home)
            let login = try await ChildProcess(
                executable: try mcpRunBinary(), arguments: ["auth", "login", "secured", "--no-browser"],
                environment: environment, workingDirectory: repoRoot, keepsStdinOpen: true)
            defer { login.closeStdin() }
            let prefix = server.baseURL + "/authorize?"
            let printed = await login.waitForStderrLine(timeout: .seconds(30)) { line -> String? in
                let text = line.trimmingCharacters(in: .whitespaces)
                return text.hasPrefix(prefix) ? text : nil
            }
            let url = try #require(printed, "the login URL is printed: \(login.stderr)")
            let asked = await login.waitForStderrLine(timeout: .seconds(10)) {
                $0.contains("paste the URL") ? true : nil
            }
            #expect(asked == true, "\(login.stderr)")

            login.writeToStdin("http://127.0.0.1:9/oauth/callback?code=stolen-code&state=not-this-login\n")
            let refused = await login.waitForStderrLine(timeout: .seconds(10)) {
                $0.contains("that is not the redirected URL of this login") ? true : nil
            }
            #expect(refused == true, "\(login.stderr)")

            // The person's browser: the authorization server redirects to the loopback callback,
            // which the browser cannot reach; the person copies the address bar instead.
            let curl = try await ChildProcess(
                executable: "/usr/bin/env",
                arguments: ["curl", "-s", "-o", "/dev/null", "--max-time", "10", "-w", "%{redirect_url}", url],
                environment: ProcessInfo.processInfo.environment)
            #expect(await curl.waitForExit(timeout: .seconds(15))?.exitCode == 0)
            #expect(await curl.waitForOutputClosed(timeout: .seconds(5)), "curl's stdout was read to its end")
            let redirected = curl.stdout
            #expect(redirected.contains("/oauth/callback?") && redirected.contains("code="), "\(redirected)")
            login.writeToStdin(redirected + "\n")

            let ended = await login.waitForExit(timeout: .seconds(30))
            if ended == nil { await login.terminate() }
            _ = await login.waitForOutputClosed(timeout: .seconds(5))
            #expect(ended?.exitCode == 0, "\(login.stderr)")
            #expect(login.stderr.contains("logged in to 'secured'"), "\(login.stderr)")
            #expect(!Self.exists(home + "/opened"), "--no-browser launched the browser")
            let stats = try Self.stats(server)
            #expect(
                stats["grants"]?["authorization_code"] == 1 && stats["code_errors"] == 0, "\(stats.serialized())")
            let code = URLComponents(string: redirected)?.queryItems?.first { $0.name == "code" }?.value
            #expect(code.map { !login.stderr.contains($0) && !login.stdout.contains($0) } == true, "the code shows")
            #expect(try Self.cache(home)["accessToken"]?.stringValue != nil)
        }
    }

    @Test("on a terminal a call starts the browser login itself; --non-interactive or MCP_RUN_NON_INTERACTIVE stop it")
    func terminalRun() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            let home = try temporaryDirectory("browser-home")
            let environment = try Self.childEnvironment(server, home: home)
            let call = ["call", "secured", "whoami"]
            for (arguments, extra) in [(call + ["--non-interactive"], [:]), (call, ["MCP_RUN_NON_INTERACTIVE": "1"])] {
                let (status, output) = try await Self.onTerminal(
                    arguments, environment: environment.merging(extra) { _, new in new })
                #expect(status == 3, "\(output)")
                #expect(output.contains("run 'mcp-run auth login secured' on a machine with a browser"), "\(output)")
                #expect(!Self.exists(home + "/opened"), "a non-interactive run launched the browser")
            }
            #expect(try Self.stats(server)["authorize"] == 0)

            let (status, output) = try await Self.onTerminal(call, environment: environment)
            #expect(status == 0, "\(output)")
            #expect(
                output.contains("open this URL in a browser") && output.contains("\"authenticated\":true"), "\(output)")
            #expect(Self.exists(home + "/opened"), "the browser was launched")
            let stats = try Self.stats(server)
            #expect(stats["authorize"] == 1 && stats["grants"]?["authorization_code"] == 1, "\(stats.serialized())")
            #expect(stats["well_known_with_credentials"] == 0, "a credential went to a metadata URL")
        }
    }

    @Test("a login during a run does not count against the request's timeout")
    func loginOutlastsRequestTimeout() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            let home = try temporaryDirectory("browser-home")
            var environment = try Self.childEnvironment(server, home: home)
            // The person takes 3 s to log in; the server's requests may take 1 s.
            environment["BROWSER"] = try Self.slowBrowserScript(in: home, seconds: 3)
            environment["MCP_SERVERS"] = JSONValue.object([
                "secured": [
                    "url": .string(server.url()), "transport": "streamable-http", "authType": "oauth2",
                    "timeout": 1000,
                ]
            ]).serialized()
            let (status, output) = try await Self.onTerminal(["call", "secured", "whoami"], environment: environment)
            #expect(status == 0, "\(output)")
            #expect(output.contains(#""authenticated":true"#), "\(output)")
            // A request to a server that is slow on its own still times out at its limit.
            let slow = try await runMCPRun(["call", "secured", "sleep", "ms=3000"], environment: environment)
            #expect(slow.exitCode != 0 && slow.stderr.contains("within 1s"), "\(slow)")
        }
    }

    @Test("step-up on a terminal: a 403 insufficient_scope starts one browser login with the union of scopes")
    func stepUp() async throws {
        try await withServer("oauth.py", arguments: ["--insufficient-scope", "mcp.write"]) { server in
            let home = try temporaryDirectory("browser-home")
            let environment = try Self.childEnvironment(server, home: home, oauth: ["scopes": ["mcp.read"]])
            let (status, output) = try await Self.onTerminal(["call", "secured", "whoami"], environment: environment)
            #expect(status == 0, "\(output)")
            #expect(output.contains(#""scopes":["mcp.read","mcp.write"]"#), "\(output)")
            let stats = try Self.stats(server)
            #expect(stats["authorize"] == 2 && stats["forbidden"] == 1, "\(stats.serialized())")
            #expect(try Self.cache(home)["grantedScopes"] == ["mcp.read", "mcp.write"])
            // The next run uses the stepped-up token: no login, no 403.
            let again = try await runMCPRun(["call", "secured", "whoami"], environment: environment)
            #expect(again.exitCode == 0, "\(again)")
            #expect(try Self.stats(server)["authorize"] == 2 && Self.stats(server)["forbidden"] == 1)
        }
    }

    @Test("no step-up loop for a browser login: a server that always answers 403 ends the run, exit 3")
    func stepUpNoLoop() async throws {
        try await withServer("oauth.py", arguments: ["--insufficient-scope", "mcp.write", "--always-403"]) { server in
            let home = try temporaryDirectory("browser-home")
            let environment = try Self.childEnvironment(server, home: home, oauth: ["scopes": ["mcp.read"]])
            let (status, output) = try await Self.onTerminal(["call", "secured", "whoami"], environment: environment)
            #expect(status == 3, "\(output)")
            #expect(output.contains("insufficient_scope") && output.contains("mcp.write"), "\(output)")
            let stats = try Self.stats(server)
            #expect(stats["authorize"] == 2 && stats["forbidden"] == 2, "one step-up: \(stats.serialized())")
        }
    }

    @Test("step-up for a browser login in a non-interactive run: exit 3 naming the scope, no second login")
    func stepUpNonInteractive() async throws {
        try await withServer("oauth.py", arguments: ["--insufficient-scope", "mcp.write"]) { server in
            let home = try temporaryDirectory("browser-home")
            let environment = try Self.childEnvironment(server, home: home, oauth: ["scopes": ["mcp.read"]])
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            let run = try await runMCPRun(
                ["call", "secured", "whoami"], environment: environment, deadline: .seconds(30))
            #expect(run.exitCode == 3 && !run.timedOut, "\(run)")
            #expect(run.stderr.contains("mcp.write") && run.stderr.contains("non-interactive"), "\(run)")
            #expect(try Self.stats(server)["authorize"] == 1)
        }
    }

    @Test("a refresh token revoked at the server ends a non-interactive run with exit 3: log in again")
    func revokedRefreshToken() async throws {
        try await withServer("oauth.py", arguments: Self.clients + ["--token-lifetime", "1"]) { server in
            let (home, environment) = try await Self.loggedIn(server)
            let refreshToken = try #require(try Self.cache(home)["refreshToken"]?.stringValue)
            // RFC 7009 at the server, as the user or an administrator would revoke it.
            #expect(try await Self.post(server, "/revoke", form: "client_id=web-public&token=\(refreshToken)") == 200)
            try await Task.sleep(for: .milliseconds(1200))  // the 1-second access token has lapsed

            let output = home + "/results.json"
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-o", output], environment: environment,
                deadline: .seconds(30))
            #expect(run.exitCode == 3 && !run.timedOut, "\(run)")
            #expect(run.stderr.contains("refused the refresh token of the cached login"), "\(run)")
            #expect(run.stderr.contains("run 'mcp-run auth login secured' on a machine with a browser"), "\(run)")
            let results = try JSONValue.parse(try String(contentsOfFile: output, encoding: .utf8))
            #expect(results.step("who")?["status"] == "failed", "\(results.serialized())")
            let stats = try Self.stats(server)
            #expect(stats["refresh_unknown"] == 1 && stats["authorize"] == 1, "no second login: \(stats.serialized())")
            #expect(!run.stderr.contains(refreshToken) && !run.stdout.contains(refreshToken))
        }
    }

    @Test(
        "a token endpoint that says 'not now' to a refresh is retried with Retry-After and backoff",
        arguments: ["503", "429", "temporarily_unavailable"])
    func refreshNotNow(kind: String) async throws {
        try await withServer("oauth.py", arguments: Self.clients + ["--token-lifetime", "1"]) { server in
            let (home, environment) = try await Self.loggedIn(server)
            #expect(try await Self.post(server, "/token-unavailable?n=2&kind=\(kind)&retry_after=1", form: "") == 200)
            try await Task.sleep(for: .milliseconds(1200))  // the 1-second access token has lapsed

            let output = home + "/results.json"
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-o", output, "-v"], environment: environment,
                deadline: .seconds(60))
            #expect(run.exitCode == 0 && !run.timedOut, "\(run)")
            #expect(run.stderr.contains("retry 2 of 3"), "\(run)")
            let stats = try Self.stats(server)
            #expect(stats["token_unavailable"] == 2, "\(stats.serialized())")
            #expect(stats["grants"]?["refresh_token"] == 3 && stats["authorize"] == 1, "\(stats.serialized())")
        }
    }

    @Test("a token endpoint still saying 'not now' after the retries: exit 4, the login kept for the next run")
    func refreshStillUnavailable() async throws {
        try await withServer("oauth.py", arguments: Self.clients + ["--token-lifetime", "1"]) { server in
            let (home, environment) = try await Self.loggedIn(server)
            let cached = try Self.cache(home)
            #expect(try await Self.post(server, "/token-unavailable?n=4&kind=503&retry_after=0", form: "") == 200)
            try await Task.sleep(for: .milliseconds(1200))

            let failed = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-o", home + "/results.json"], environment: environment,
                deadline: .seconds(60))
            #expect(failed.exitCode == 4 && !failed.timedOut, "\(failed)")
            #expect(failed.stderr.contains("could not refresh the token: HTTP 503"), "\(failed)")
            #expect(failed.stderr.contains("the login is kept"), "\(failed)")
            #expect(!failed.stderr.contains("auth login"), "no advice to log in again: \(failed)")
            #expect(try Self.cache(home)["refreshToken"] == cached["refreshToken"], "the refresh token is kept")

            // The server is back: the next run refreshes with the kept token, no login.
            let next = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml"), "-o", home + "/results.json"], environment: environment,
                deadline: .seconds(60))
            #expect(next.exitCode == 0, "\(next)")
            #expect(try Self.stats(server)["authorize"] == 1)
        }
    }

    @Test("$BROWSER as a list: an entry that cannot start is reported and the next is tried, with %s placed")
    func browserList() async throws {
        try await withServer("oauth.py", arguments: Self.clients) { server in
            let home = try temporaryDirectory("browser-home")
            let script = try Self.browserScript(in: home)
            let environment = [
                "MCP_SERVERS": Self.servers(
                    server, oauth: ["clientId": "web-public", "tokenEndpointAuthMethod": "none"]),
                "MCP_RUN_HOME": home, "BROWSER": "no-such-browser-7f3a --new-window:\(script) %s --new-tab",
            ]
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            #expect(
                login.stderr.contains("could not start the browser 'no-such-browser-7f3a --new-window'"), "\(login)")
            #expect(!login.stderr.contains("no browser could be started"), "\(login)")
            #expect(try String(contentsOfFile: home + "/argc", encoding: .utf8) == "2", "the URL, then --new-tab")
            #expect(try String(contentsOfFile: home + "/opened", encoding: .utf8).contains("/authorize?"))
        }
    }

    @Test("a non-interactive run that needs a login exits 3 with the advice, launches nothing and does not hang")
    func nonInteractive() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            let home = try temporaryDirectory("browser-home")
            let environment = [
                "MCP_SERVERS": Self.servers(server), "MCP_RUN_HOME": home, "BROWSER": try Self.browserScript(in: home),
            ]
            let run = try await runMCPRun(
                ["run", fixture("workflows/oauth.yaml")], environment: environment, deadline: .seconds(30))
            #expect(run.exitCode == 3 && !run.timedOut, "\(run)")
            #expect(run.stderr.contains("run 'mcp-run auth login secured' on a machine with a browser"), "\(run)")
            var ci = environment
            ci["CI"] = "true"
            let login = try await runMCPRun(["auth", "login", "secured"], environment: ci, deadline: .seconds(30))
            #expect(login.exitCode == 3 && !login.timedOut, "\(login)")
            #expect(!Self.exists(home + "/opened"), "nothing was launched")
            #expect(try Self.stats(server)["authorize"] == 0)
        }
    }
}
