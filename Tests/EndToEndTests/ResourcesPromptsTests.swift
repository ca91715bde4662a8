import Basics
import Foundation
import TestSupport
import Testing

/// `mcp-run resources` and `mcp-run prompts` against the Python SDK fixture server (contract §5).
@Suite("resources and prompts commands", .timeLimit(.minutes(2)))
struct ResourcesPromptsTests {
    /// The fixture server as a `--stdio` value.
    static func stdio() throws -> String {
        let (python, arguments) = try fixtureServerCommand("tools.py")
        return ([python] + arguments).map { "'\($0)'" }.joined(separator: " ")
    }

    @Test("resources lists resources and templates; server text reaches the terminal neutralised")
    func list() async throws {
        let server = try Self.stdio()
        let run = try await runMCPRun(["resources", "--stdio", server])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("fixture://greeting  greeting (text/plain)"), "\(run)")
        #expect(run.stdout.contains("resource templates:\n  fixture://greeting/{name}"), "\(run)")
        #expect(run.stdout.contains(#"\x1b]0;pwned\x07\x1b[2J"#), "\(run)")
        #expect(!run.stdout.unicodeScalars.contains("\u{1B}") && !run.stdout.unicodeScalars.contains("\u{07}"))

        let json = try await runMCPRun(["resources", "--stdio", server, "--json"])
        #expect(json.exitCode == 0, "\(json)")
        let lists = try json.json()
        let uris = lists["resources"]?.arrayValue?.compactMap { $0["uri"]?.stringValue } ?? []
        #expect(Set(uris) == ["fixture://greeting", "fixture://pixel", "fixture://terminal"], "\(json)")
        #expect(lists["resourceTemplates"]?.arrayValue?.first?["uriTemplate"] == "fixture://greeting/{name}")
        // --json keeps the server's text as sent, JSON-escaped.
        #expect(json.stdout.contains(#"\u001b]0;pwned"#), "\(json)")
    }

    @Test("resources URI reads text, a templated URI and a blob; an unknown URI fails with the server's error")
    func read() async throws {
        let server = try Self.stdio()
        let text = try await runMCPRun(["resources", "--stdio", server, "fixture://greeting"])
        #expect(text.exitCode == 0 && text.stdout == "Hello from the mcp-run fixture server\n", "\(text)")
        let templated = try await runMCPRun(["resources", "--stdio", server, "fixture://greeting/Ada"])
        #expect(templated.stdout == "Hello, Ada\n", "\(templated)")
        let terminal = try await runMCPRun(["resources", "--stdio", server, "fixture://terminal"])
        #expect(terminal.stdout == #"clear\x1b[2J and title\x1b]0;pwned\x07 done"# + "\n", "\(terminal)")
        let blob = try await runMCPRun(["resources", "--stdio", server, "fixture://pixel"])
        #expect(blob.stdout.contains("[binary fixture://pixel: image/png, 4 bytes; use --json"), "\(blob)")
        let blobJSON = try await runMCPRun(["resources", "--stdio", server, "fixture://pixel", "--json"])
        #expect(try blobJSON.json()["contents"]?[0]?["blob"] == "iVBORw==", "\(blobJSON)")
        let unknown = try await runMCPRun(["resources", "--stdio", server, "fixture://nope"])
        #expect(unknown.exitCode != 0 && unknown.stdout.isEmpty, "\(unknown)")
        #expect(unknown.stderr.contains("Unknown resource: fixture://nope"), "\(unknown)")
    }

    @Test("prompts lists prompts with their arguments, as text and JSON")
    func listPrompts() async throws {
        let server = try Self.stdio()
        let run = try await runMCPRun(["prompts", "--stdio", server])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("greet  Ask to greet `name`.\n    name (required)"), "\(run)")
        #expect(run.stdout.contains("summarize  ") && run.stdout.contains("    topic (required)\n    count"))
        let json = try await runMCPRun(["prompts", "--stdio", server, "--json"])
        let names = try json.json().arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(Set(names) == ["greet", "summarize"], "\(json)")
    }

    @Test("prompts NAME sends KEY=VALUE as strings and --args scalars converted to strings")
    func getPrompt() async throws {
        let server = try Self.stdio()
        let run = try await runMCPRun(
            ["prompts", "--stdio", server, "summarize", "topic=tea", "--args", #"{"count": 5, "formal": true}"#, "-v"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.hasSuffix("user:\nList 5 formal points about tea.\n"), "\(run)")
        #expect(run.stderr.contains(#""arguments":{"count":"5","formal":"true","topic":"tea"}"#), "\(run)")
        let json = try await runMCPRun(["prompts", "--stdio", server, "greet", "name=Ada", "--json"])
        #expect(try json.json()["messages"]?[0]?["content"]?["text"] == "Please greet Ada warmly.", "\(json)")
        let array = try await runMCPRun(["prompts", "--stdio", server, "summarize", "--args", #"{"topic": [1]}"#])
        #expect(array.exitCode == 2, "\(array)")
        #expect(array.stderr.contains("prompt argument 'topic' is an array"), "\(array)")
    }

    @Test("resources and prompts reach a named Streamable HTTP server with a header")
    func overHTTP() async throws {
        try await withServer("tools.py", arguments: ["--transport", "streamable-http"]) { server in
            let servers = JSONValue.object(["remote": ["url": .string(server.endpoint)]]).serialized()
            let read = try await runMCPRun(
                ["resources", "remote", "fixture://greeting/HTTP", "--header", "X-Team: blue"],
                environment: ["MCP_SERVERS": servers])
            #expect(read.exitCode == 0 && read.stdout == "Hello, HTTP\n", "\(read)")
            let prompt = try await runMCPRun(
                ["prompts", "remote", "greet", "name=Bo"], environment: ["MCP_SERVERS": servers])
            #expect(prompt.stdout.contains("Please greet Bo warmly."), "\(prompt)")
        }
    }
}
