import Basics
import Foundation
import TestSupport
import Testing

/// A planted credential per auth type, the fixture server's settings for it, and the server block.
struct AuthCase: CustomStringConvertible, Sendable {
    var name: String
    var serverArguments: [String]
    var serverEnvironment: [String: String]
    var block: [String: JSONValue]
    var secrets: [String: String]
    /// Text that must never appear in any output (the secrets, and derived forms like base64).
    var planted: [String]

    var description: String { name }

    static let all: [AuthCase] = [
        AuthCase(
            name: "api-key", serverArguments: ["--auth", "api-key", "--api-key-header", "X-Fixture-Key"],
            serverEnvironment: ["FIXTURE_API_KEY": "k3y-planted-8c1f"],
            block: ["authType": "api-key", "apiKey": "${{ secrets.FIXTURE_KEY }}", "apiKeyHeader": "X-Fixture-Key"],
            secrets: ["FIXTURE_KEY": "k3y-planted-8c1f"], planted: ["k3y-planted-8c1f"]),
        AuthCase(
            name: "bearer-token", serverArguments: ["--auth", "bearer"],
            serverEnvironment: ["FIXTURE_TOKEN": "t0k3n-planted-77aa"],
            block: ["authType": "bearer-token", "token": "${{ secrets.FIXTURE_TOKEN_VALUE }}"],
            secrets: ["FIXTURE_TOKEN_VALUE": "t0k3n-planted-77aa"], planted: ["t0k3n-planted-77aa"]),
        AuthCase(
            name: "basic", serverArguments: ["--auth", "basic"],
            serverEnvironment: ["FIXTURE_USERNAME": "ada@example.com", "FIXTURE_PASSWORD": "pa55-planted-0e2b"],
            block: [
                "authType": "basic", "username": "${{ secrets.ATLASSIAN_EMAIL }}",
                "password": "${{ secrets.ATLASSIAN_API_TOKEN }}",
            ],
            secrets: ["ATLASSIAN_EMAIL": "ada@example.com", "ATLASSIAN_API_TOKEN": "pa55-planted-0e2b"],
            planted: [
                "pa55-planted-0e2b", Data("ada@example.com:pa55-planted-0e2b".utf8).base64EncodedString(),
            ]),
    ]

    /// Runs `body` with `tools.py` over Streamable HTTP demanding this auth type, and the
    /// environment for mcp-run: the planted secrets and `MCP_SERVERS` naming it `secured`.
    func withSecuredServer(_ body: (FixtureServer, [String: String]) async throws -> Void) async throws {
        try await withServer(
            "tools.py", arguments: ["--transport", "streamable-http"] + serverArguments,
            environment: serverEnvironment
        ) { server in
            var block = block
            block["url"] = .string(server.url())
            block["transport"] = "streamable-http"
            var environment = secrets
            environment["MCP_SERVERS"] = JSONValue.object(["secured": .object(block)]).serialized()
            try await body(server, environment)
        }
    }
}

@Suite("auth and secrets", .timeLimit(.minutes(3)))
struct AuthTests {
    @Test(
        "each auth type reaches a server that demands it, and no planted secret shows anywhere, even under -v",
        arguments: AuthCase.all)
    func authTypes(authCase: AuthCase) async throws {
        try await authCase.withSecuredServer { _, secured in
            let folder = try temporaryDirectory("auth")
            let output = folder + "/results.json"
            let echoed = "echo-planted-5d9e"
            var environment = secured
            environment["PLANTED"] = echoed
            let run = try await runMCPRun(
                ["run", fixture("workflows/auth.yaml"), "-v", "-o", output], environment: environment)
            #expect(run.exitCode == 0, "\(run)")
            let document = try String(contentsOfFile: output, encoding: .utf8)
            let results = try JSONValue.parse(document)
            #expect(results.step("who")?["result"]?["structuredContent"]?["authenticated"] == true, "\(document)")
            #expect(document.contains("token is ***"), "a secret echoed back by a tool is masked: \(document)")
            for secret in authCase.planted + [echoed] {
                #expect(!run.stdout.contains(secret), "stdout leaks \(secret)")
                #expect(!run.stderr.contains(secret), "stderr (-v) leaks \(secret)")
                #expect(!document.contains(secret), "the results document leaks \(secret)")
            }
            #expect(run.stderr.contains("tools/call"), "-v traces the protocol: \(run)")

            // The same server with a wrong credential: exit 3, naming the server; still nothing leaks.
            var wrong = environment
            for key in authCase.secrets.keys { wrong[key] = "wrong-planted-\(key.count)-value" }
            let refused = try await runMCPRun(["run", fixture("workflows/auth.yaml"), "-v"], environment: wrong)
            #expect(refused.exitCode == 3, "\(refused)")
            #expect(refused.stderr.contains("secured"), "\(refused)")
            for key in authCase.secrets.keys {
                let value = "wrong-planted-\(key.count)-value"
                #expect(!refused.stdout.contains(value) && !refused.stderr.contains(value), "\(refused)")
            }
        }
    }

    @Test("secrets come from a --secrets dotenv file too, and a missing secret exits 2 before any call")
    func secretsFile() async throws {
        let authCase = AuthCase.all[1]
        try await withServer(
            "tools.py", arguments: ["--transport", "streamable-http", "--json-response"] + authCase.serverArguments,
            environment: authCase.serverEnvironment
        ) { server in
            var block = authCase.block
            block["url"] = .string(server.url())
            let servers = JSONValue.object(["secured": .object(block)]).serialized()
            let folder = try temporaryDirectory("secrets-file")
            let file = folder + "/ci.env"
            try "# CI secrets\nexport FIXTURE_TOKEN_VALUE=\"t0k3n-planted-77aa\"\nPLANTED='echo-planted-5d9e'\n"
                .write(toFile: file, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(
                ["run", fixture("workflows/auth.yaml"), "--secrets", file], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            #expect(!run.stdout.contains("t0k3n-planted-77aa") && !run.stdout.contains("echo-planted-5d9e"))
            let missing = try await runMCPRun(
                ["run", fixture("workflows/auth.yaml")], environment: ["MCP_SERVERS": servers])
            #expect(missing.exitCode == 2, "\(missing)")
            #expect(missing.stderr.contains("secret 'FIXTURE_TOKEN_VALUE' is not set"), "\(missing)")
        }
    }

    @Test("a stdio server gets an allow-listed environment, not the whole parent's")
    func stdioEnvironmentIsAllowListed() async throws {
        let (command, arguments) = try fixtureServerCommand("tools.py")
        let servers = JSONValue.object([
            "fixture": [
                "transport": "stdio", "command": .string(command), "args": .array(arguments.map { .string($0) }),
                "env": ["DECLARED": "yes"],
            ]
        ]).serialized()
        let parentOnly = try await runMCPRun(
            ["call", "fixture", "env", "name=PARENT_ONLY_VARIABLE"],
            environment: ["MCP_SERVERS": servers, "PARENT_ONLY_VARIABLE": "leak"])
        #expect(parentOnly.exitCode == 0, "\(parentOnly)")
        #expect(!parentOnly.stdout.contains("leak"), "\(parentOnly)")
        let declared = try await runMCPRun(
            ["call", "fixture", "env", "name=DECLARED"], environment: ["MCP_SERVERS": servers])
        #expect(declared.stdout.contains("yes"), "\(declared)")
    }
}

@Suite("interruption", .timeLimit(.minutes(2)))
struct InterruptTests {
    @Test(
        "SIGINT during a long call: exit 130 and the results document on disk with 'cancelled'",
        arguments: [ServerRoute.stdio, .streamableSSE])
    func sigint(transport: ServerRoute) async throws {
        try await withFixture(transport) { servers in
            let folder = try temporaryDirectory("sigint")
            let output = folder + "/results.json"
            var environment = ProcessInfo.processInfo.environment
            environment["MCP_SERVERS"] = servers
            environment["MCP_RUN_HOME"] = folder
            let process = try await ChildProcess(
                executable: try mcpRunBinary(),
                arguments: ["run", fixture("workflows/slow.yaml"), "--format", "jsonl", "-o", output],
                environment: environment, workingDirectory: repoRoot)
            let started = await process.waitForStdoutLine(timeout: .seconds(20)) { line -> Bool? in
                line.contains("\"step.started\"") && line.contains("\"slow\"") ? true : nil
            }
            #expect(started == true, "the slow step never started: \(process.stderr)")
            process.send(signal: SIGINT)
            let ended = await process.waitForExit(timeout: .seconds(15))
            #expect(ended?.exitCode == 130, "\(String(describing: ended)) \(process.stderr)")
            let results = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: output))))
            #expect(results["status"] == "cancelled")
            #expect(results.step("quick")?["status"] == "succeeded")
            #expect(results.step("slow")?["status"] == "cancelled")
            #expect(results.step("never")?["status"] == "skipped")
            _ = await process.terminate(grace: .seconds(1))
        }
    }
}
