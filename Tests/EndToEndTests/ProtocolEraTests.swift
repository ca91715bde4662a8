import Basics
import Foundation
import TestSupport
import Testing

/// The dual-era client through the binary (contract §8 "Versions"; MCP 2026-07-28, Versioning):
/// against `fixtures/servers/eras.py`, the official Python SDK 2.3.0 serving the modern protocol
/// next to the handshake (and, with `--legacy-only`, refusing the modern one as a 1.x server
/// does). The fixture's `seen` tool reports every request it received, so what the server saw is
/// checked at the server.
@Suite("protocol eras end to end", .timeLimit(.minutes(3)))
struct ProtocolEraTests {
    /// The fixture's Streamable HTTP arguments: SSE responses (the handshake era's elicitation
    /// needs a stream) unless `json`; `legacyOnly` refuses the modern protocol.
    static func serverArguments(json: Bool = false, legacyOnly: Bool = false) -> [String] {
        ["--transport", "streamable-http"] + (json ? ["--json-response"] : []) + (legacyOnly ? ["--legacy-only"] : [])
    }

    /// A workflow calling `echo`, `confirm` (elicitation), `regional` (an `x-mcp-header`
    /// parameter), then `seen`; `pin` adds `protocolVersion` to the server block.
    static func workflow(url: String, transport: String = "streamable-http", pin: String? = nil) -> String {
        """
        name: eras
        servers:
          eras:
            url: \(url)
            transport: \(transport)
        \(pin.map { "    protocolVersion: '\($0)'" } ?? "")
        elicitation:
          - match: "Deploy"
            content: { confirm: true }
        steps:
          - id: hello
            server: eras
            tool: echo
            arguments: { text: hi }
          - id: ask
            server: eras
            tool: confirm
            arguments: { message: "Deploy now?" }
            needs: [hello]
          - id: refuse
            server: eras
            tool: confirm
            arguments: { message: "Delete everything?" }
            needs: [ask]
          - id: regional
            server: eras
            tool: regional
            arguments: { region: "Zürich 1", query: q }
            needs: [refuse]
          - id: seen
            server: eras
            tool: seen
            needs: [regional]
        """
    }

    /// Runs the workflow against a fresh fixture server; returns the run and the requests the
    /// server saw (method and `MCP-Protocol-Version` header), in order.
    static func run(
        serverArguments: [String], transport: String = "streamable-http", pin: String? = nil
    ) async throws -> (RunOutput, [(method: String, version: String?)]) {
        try await withServer("eras.py", arguments: serverArguments) { server in
            try await withTemporaryDirectory("eras") { directory in
                let path = directory + "/eras.yaml"
                try workflow(url: server.url(), transport: transport, pin: pin)
                    .write(toFile: path, atomically: true, encoding: .utf8)
                let run = try await runMCPRun(["run", path, "-o", "-", "-v"], environment: ["MCP_RUN_HOME": directory])
                let results = try run.json()
                let seen =
                    results.step("seen")?["result"]?["structuredContent"]?["requests"]?.arrayValue?.map {
                        (method: $0["method"]?.stringValue ?? "?", version: $0["version"]?.stringValue)
                    } ?? []
                return (run, seen)
            }
        }
    }

    @Test("a modern run sends no initialize: server/discover first, then every request at 2026-07-28")
    func modernRun() async throws {
        let (run, seen) = try await Self.run(serverArguments: Self.serverArguments(json: true))
        #expect(run.exitCode == 0, "\(run)")
        let results = try run.json()
        #expect(results["servers"]?["eras"]?["protocolVersion"] == "2026-07-28", "\(run)")
        #expect(results["servers"]?["eras"]?["transport"] == "streamable-http", "\(run)")
        #expect(seen.first?.method == "server/discover", "\(seen)")
        #expect(!seen.contains { $0.method == "initialize" }, "the server saw an initialize: \(seen)")
        #expect(seen.allSatisfy { $0.version == "2026-07-28" }, "\(seen)")
        #expect(run.stderr.contains("[eras] protocol 2026-07-28 (modern, no handshake)"), "\(run)")
    }

    @Test("an input_required result is answered from the elicitation rules, its requestState echoed")
    func multiRoundTripElicitation() async throws {
        let (run, seen) = try await Self.run(serverArguments: Self.serverArguments(json: false))
        #expect(run.exitCode == 0, "\(run)")
        let results = try run.json()
        // The fixture fails the call unless the retry echoed its (SDK-sealed) requestState exactly.
        let asked = results.step("ask")?["result"]?["structuredContent"]
        #expect(asked?["action"] == "accept", "\(run)")
        #expect(asked?["content"] == ["confirm": true, "note": "none"], "the schema's default fills 'note': \(run)")
        #expect(asked?["rounds"] == 2, "answered through MRTR, not a server request: \(run)")
        #expect(results.step("refuse")?["result"]?["structuredContent"]?["action"] == "decline", "\(run)")
        // echo, confirm twice (two rounds each), regional, and seen itself.
        #expect(seen.filter { $0.method == "tools/call" }.count == 7, "two rounds for each confirm: \(seen)")
        #expect(
            run.stderr.contains("needs input (round 1): answered 'confirmation', echoing its requestState"), "\(run)")
    }

    @Test("a declared x-mcp-header parameter travels as Mcp-Param-*, Base64-encoded when not plain ASCII")
    func parameterHeader() async throws {
        // The SDK rejects a call whose Mcp-Param-Region is missing or differs from the body
        // (HeaderMismatch), after decoding the Base64 form that 'Zürich 1' needs.
        let (run, _) = try await Self.run(serverArguments: Self.serverArguments())
        #expect(run.exitCode == 0, "\(run)")
        let regional = try run.json().step("regional")?["result"]?["structuredContent"]
        #expect(regional?["region"] == "Zürich 1", "\(run)")
    }

    @Test("a server that refuses the modern protocol gets the initialize handshake")
    func legacyOnlyServer() async throws {
        let (run, seen) = try await Self.run(serverArguments: Self.serverArguments(legacyOnly: true))
        #expect(run.exitCode == 0, "\(run)")
        let results = try run.json()
        #expect(results["servers"]?["eras"]?["protocolVersion"] == "2025-11-25", "\(run)")
        #expect(seen.map(\.method).prefix(2) == ["server/discover", "initialize"], "\(seen)")
        #expect(seen.dropFirst(2).allSatisfy { $0.version == "2025-11-25" }, "\(seen)")
        #expect(results.step("ask")?["result"]?["structuredContent"]?["rounds"] == 1, "elicitation/create: \(run)")
        #expect(results.step("regional")?["result"]?["structuredContent"]?["region"] == "Zürich 1", "\(run)")
        #expect(
            run.stderr.contains("answered HTTP 400 without a modern error: a legacy server; falling back"), "\(run)")
    }

    @Test("the negotiated default transport speaks the modern protocol too, and falls back the same way")
    func negotiatedTransport() async throws {
        let (modern, modernSeen) = try await Self.run(serverArguments: Self.serverArguments(), transport: "sse")
        #expect(modern.exitCode == 0, "\(modern)")
        #expect(try modern.json()["servers"]?["eras"]?["protocolVersion"] == "2026-07-28", "\(modern)")
        #expect(!modernSeen.contains { $0.method == "initialize" }, "\(modernSeen)")
        let (legacy, _) = try await Self.run(
            serverArguments: Self.serverArguments(legacyOnly: true), transport: "sse")
        #expect(legacy.exitCode == 0, "\(legacy)")
        #expect(try legacy.json()["servers"]?["eras"]?["protocolVersion"] == "2025-11-25", "\(legacy)")
        #expect(try legacy.json()["servers"]?["eras"]?["transport"] == "streamable-http", "\(legacy)")
    }

    @Test(
        "a bare 400 to the probe, then UnsupportedProtocolVersion in a 400 to initialize: probed again, spoken modern",
        arguments: ["streamable-http", "sse"])
    func handshakeRefusedAsModernOverHTTP(transport: String) async throws {
        let (run, seen) = try await Self.run(
            serverArguments: Self.serverArguments(json: true) + ["--late-modern"], transport: transport)
        #expect(run.exitCode == 0, "\(run)")
        let results = try run.json()
        #expect(results["servers"]?["eras"]?["protocolVersion"] == "2026-07-28", "\(run)")
        #expect(results["servers"]?["eras"]?["transport"] == "streamable-http", "no legacy fallback: \(run)")
        #expect(seen.map(\.method).prefix(3) == ["server/discover", "initialize", "server/discover"], "\(seen)")
        #expect(seen.filter { $0.method == "initialize" }.count == 1, "\(seen)")
        #expect(run.stderr.contains("refused 'initialize' with error -32022"), "\(run)")
    }

    @Test("a pinned handshake refused with UnsupportedProtocolVersion in a 400: exit 4 naming both versions")
    func pinnedHandshakeRefusedAsModern() async throws {
        let (run, seen) = try await Self.run(
            serverArguments: Self.serverArguments(json: true) + ["--late-modern"], transport: "sse", pin: "2025-11-25")
        #expect(run.exitCode == 4, "\(run)")
        #expect(
            run.stderr.contains(
                "refused the initialize handshake at '2025-11-25' (pinned with `protocolVersion`): it supports '2026-07-28'"
            ), "\(run)")
        #expect(!run.stderr.contains("legacy HTTP+SSE"), "not taken for a legacy server: \(run)")
        #expect(seen.isEmpty, "the run never got to call `seen`")
    }

    @Test("a pinned protocolVersion is spoken as pinned", arguments: ["2025-11-25", "2025-06-18", "2026-07-28"])
    func pinnedVersion(version: String) async throws {
        let (run, seen) = try await Self.run(serverArguments: Self.serverArguments(), pin: version)
        #expect(run.exitCode == 0, "\(run)")
        #expect(try run.json()["servers"]?["eras"]?["protocolVersion"] == .string(version), "\(run)")
        if version == "2026-07-28" {
            #expect(!seen.contains { $0.method == "initialize" }, "\(seen)")
        } else {
            #expect(seen.first?.method == "initialize", "no modern probe when a legacy version is pinned: \(seen)")
            #expect(seen.dropFirst().allSatisfy { $0.version == version }, "\(seen)")
        }
    }

    @Test("a pinned modern version against a legacy-only server ends with exit 4, never a downgrade")
    func pinnedModernAgainstLegacy() async throws {
        try await withServer("eras.py", arguments: Self.serverArguments(legacyOnly: true)) { server in
            try await withTemporaryDirectory("eras-pinned") { directory in
                let path = directory + "/eras.yaml"
                try Self.workflow(url: server.url(), pin: "2026-07-28").write(
                    toFile: path, atomically: true, encoding: .utf8)
                let run = try await runMCPRun(["run", path, "-o", "-"], environment: ["MCP_RUN_HOME": directory])
                #expect(run.exitCode == 4, "\(run)")
                #expect(run.stderr.contains("server/discover"), "\(run)")
                #expect(!run.stderr.contains("falling back"), "\(run)")
            }
        }
    }

    @Test("over stdio, a legacy server silent on the probe gets the handshake once the probe's limit passes")
    func stdioSilentLegacy() async throws {
        let (python, _) = try fixtureServerCommand("silent_legacy.py")
        // A 2 s request timeout makes the probe's limit 2 s (at most 10 s: ServerSession.maxStdioProbe).
        let servers: JSONValue = [
            "silent": [
                "transport": "stdio", "command": .string(python),
                "args": [.string(repoPath("fixtures/servers/silent_legacy.py"))], "timeout": 2000,
            ]
        ]
        try await withTemporaryDirectory("eras-silent") { directory in
            let path = directory + "/silent.yaml"
            try "steps:\n  - { id: hi, server: silent, tool: echo, arguments: { text: hello } }\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(
                ["run", path, "-o", "-", "-v"],
                environment: ["MCP_RUN_HOME": directory, "MCP_SERVERS": servers.serialized()])
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results["servers"]?["silent"]?["protocolVersion"] == "2025-11-25", "\(run)")
            #expect(results.step("hi")?["result"]?["content"]?[0]?["text"] == "hello", "\(run)")
            #expect(run.stderr.contains("'server/discover' got no answer within 2s"), "\(run)")
            #expect(run.stderr.contains("silent: ignored server/discover"), "the server saw the probe: \(run)")
        }
    }

    @Test("over stdio, a modern server gets server/discover and no handshake; an SDK 1.x server gets initialize")
    func stdioEras() async throws {
        let modern = try fixtureServerCommand("eras.py", arguments: ["--transport", "stdio"])
        let legacyPython = repoPath(".venv-proxy/bin/python")
        #expect(
            FileManager.default.isExecutableFile(atPath: legacyPython), "run scripts/setup (it installs .venv-proxy)")
        let servers: JSONValue = [
            "modern": [
                "transport": "stdio", "command": .string(modern.command),
                "args": .array(modern.arguments.map { .string($0) }),
            ],
            "legacy": [
                "transport": "stdio", "command": .string(legacyPython),
                "args": [.string(repoPath("fixtures/servers/legacy_stdio.py"))],
            ],
        ]
        try await withTemporaryDirectory("eras-stdio") { directory in
            let path = directory + "/stdio.yaml"
            try """
            name: stdio eras
            elicitation:
              - match: "Deploy"
                content: { confirm: true }
            steps:
              - { id: sdk1, server: legacy, tool: version }
              - { id: old, server: legacy, tool: echo, arguments: { text: hi } }
              - { id: ask, server: modern, tool: confirm, arguments: { message: "Deploy now?" } }
            """.write(toFile: path, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(
                ["run", path, "-o", "-", "-v"],
                environment: ["MCP_RUN_HOME": directory, "MCP_SERVERS": servers.serialized()])
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results["servers"]?["modern"]?["protocolVersion"] == "2026-07-28", "\(run)")
            #expect(results["servers"]?["legacy"]?["protocolVersion"] == "2025-11-25", "\(run)")
            let sdk = results.step("sdk1")?["result"]?["content"]?[0]?["text"]?.stringValue ?? ""
            #expect(sdk.hasPrefix("1."), "the legacy peer is the SDK 1.x: \(sdk)")
            #expect(results.step("ask")?["result"]?["structuredContent"]?["rounds"] == 2, "MRTR over stdio: \(run)")
            #expect(run.stderr.contains("[legacy] 'server/discover' answered error -32602"), "\(run)")
            #expect(run.stderr.contains("[legacy] initialized: protocol 2025-11-25"), "\(run)")
            #expect(run.stderr.contains("[modern] protocol 2026-07-28 (modern, no handshake)"), "\(run)")
            #expect(!run.stderr.contains("[modern] initialized"), "no handshake with the modern server: \(run)")
        }
    }

    @Test("the pinning example in docs/protocol-versions.md validates")
    func documentedExample() async throws {
        let page = try String(contentsOfFile: repoPath("docs/protocol-versions.md"), encoding: .utf8)
        let block = try #require(
            page.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        #expect(block.contains("protocolVersion: \"2025-11-25\""))
        try await withTemporaryDirectory("eras-docs") { directory in
            let path = directory + "/pinned.yaml"
            let steps = """
                steps:
                  - { id: a, server: billing, tool: t }
                  - { id: b, server: search, tool: t }
                """
            try (block + steps).write(toFile: path, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(["validate", path], environment: ["MCP_RUN_HOME": directory])
            #expect(run.exitCode == 0, "\(run)")
        }
    }

    @Test("an unknown protocolVersion is a workflow error at its line and column")
    func unknownPinnedVersion() async throws {
        try await withTemporaryDirectory("eras-invalid") { directory in
            let path = directory + "/eras.yaml"
            try Self.workflow(url: "http://127.0.0.1:9/mcp", pin: "2099-01-01").write(
                toFile: path, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(["validate", path], environment: ["MCP_RUN_HOME": directory])
            #expect(run.exitCode == 2, "\(run)")
            #expect(run.stderr.contains("eras.yaml:6:22"), "\(run)")
            #expect(run.stderr.contains("protocolVersion '2099-01-01' is not a version mcp-run speaks"), "\(run)")
            let legacySSE = directory + "/sse.yaml"
            try Self.workflow(url: "http://127.0.0.1:9/sse", transport: "http-sse", pin: "2025-11-25").write(
                toFile: legacySSE, atomically: true, encoding: .utf8)
            let refused = try await runMCPRun(["validate", legacySSE], environment: ["MCP_RUN_HOME": directory])
            #expect(refused.exitCode == 2, "\(refused)")
            #expect(refused.stderr.contains("speaks only protocol version '2024-11-05'"), "\(refused)")
        }
    }
}
