import Basics
import Foundation
import TestSupport
import Testing

/// `--servers FILE` with other clients' config files, as those clients write them (contract §2).
@Suite("other clients' config files through --servers", .timeLimit(.minutes(2)))
struct ClientConfigFileTests {
    static func write(_ value: JSONValue, named name: String) throws -> String {
        let path = try temporaryDirectory("client-config") + "/" + name
        try value.serialized().write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a Claude Desktop file's stdio server is called with its args and env")
    func claudeDesktop() async throws {
        let (python, arguments) = try fixtureServerCommand("tools.py")
        let file = try Self.write(
            [
                "globalShortcut": "",
                "mcpServers": [
                    "fixture": [
                        "command": .string(python), "args": .array(arguments.map { .string($0) }),
                        "env": ["FROM_CLAUDE_CONFIG": "yes"],
                    ]
                ],
            ], named: "claude_desktop_config.json")
        let call = try await runMCPRun(["call", "fixture", "env", "name=FROM_CLAUDE_CONFIG", "--servers", file])
        #expect(call.exitCode == 0, "\(call)")
        #expect(call.stdout.contains("\"value\":\"yes\""), "\(call)")
    }

    @Test("a VS Code file's type http server gets its headers, a Claude Code file's type sse uses the legacy transport")
    func httpTypes() async throws {
        try await withServer("tools.py", arguments: ["--transport", "streamable-http"]) { server in
            let file = try Self.write(
                [
                    "inputs": [],
                    "servers": [
                        "remote": ["type": "http", "url": .string(server.endpoint), "headers": ["X-Team": "blue"]]
                    ],
                ], named: "mcp.json")
            let call = try await runMCPRun(["call", "remote", "whoami", "--servers", file, "-v"])
            #expect(call.exitCode == 0, "\(call)")
            let result = try call.json()
            #expect(result["structuredContent"]?["headerNames"]?.arrayValue?.contains("x-team") == true, "\(call)")
            #expect(result["structuredContent"]?["transport"] == "http", "\(call)")
        }
        try await withServer("tools.py", arguments: ["--transport", "sse"]) { server in
            let file = try Self.write(
                ["mcpServers": ["legacy": ["type": "sse", "url": .string(server.endpoint)]]], named: ".mcp.json")
            let tools = try await runMCPRun(["tools", "legacy", "--servers", file, "-v"])
            #expect(tools.exitCode == 0, "\(tools)")
            #expect(tools.stdout.contains("echo"), "\(tools)")
            #expect(tools.stderr.contains("[legacy] transport: legacy http+sse"), "\(tools)")
            #expect(!tools.stderr.contains("trying legacy HTTP+SSE"), "type sse does not negotiate: \(tools)")
        }
    }

    @Test("a wrong type in an mcpServers file is exit 2 at its file:line:col, before anything starts")
    func wrongType() async throws {
        let path = try temporaryDirectory("client-config") + "/cursor-mcp.json"
        try """
        {
          "mcpServers": {
            "remote": {"type": "websockets", "url": "wss://example.com/mcp"}
          }
        }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await runMCPRun(["tools", "remote", "--servers", path])
        #expect(run.exitCode == 2, "\(run)")
        #expect(run.stderr.contains("\(path):3:24:"), "\(run)")
        #expect(run.stderr.contains("'websockets' is not one of 'stdio', 'http', 'sse'"), "\(run)")
    }
}
