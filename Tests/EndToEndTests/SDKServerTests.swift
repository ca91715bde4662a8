import Basics
import Foundation
import TestSupport
import Testing

/// What servers on the official Python SDK publish and do, over every transport `tools.py`
/// offers and in each era it speaks there (contract §8, Input schemas and Lists; issue #10
/// point 4): a pydantic discriminated union (`oneOf` of `$ref`s) is checked branch by branch, and
/// a tool the server adds during the run can be called by a later step.
@Suite("SDK schemas and dynamic tools over every transport", .timeLimit(.minutes(4)))
struct SDKServerTests {
    /// One way to reach `tools.py`: its arguments (nil: stdio), the `transport` key, a pin.
    struct Route: CustomStringConvertible, Sendable {
        var serverArguments: [String]?
        var transport: String
        var pin: String?
        /// The transport and version the results document must record.
        var spoken: String
        var version: String
        var description: String {
            ([transport] + (serverArguments ?? []) + (pin.map { ["pinned \($0)"] } ?? [])).joined(separator: " ")
        }
    }

    static let routes: [Route] = [
        Route(serverArguments: nil, transport: "stdio", spoken: "stdio", version: "2026-07-28"),
        Route(serverArguments: nil, transport: "stdio", pin: "2025-11-25", spoken: "stdio", version: "2025-11-25"),
        Route(
            serverArguments: ["--transport", "streamable-http"], transport: "streamable-http",
            spoken: "streamable-http", version: "2026-07-28"),
        Route(
            serverArguments: ["--transport", "streamable-http"], transport: "streamable-http", pin: "2025-11-25",
            spoken: "streamable-http", version: "2025-11-25"),
        Route(
            serverArguments: ["--transport", "streamable-http", "--json-response"], transport: "sse",
            spoken: "streamable-http", version: "2026-07-28"),
        Route(
            serverArguments: ["--transport", "streamable-http", "--stateless"], transport: "streamable-http",
            pin: "2025-11-25", spoken: "streamable-http", version: "2025-11-25"),
        Route(
            serverArguments: ["--transport", "sse"], transport: "http-sse", spoken: "http-sse", version: "2025-11-25"),
        Route(serverArguments: ["--transport", "sse"], transport: "sse", spoken: "http-sse", version: "2025-11-25"),
    ]

    @Test("a discriminated union and a tool added during the run", arguments: routes)
    func schemasAndDynamicTools(route: Route) async throws {
        try await withTools(route) { servers in
            let run = try await runMCPRun(
                ["run", fixture("workflows/sdk-schemas.yaml"), "-v"], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results["outputs"]?["circle"] == "circle", "\(run)")
            #expect(results["outputs"]?["area"]?.doubleValue == 9, "\(run)")
            #expect(results["outputs"]?["late"] == "unlocked late", "\(run)")
            #expect(results["servers"]?["fixture"]?["transport"] == .string(route.spoken), "\(run)")
            #expect(results["servers"]?["fixture"]?["protocolVersion"] == .string(route.version), "\(run)")
        }
    }
}

/// Runs `body` with `tools.py` reachable as `route` says, and the `MCP_SERVERS` value naming it.
private func withTools(_ route: SDKServerTests.Route, _ body: (String) async throws -> Void) async throws {
    func servers(_ base: [String: JSONValue]) -> String {
        var server = base
        server["transport"] = .string(route.transport)
        if let pin = route.pin { server["protocolVersion"] = .string(pin) }
        return JSONValue.object(["fixture": .object(server)]).serialized()
    }
    guard let arguments = route.serverArguments else {
        let (command, arguments) = try fixtureServerCommand("tools.py")
        try await body(servers(["command": .string(command), "args": .array(arguments.map { .string($0) })]))
        return
    }
    try await withServer("tools.py", arguments: arguments) { server in
        try await body(servers(["url": .string(server.endpoint)]))
    }
}
