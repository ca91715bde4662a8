import Basics
import Foundation
import TestSupport
import Testing

/// The binary against a server whose lists come in pages (contract §8, Lists): `paged.py`, the
/// official Python SDK's low-level `Server` with cursor-paged `tools/list`, `resources/list` and
/// `prompts/list` (the behaviour of the SDK repository's `simple-pagination` example, which is
/// not published on PyPI), over each transport it offers and in both eras.
@Suite("paged lists from the SDK's low-level server", .timeLimit(.minutes(4)))
struct PagedListTests {
    /// The cursors `paged.py` is sent for 24 tools in pages of 5: the first page, then each
    /// `nextCursor` it gave, once.
    static let toolCursors: JSONValue = [.null, "p5", "pa", "pf", "p14"]

    @Test(
        "a tool on the last page is called, after every page was listed once",
        arguments: [
            (ServerRoute.stdio, nil), (.stdio, "2025-11-25"), (.streamableSSE, nil), (.streamableSSE, "2025-11-25"),
            (.streamableJSON, nil),
        ] as [(ServerRoute, String?)])
    func lastPageTool(transport: ServerRoute, pin: String?) async throws {
        try await withPaged(transport, pin: pin) { servers in
            let run = try await runMCPRun(
                ["run", fixture("workflows/paged.yaml"), "-v"], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results["outputs"]?["last"] == "tool_23: from the last page", "\(run)")
            #expect(results["outputs"]?["item"] == "item 12", "\(run)")
            #expect(results.step("prompt")?["result"]?["messages"]?[0]?["content"]?["text"] == "prompt_8 about paging")
            let pages = results["outputs"]?["pages"]
            #expect(pages?["tools/list"]?["cursors"] == Self.toolCursors, "\(run)")
            #expect(results["servers"]?["paged"]?["protocolVersion"] == .string(pin ?? "2026-07-28"), "\(run)")
        }
    }

    @Test("tools, resources and prompts list every page; no templates handler is no templates")
    func listCommands() async throws {
        try await withPaged(.stdio, pin: nil) { servers in
            let environment = ["MCP_SERVERS": servers]
            let tools = try await runMCPRun(["tools", "paged", "--json"], environment: environment)
            #expect(tools.exitCode == 0, "\(tools)")
            let toolNames = try tools.json().arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(toolNames == (1...23).map { "tool_\($0)" } + ["pages"], "\(tools)")

            // The SDK's low-level Server answers resources/templates/list with -32601 when it has
            // no handler for it, as the SDK's own pagination example does.
            let resources = try await runMCPRun(["resources", "paged", "--json"], environment: environment)
            #expect(resources.exitCode == 0, "\(resources)")
            let lists = try resources.json()
            #expect(lists["resources"]?.arrayValue?.count == 12, "\(resources)")
            #expect(lists["resources"]?[11]?["uri"] == "paged://item/12", "\(resources)")
            #expect(lists["resourceTemplates"] == [], "\(resources)")
            let plain = try await runMCPRun(["resources", "paged"], environment: environment)
            #expect(plain.exitCode == 0, "\(plain)")
            #expect(plain.stdout.contains("no resource templates"), "\(plain)")

            let prompts = try await runMCPRun(["prompts", "paged", "--json"], environment: environment)
            #expect(prompts.exitCode == 0, "\(prompts)")
            let promptNames = try prompts.json().arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(promptNames == (1...8).map { "prompt_\($0)" }, "\(prompts)")
        }
    }
}

/// Runs `body` with `paged.py` reachable over `transport` and the `MCP_SERVERS` value naming it
/// `paged`; `pin` adds `protocolVersion`.
private func withPaged(
    _ transport: ServerRoute, pin: String?, _ body: (_ mcpServers: String) async throws -> Void
) async throws {
    func servers(url: String?) throws -> String {
        var server: [String: JSONValue]
        if let url {
            server = ["url": .string(url), "transport": "streamable-http"]
        } else {
            let (command, arguments) = try fixtureServerCommand("paged.py")
            server = ["transport": "stdio", "command": .string(command), "args": .array(arguments.map { .string($0) })]
        }
        if let pin { server["protocolVersion"] = .string(pin) }
        return JSONValue.object(["paged": .object(server)]).serialized()
    }
    if transport == .stdio {
        try await body(try servers(url: nil))
        return
    }
    try await withServer("paged.py", arguments: transport.serverArguments) { server in
        try await body(try servers(url: server.url()))
    }
}
