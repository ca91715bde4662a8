import Basics
import Foundation
import TestSupport
import Testing

/// How the fixture server is reached in a test.
enum ServerRoute: String, CaseIterable, CustomStringConvertible, Sendable {
    case stdio
    case streamableJSON = "streamable-http (JSON responses)"
    case streamableSSE = "streamable-http (SSE responses)"

    var description: String { rawValue }

    /// The fixture server's arguments for this transport (HTTP ones only).
    var serverArguments: [String] {
        switch self {
        case .stdio: return []
        case .streamableJSON: return ["--transport", "streamable-http", "--json-response"]
        case .streamableSSE: return ["--transport", "streamable-http"]
        }
    }
}

/// The `MCP_SERVERS` JSON that defines `name` as the fixture server over `transport`.
func serversJSON(
    name: String = "fixture", transport: ServerRoute, url: String?, extra: [String: JSONValue] = [:],
    serverArguments: [String] = []
) throws -> String {
    var server: [String: JSONValue]
    switch transport {
    case .stdio:
        let (command, arguments) = try fixtureServerCommand(
            "tools.py", arguments: ["--transport", "stdio"] + serverArguments)
        server = ["transport": "stdio", "command": .string(command), "args": .array(arguments.map { .string($0) })]
    case .streamableJSON, .streamableSSE:
        server = ["url": .string(url ?? ""), "transport": "streamable-http"]
    }
    server.merge(extra) { _, new in new }
    return JSONValue.object([name: .object(server)]).serialized()
}

/// Runs `body` with the fixture server reachable over `transport`, and the `MCP_SERVERS` value naming it.
func withFixture<R>(
    _ transport: ServerRoute, name: String = "fixture", serverArguments: [String] = [],
    serverEnvironment: [String: String] = [:], extra: [String: JSONValue] = [:],
    _ body: (_ mcpServers: String) async throws -> R
) async throws -> R {
    if transport == .stdio {
        return try await body(
            try serversJSON(name: name, transport: transport, url: nil, extra: extra, serverArguments: serverArguments))
    }
    return try await withServer(
        "tools.py", arguments: transport.serverArguments + serverArguments, environment: serverEnvironment
    ) { server in
        try await body(try serversJSON(name: name, transport: transport, url: server.url(), extra: extra))
    }
}

extension JSONValue {
    /// The step object with `id` in a results document.
    func step(_ id: String) -> JSONValue? {
        self["steps"]?.arrayValue?.first { $0["id"]?.stringValue == id }
    }
}
