import Basics
import Foundation
import TestSupport
import Testing

/// One-shot commands against servers named on the command line (contract §5): `--stdio CMD`,
/// `--header`, and credentials read from the environment variables the options name.
@Suite("one-shot commands: --stdio, --header, credentials from the environment", .timeLimit(.minutes(2)))
struct OneShotCommandTests {
    /// The fixture server's stdio command line, started through a script in a folder whose name
    /// has a space, so the quoting is exercised.
    static func stdioCommandLine() throws -> String {
        let folder = try temporaryDirectory("one-shot") + "/my servers"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (python, arguments) = try fixtureServerCommand("tools.py", arguments: [])
        try writeExecutable("#!/bin/sh\nexec '\(python)' '\(arguments[0])' \"$@\"\n", to: folder + "/run fixture")
        return "'\(folder)/run fixture' --transport \"stdio\""
    }

    @Test("tools and call take a stdio server from --stdio, quotes and all")
    func stdio() async throws {
        let commandLine = try Self.stdioCommandLine()
        let tools = try await runMCPRun(["tools", "--stdio", commandLine, "--json"])
        #expect(tools.exitCode == 0, "\(tools)")
        #expect(try tools.json().arrayValue?.contains { $0["name"] == "echo" } == true, "\(tools)")
        let call = try await runMCPRun(["call", "--stdio", commandLine, "add", "a=2", "b=40"])
        #expect(call.exitCode == 0, "\(call)")
        #expect(try call.json()["structuredContent"]?["result"] == 42, "\(call)")
    }

    @Test("an unterminated quote in --stdio is exit 2 before anything starts")
    func badQuote() async throws {
        let run = try await runMCPRun(["tools", "--stdio", "'/bin/server --x"])
        #expect(run.exitCode == 2, "\(run)")
        #expect(run.stderr.contains("--stdio has an unterminated '"), "\(run)")
    }

    @Test(
        "--bearer-env sends the token from the named variable, never shown; without it, the 401 hint names bearer-token, not OAuth"
    )
    func bearer() async throws {
        let token = "tok-\(UUID().uuidString)"
        try await withServer(
            "tools.py", arguments: ["--transport", "streamable-http", "--auth", "bearer"],
            environment: ["FIXTURE_TOKEN": token]
        ) { server in
            let call = try await runMCPRun(
                ["call", server.endpoint, "whoami", "--bearer-env", "SERVICE_TOKEN", "-v"],
                environment: ["SERVICE_TOKEN": token])
            #expect(call.exitCode == 0, "\(call)")
            #expect(try call.json()["structuredContent"]?["authorizationScheme"] == "Bearer", "\(call)")
            #expect(!call.stderr.contains(token) && !call.stdout.contains(token), "\(call)")

            let refused = try await runMCPRun(["tools", server.endpoint])
            #expect(refused.exitCode == 3, "\(refused)")
            #expect(refused.stderr.contains("bearer-token") && refused.stderr.contains("--bearer-env"), "\(refused)")
            #expect(!refused.stderr.contains("OAuth") && !refused.stderr.contains("auth login"), "\(refused)")

            let unset = try await runMCPRun(["tools", server.endpoint, "--bearer-env", "SERVICE_TOKEN"])
            #expect(unset.exitCode == 2, "\(unset)")
            #expect(unset.stderr.contains("environment variable 'SERVICE_TOKEN'"), "\(unset)")
        }
    }

    @Test("--basic-env USER:PASSWORD and --api-key-env with --api-key-header authenticate from variables")
    func basicAndAPIKey() async throws {
        let password = "pw-\(UUID().uuidString)"
        try await withServer(
            "tools.py", arguments: ["--transport", "streamable-http", "--auth", "basic"],
            environment: ["FIXTURE_USERNAME": "ada@example.com", "FIXTURE_PASSWORD": password]
        ) { server in
            let call = try await runMCPRun(
                ["call", server.endpoint, "whoami", "--basic-env", "EMAIL:API_TOKEN"],
                environment: ["EMAIL": "ada@example.com", "API_TOKEN": password])
            #expect(call.exitCode == 0, "\(call)")
            #expect(try call.json()["structuredContent"]?["authorizationScheme"] == "Basic", "\(call)")
        }
        let key = "key-\(UUID().uuidString)"
        try await withServer(
            "tools.py",
            arguments: ["--transport", "streamable-http", "--auth", "api-key", "--api-key-header", "X-Key"],
            environment: ["FIXTURE_API_KEY": key]
        ) { server in
            let tools = try await runMCPRun(
                ["tools", server.endpoint, "--api-key-env", "SEARCH_KEY", "--api-key-header", "X-Key"],
                environment: ["SEARCH_KEY": key])
            #expect(tools.exitCode == 0, "\(tools)")
            #expect(tools.stdout.contains("whoami"), "\(tools)")
        }
    }

    @Test("--header adds headers, literal or from ${{ env.NAME }}, on top of a named server")
    func headers() async throws {
        try await withServer("tools.py", arguments: ["--transport", "streamable-http"]) { server in
            let servers = JSONValue.object(["remote": ["url": .string(server.endpoint)]]).serialized()
            let call = try await runMCPRun(
                [
                    "call", "remote", "header", "name=X-From-Env", "--header", "X-Team: blue",
                    "--header", "X-From-Env: ${{ env.TEAM_NAME }}",
                ], environment: ["MCP_SERVERS": servers, "TEAM_NAME": "green"])
            // The fixture's `header` tool fails on purpose, with the header's value in its text.
            #expect(call.exitCode == 1, "\(call)")
            #expect(call.stdout.contains("X-From-Env: green"), "\(call)")
            let names = try await runMCPRun(
                ["call", "remote", "whoami", "--header", "X-Team: blue"], environment: ["MCP_SERVERS": servers])
            #expect(try names.json()["structuredContent"]?["headerNames"]?.arrayValue?.contains("x-team") == true)
        }
    }
}
