import Basics
import Foundation
import TestSupport
import Testing

/// Issue #8 items 2 and 5, through the binary: secrets are masked in every output and every
/// encoding mcp-run writes them in, and a server's control characters never reach stderr.
@Suite("output safety", .timeLimit(.minutes(4)))
struct OutputSafetyTests {
    /// A secret with every character that changes when JSON-escaped, and non-ASCII text.
    static let awkward = "aw\"k\\ward\ttab\nnewline\u{1}é-planted-9f3c"

    /// `text` as mcp-run's JSON serializer writes it, without the quotes.
    static func jsonEscaped(_ text: String) -> String {
        String(JSONValue.string(text).serialized().dropFirst().dropLast())
    }

    /// Every form of `secret` that must not show: raw, JSON-escaped, and a part of each of its lines
    /// (a stdio server's stderr is shown line by line).
    static func forms(of secret: String) -> [String] {
        [secret, jsonEscaped(secret), "aw\"k\\ward", #"aw\"k\\ward"#, "planted-9f3c"]
    }

    /// The server-sent bytes that must never reach a terminal: ESC, BEL, CR, backspace, C1 CSI and
    /// the bidi controls.
    static func controlCharacters(in text: String) -> [String] {
        var found: [String] = []
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x1B, 0x07, 0x0D, 0x08, 0x9B, 0x202A...0x202E, 0x2066...0x2069:
                found.append(String(scalar.value, radix: 16))
            default: continue
            }
        }
        return found
    }

    @Test(
        "a secret with quotes, backslashes, tabs, newlines and non-ASCII text is masked in stdout, stderr, -v and the results",
        arguments: [ServerRoute.stdio, ServerRoute.streamableJSON])
    func awkwardSecret(route: ServerRoute) async throws {
        try await withFixture(route) { servers in
            let folder = try temporaryDirectory("awkward-secret")
            let output = folder + "/results.json"
            let environment = ["MCP_SERVERS": servers, "AWKWARD": Self.awkward]
            let run = try await runMCPRun(
                ["run", fixture("workflows/output-safety.yaml"), "-v", "-o", output], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            let document = try String(contentsOfFile: output, encoding: .utf8)
            let jsonl = try await runMCPRun(
                ["run", fixture("workflows/output-safety.yaml"), "--format", "jsonl", "-v"], environment: environment)
            #expect(jsonl.exitCode == 0, "\(jsonl)")
            let plain = try await runMCPRun(["run", fixture("workflows/output-safety.yaml")], environment: environment)
            #expect(plain.exitCode == 0, "\(plain)")
            #expect(document.contains("token is ***"), "the echoed secret is masked: \(document)")
            #expect(run.stderr.contains("tools/call"), "-v traces the protocol: \(run)")
            for form in Self.forms(of: Self.awkward) {
                for (name, text) in [
                    ("results", document), ("-v stderr", run.stderr), ("stdout", run.stdout),
                    ("jsonl stdout", jsonl.stdout), ("jsonl -v stderr", jsonl.stderr),
                    ("results on stdout", plain.stdout), ("stderr", plain.stderr),
                ] {
                    #expect(!text.contains(form), "\(name) leaks \(form.debugDescription)")
                }
            }
        }
    }

    @Test(
        "a tool error, a JSON-RPC error and a log message with control characters reach stderr neutralised, and the results keep them",
        arguments: [ServerRoute.stdio, ServerRoute.streamableSSE])
    func controlCharactersNeutralised(route: ServerRoute) async throws {
        try await withFixture(route) { servers in
            let folder = try temporaryDirectory("terminal-injection")
            let output = folder + "/results.json"
            let environment = ["MCP_SERVERS": servers, "AWKWARD": "unused-planted-secret"]
            for verbose in [false, true] {
                let run = try await runMCPRun(
                    ["run", fixture("workflows/output-safety.yaml"), "-o", output] + (verbose ? ["-v"] : []),
                    environment: environment)
                #expect(run.exitCode == 0, "\(run)")
                #expect(Self.controlCharacters(in: run.stderr).isEmpty, "stderr: \(run.stderr.debugDescription)")
                #expect(run.stderr.contains(#"\x1b]0;pwned\x07 title\rover\x08write \x1b[2J \u{009B}1m \u{202E}evil"#))
                #expect(run.stderr.contains(#"rpc *** \x1b]0;pwned\x07 title\rover \u{2066}x\u{2069}"#), "\(run)")
                let results = try JSONValue.parse(try String(contentsOfFile: output, encoding: .utf8))
                let toolError = results.step("fail")?["error"]?["message"]?.stringValue ?? ""
                #expect(
                    toolError.contains("\u{1B}]0;pwned\u{7} title\rover\u{8}write"), "raw in the results: \(results)")
                let rpcError = results.step("rpc")?["error"]?["message"]?.stringValue ?? ""
                #expect(rpcError.contains("\u{1B}]0;pwned\u{7} title\rover"), "raw in the results: \(results)")
            }
        }
    }

    @Test("a stdio server's stderr lines with control characters are neutralised, under -v and in the failure")
    func stdioStderrNeutralised() async throws {
        try await withFixture(.stdio) { servers in
            for verbose in [false, true] {
                let run = try await runMCPRun(
                    ["run", fixture("workflows/stderr-injection.yaml")] + (verbose ? ["-v"] : []),
                    environment: ["MCP_SERVERS": servers])
                #expect(run.exitCode == 1, "\(run)")
                #expect(Self.controlCharacters(in: run.stderr).isEmpty, "stderr: \(run.stderr.debugDescription)")
                if verbose {
                    #expect(run.stderr.contains(#"server says \x1b]0;pwned\x07 title\rover\x1b[1A\x1b[2K"#), "\(run)")
                }
                let results = try run.json()
                #expect(results.step("noisy")?["status"] == "failed", "\(results)")
            }
        }
    }

    @Test("'mcp-run tools' shows a server's tool names and descriptions with control characters neutralised")
    func toolListingNeutralised() async throws {
        let folder = try temporaryDirectory("hostile-tools")
        let script = folder + "/hostile.py"
        try """
        import anyio
        from mcp.server.mcpserver import MCPServer

        mcp = MCPServer("hostile\\u001b]0;pwned\\u0007")


        @mcp.tool(name="t\\u001b[2Jx", description="first \\u001b]0;pwned\\u0007 line\\rover\\u202eevil")
        def hostile(text: str) -> str:
            return text


        anyio.run(mcp.run_stdio_async)
        """.write(toFile: script, atomically: true, encoding: .utf8)
        let servers = JSONValue.object([
            "hostile": ["transport": "stdio", "command": .string(try venvPython()), "args": [.string(script)]]
        ]).serialized()
        let run = try await runMCPRun(["tools", "hostile"], environment: ["MCP_SERVERS": servers])
        #expect(run.exitCode == 0, "\(run)")
        #expect(Self.controlCharacters(in: run.stdout).isEmpty, "stdout: \(run.stdout.debugDescription)")
        #expect(run.stdout.contains(#"t\x1b[2Jx"#), "\(run)")
        #expect(run.stdout.contains(#"first \x1b]0;pwned\x07 line\rover\u{202E}evil"#), "\(run)")
        let json = try await runMCPRun(["tools", "hostile", "--json"], environment: ["MCP_SERVERS": servers])
        #expect(json.stdout.contains(#"t\u001b[2Jx"#), "--json keeps the raw name, JSON-escaped: \(json)")
    }

    @Test("'mcp-run auth status' shows scopes a server granted with control characters neutralised")
    func authStatusNeutralised() async throws {
        let hostile = "x\u{1B}]0;pwned\u{7}"
        try await withServer(
            "oauth.py",
            arguments: [
                "--client", "ci-basic:cs-status-planted-1:client_secret_basic", "--scopes", "mcp.read,\(hostile)",
            ]
        ) { server in
            let environment = [
                "MCP_SERVERS": AuthFlowTests.servers(server), "CLIENT_SECRET": "cs-status-planted-1",
                "MCP_RUN_HOME": try temporaryDirectory("oauth-status"),
            ]
            let login = try await runMCPRun(["auth", "login", "secured"], environment: environment)
            #expect(login.exitCode == 0, "\(login)")
            let status = try await runMCPRun(["auth", "status", "secured"], environment: environment)
            #expect(status.exitCode == 0, "\(status)")
            for run in [login, status] {
                #expect(Self.controlCharacters(in: run.stdout + run.stderr).isEmpty, "\(run)")
            }
            #expect(status.stdout.contains(#"x\x1b]0;pwned\x07"#), "\(status)")
        }
    }

    @Test(
        "a server that echoes the credential header it got shows *** for it and its encoded forms, even under -v",
        arguments: AuthCase.all)
    func echoedCredentialHeader(authCase: AuthCase) async throws {
        try await authCase.withSecuredServer { _, environment in
            let header = authCase.name == "api-key" ? "X-Fixture-Key" : "Authorization"
            let output = try temporaryDirectory("header-echo") + "/results.json"
            let run = try await runMCPRun(
                ["run", fixture("workflows/header-echo.yaml"), "--input", "header=\(header)", "-v", "-o", output],
                environment: environment)
            #expect(run.exitCode == 1, "\(run)")
            let document = try String(contentsOfFile: output, encoding: .utf8)
            #expect(run.stderr.contains("\(header): ***"), "the echo is shown, masked: \(run)")
            #expect(document.contains("\(header): ***"), "\(document)")
            for secret in authCase.planted {
                #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret), "an output leaks \(secret)")
                #expect(!document.contains(secret), "the results leak \(secret)")
            }
        }
    }

    @Test("an OAuth access token echoed by the server, and a client_secret_basic header echoed by /token, are masked")
    func echoedOAuthCredentials() async throws {
        let secret = "cs-basic-planted-\"q\\7e"
        try await withServer(
            "oauth.py", arguments: ["--client", "ci-basic:\(secret):client_secret_basic", "--echo-credentials"]
        ) { server in
            let home = try temporaryDirectory("oauth-echo")
            let output = home + "/results.json"
            var environment = [
                "MCP_SERVERS": AuthFlowTests.servers(server), "CLIENT_SECRET": secret, "MCP_RUN_HOME": home,
            ]
            let run = try await runMCPRun(
                ["run", fixture("workflows/header-echo.yaml"), "--input", "header=authorization", "-v", "-o", output],
                environment: environment)
            #expect(run.exitCode == 1, "\(run)")
            let document = try String(contentsOfFile: output, encoding: .utf8)
            #expect(run.stderr.contains("authorization: ***"), "the echoed header is masked: \(run)")
            let cache = try AuthFlowTests.cacheFile(home).json
            let access = try #require(cache["accessToken"]?.stringValue)
            for text in [access, secret, Self.jsonEscaped(secret)] + AuthFlowTests.planted(cache: cache) {
                #expect(!run.stdout.contains(text) && !run.stderr.contains(text), "an output leaks \(text)")
                #expect(!document.contains(text), "the results leak \(text)")
            }

            // A wrong client secret: /token echoes the Basic header and the secret in its error.
            let wrongSecret = "wrong planted/secret+\"é"
            environment["CLIENT_SECRET"] = wrongSecret
            environment["MCP_RUN_HOME"] = try temporaryDirectory("oauth-echo-wrong")
            let refused = try await runMCPRun(
                ["run", fixture("workflows/header-echo.yaml"), "--input", "header=authorization", "-v"],
                environment: environment)
            #expect(refused.exitCode == 3, "\(refused)")
            #expect(refused.stderr.contains("wrong client secret (got '***'"), "the echo is shown, masked: \(refused)")
            let pair = "ci-basic:" + FormEncoding.encoded(wrongSecret)
            let basic = Data(pair.utf8).base64EncodedString()
            for text in [wrongSecret, Self.jsonEscaped(wrongSecret), FormEncoding.encoded(wrongSecret), basic] {
                #expect(!refused.stdout.contains(text) && !refused.stderr.contains(text), "an output leaks \(text)")
            }
        }
    }
}

/// The `application/x-www-form-urlencoded` form of a value, as mcp-run writes client credentials.
enum FormEncoding {
    static func encoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "*"):
                out.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: " "): out.append("+")
            default: out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
