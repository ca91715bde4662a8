import Basics
import Foundation
import TestSupport
import Testing

/// The binary over legacy HTTP+SSE and the negotiated default (contract §2, §8): against the
/// fixture `tools.py --transport sse`, and against the official `mcp-server-time` behind
/// `mcp-proxy` (which serves both legacy SSE at `/sse` and Streamable HTTP at `/mcp`).
@Suite("transports end to end", .timeLimit(.minutes(4)))
struct TransportTests {
    /// How `MCP_SERVERS` names the transport for the legacy fixture.
    enum LegacyRoute: String, CaseIterable, CustomStringConvertible, Sendable {
        case explicit = "http-sse"
        case negotiated = "sse (the default)"
        var description: String { rawValue }
        /// The server's `transport` key, or nil to leave it out (the default, `sse`).
        var transportKey: JSONValue? { self == .explicit ? "http-sse" : nil }
    }

    @Test("every step feature works over legacy HTTP+SSE", arguments: LegacyRoute.allCases)
    func featuresOverLegacySSE(route: LegacyRoute) async throws {
        try await withServer("tools.py", transport: .legacySSE) { server in
            let servers = legacyServersJSON(url: server.endpoint, transport: route.transportKey)
            let run = try await runMCPRun(
                ["run", fixture("workflows/features.yaml"), "--input", "who=Ada", "--input", "n=5", "-v"],
                environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results["status"] == "succeeded", "\(run)")
            #expect(results["outputs"]?["total"] == 45)
            #expect(results["outputs"]?["greeting"] == "Hello from the mcp-run fixture server")
            #expect(results["outputs"]?["chained"] == "hello, Ada / failed / skipped / 262144", "\(run)")
            #expect(results["servers"]?["fixture"]?["transport"] == "http-sse", "the negotiated transport: \(run)")
            #expect(results["servers"]?["fixture"]?["protocolVersion"]?.stringValue?.isEmpty == false, "\(run)")
            #expect(results.step("tolerated")?["result"]?["isError"] == true)
            #expect(run.stderr.contains("[fixture] transport: legacy http+sse"), "\(run)")
            if route == .negotiated {
                #expect(run.stderr.contains("got HTTP 405: trying legacy HTTP+SSE"), "\(run)")
            }
        }
    }

    @Test("the official mcp-server-time answers through mcp-proxy over each HTTP transport")
    func timeThroughProxy() async throws {
        try await withTimeProxy { baseURL in
            let routes: [(transport: JSONValue?, path: String, trace: String)] = [
                ("http-sse", "/sse", "transport: legacy http+sse"),
                ("streamable-http", "/mcp", "transport: streamable-http"),
                (nil, "/mcp", "transport: streamable-http"),
                (nil, "/sse", "transport: legacy http+sse"),
            ]
            for route in routes {
                let servers = legacyServersJSON(name: "time", url: baseURL + route.path, transport: route.transport)
                let run = try await runMCPRun(
                    ["run", fixture("workflows/proxied-time.yaml"), "-v"], environment: ["MCP_SERVERS": servers])
                #expect(run.exitCode == 0, "\(run)")
                let results = try run.json()
                #expect(results["status"] == "succeeded", "\(run)")
                #expect(results["outputs"]?["zone"] == "Europe/Paris", "\(run)")
                let expected = route.path == "/sse" ? "http-sse" : "streamable-http"
                #expect(results["servers"]?["time"]?["transport"] == .string(expected), "\(run)")
                #expect(results["outputs"]?["datetime"]?.stringValue?.isEmpty == false, "\(run)")
                #expect(run.stderr.contains("[time] \(route.trace)"), "\(run)")
            }
        }
    }
}

/// `MCP_SERVERS` naming one HTTP server; `transport` nil leaves the key out (the default, `sse`).
private func legacyServersJSON(name: String = "fixture", url: String, transport: JSONValue?) -> String {
    var server: [String: JSONValue] = ["url": .string(url)]
    if let transport { server["transport"] = transport }
    return JSONValue.object([name: .object(server)]).serialized()
}

/// Runs `mcp-proxy` from `.venv-proxy` on a free port of 127.0.0.1, with `.venv`'s
/// `mcp-server-time` as its stdio child, and passes `body` its base URL; stops it afterwards.
///
/// (`withMCPProxy`, RealServerTests.swift, starts it and finds its port.)
private func withTimeProxy(_ body: (String) async throws -> Void) async throws {
    let proxy = repoPath(".venv-proxy/bin/mcp-proxy")
    let timeServer = repoPath(".venv/bin/mcp-server-time")
    for executable in [proxy, timeServer] where !FileManager.default.isExecutableFile(atPath: executable) {
        throw TestSupportError(
            "no '\(executable)'", hint: "run scripts/setup (it installs .venv and .venv-proxy)")
    }
    try await withMCPProxy(child: [timeServer, "--local-timezone", "UTC"], body)
}
