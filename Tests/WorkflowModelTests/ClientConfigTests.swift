import Basics
import Testing
import WorkflowModel

/// Other clients' config files through `--servers` (contract §2), and the file-relative paths
/// of a servers file's servers.
@Suite("other clients' config files")
struct ClientConfigTests {
    static func servers(_ text: String, file: String = "conf/servers.json") throws -> [String: ServerSpec] {
        try WorkflowLoader.loadServers(text: text, file: file, origin: .serversFile)
    }

    static func problems(_ text: String) -> [WorkflowError] {
        do {
            _ = try servers(text)
            return []
        } catch {
            return (error as? WorkflowProblems)?.problems ?? []
        }
    }

    @Test("Claude Desktop's mcpServers: command, args and env make a stdio server; other settings are left alone")
    func claudeDesktop() throws {
        let found = try Self.servers(
            """
            {
              "globalShortcut": "Ctrl+Space",
              "mcpServers": {
                "filesystem": {
                  "command": "npx",
                  "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/ada/Desktop"],
                  "env": {"DEBUG": "1"}
                }
              }
            }
            """)
        let spec = try #require(found["filesystem"])
        #expect(found.count == 1)
        #expect(spec.transport == .stdio)
        #expect(spec.command == "npx")
        #expect(spec.commandPath == "npx")
        #expect(spec.args.count == 3)
        #expect(spec.env["DEBUG"] != nil)
    }

    @Test(
        "Cursor's url server with headers negotiates; Claude Code's type http is Streamable HTTP, sse the legacy transport"
    )
    func urlServers() throws {
        let found = try Self.servers(
            """
            {"mcpServers": {
              "cursor": {"url": "https://mcp.example.com/mcp", "headers": {"X-Team": "blue"}},
              "code-http": {"type": "http", "url": "https://mcp.example.com/mcp"},
              "code-sse": {"type": "sse", "url": "https://mcp.example.com/sse"},
              "code-stdio": {"type": "stdio", "command": "./bin/server", "args": []}
            }}
            """)
        #expect(found["cursor"]?.transport == .sse)
        #expect(found["cursor"]?.headers["X-Team"] != nil)
        #expect(found["code-http"]?.transport == .streamableHTTP)
        #expect(found["code-sse"]?.transport == .httpSSE)
        #expect(found["code-stdio"]?.transport == .stdio)
        #expect(found["code-stdio"]?.commandPath == "conf/./bin/server")
    }

    @Test("VS Code's servers with type and inputs load; our own shape with a server named 'servers' stays ours")
    func vsCode() throws {
        let found = try Self.servers(
            """
            {
              "inputs": [{"type": "promptString", "id": "token", "description": "API token", "password": true}],
              "servers": {
                "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"},
                "local": {"type": "stdio", "command": "python3", "args": ["server.py"], "env": {"A": "b"}}
              }
            }
            """)
        #expect(found.keys.sorted() == ["github", "local"])
        #expect(found["github"]?.transport == .streamableHTTP)
        #expect(found["local"]?.transport == .stdio)
        let ours = try Self.servers(#"{"servers": {"url": "https://example.com/mcp"}}"#)
        #expect(ours.keys.sorted() == ["servers"])
    }

    @Test("a wrong type, type with transport, and an unknown key are errors at their file:line:col")
    func errors() {
        let found = Self.problems(
            """
            {"mcpServers": {
              "a": {"type": "websocket", "url": "wss://example.com"},
              "b": {"type": "http", "transport": "sse", "url": "https://example.com/mcp"},
              "c": {"command": "x", "envFile": ".env"}
            }}
            """)
        let lines = found.map { "\($0.context.location.map { "\($0.line):\($0.column)" } ?? "?") \($0.message)" }
        #expect(lines.contains { $0.hasPrefix("2:17 ") && $0.contains("type 'websocket' is not one of") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("3:17 ") && $0.contains("both 'type' and 'transport'") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("4:25 ") && $0.contains("unknown key 'envFile'") }, "\(lines)")
        #expect(found.allSatisfy { $0.context.location?.file == "conf/servers.json" })
    }

    @Test("type is not a key of our own shape")
    func typeOnlyInOtherShapes() {
        let found = Self.problems(#"{"a": {"type": "http", "url": "https://example.com/mcp"}}"#)
        #expect(found.contains { $0.message.contains("unknown key 'type'") }, "\(found)")
    }

    @Test("a command with no url or transport is stdio in our own shape too; its relative paths use the file's folder")
    func commandMeansStdio() throws {
        let found = try Self.servers("local:\n  command: ../bin/server\n  cwd: data\n", file: "/srv/flows/s.yaml")
        #expect(found["local"]?.transport == .stdio)
        #expect(found["local"]?.commandPath == "/srv/flows/../bin/server")
        #expect(found["local"]?.cwdPath == "/srv/flows/data")
        let fromVariable = try WorkflowLoader.loadServers(
            text: #"{"local": {"command": "bin/server"}}"#, file: "MCP_SERVERS", origin: .environment)
        #expect(fromVariable["local"]?.commandPath == "bin/server")
    }
}
