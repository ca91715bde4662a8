import Basics
import Foundation
import TestSupport
import Testing

/// The binary against `faults.py` for every loop a server drives (issue #8: pages, retries,
/// resumptions, redirects) and for the answers a client must bound, classify or ignore
/// (contract §6 and §8). Each run ends by itself with a clear error or succeeds; the harness's
/// deadline, not a timed assertion, bounds it.
@Suite("mcp-run bounds every server-driven loop", .timeLimit(.minutes(3)))
struct ProtocolLoopTests {
    /// Runs `yaml` (a workflow whose steps use server `faults`) against `faults.py` started with
    /// `serverArguments`; `server` adds members to the server's `MCP_SERVERS` entry.
    func run(
        _ yaml: String, serverArguments: [String] = [], server extra: String = "",
        check: (RunOutput, FixtureServer) throws -> Void
    ) async throws {
        try await withServer("faults.py", arguments: serverArguments) { server in
            let folder = try temporaryDirectory("loops")
            let file = folder + "/loops.yaml"
            try yaml.write(toFile: file, atomically: true, encoding: .utf8)
            let servers = #"{"faults": {"url": "\#(server.url())", "transport": "streamable-http"\#(extra)}}"#
            let run = try await runMCPRun(
                ["run", file, "-v"], environment: ["MCP_SERVERS": servers], deadline: .seconds(90))
            #expect(!run.timedOut, "\(run)")
            try check(run, server)
        }
    }

    static let echo = """
        name: loops
        steps:
          - id: call
            server: faults
            tool: echo
            arguments: { text: hello }
        """

    /// A workflow of one `echo` step with these extra arguments and step keys.
    static func echo(_ arguments: String, step: String = "") -> String {
        """
        name: loops
        steps:
          - id: call
            server: faults
            tool: echo
        \(step.isEmpty ? "" : "    " + step + "\n")    arguments: { text: hello, \(arguments) }
        """
    }

    // MARK: - Lists

    @Test("a server that sends a new nextCursor for ever is paged up to the cap, then the run exits 4 naming it")
    func endlessCursor() async throws {
        try await run(Self.echo, serverArguments: ["--tools-list", "endless"]) { run, server in
            #expect(run.exitCode == 4, "\(run)")
            #expect(run.stderr.contains("faults"), "\(run)")
            #expect(run.stderr.contains("'tools/list' was still sending a nextCursor after 100 pages"), "\(run)")
            #expect(FaultTests.notes("list-page", in: server).count == 100, "\(server.stderr)")
        }
    }

    @Test("a repeated or an empty nextCursor ends the tools list, which is used", arguments: ["repeat", "empty"])
    func cursorEndsList(mode: String) async throws {
        let yaml = """
            name: loops
            steps:
              - id: first
                server: faults
                tool: echo
                arguments: { text: hello }
              - id: second
                server: faults
                tool: sleep
                arguments: { ms: 1 }
            """
        try await run(yaml, serverArguments: ["--tools-list", mode]) { run, server in
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results.step("second")?["result"]?["content"]?[0]?["text"] == "slept 1", "\(run)")
            let pages = FaultTests.notes("list-page", in: server).count
            #expect(pages == (mode == "repeat" ? 2 : 1), "\(server.stderr)")
            if mode == "repeat" { #expect(run.stderr.contains("repeated the cursor 'again'"), "\(run)") }
        }
    }

    // MARK: - initialize

    @Test("a JSON-RPC error answering initialize exits 4, naming the method and the error")
    func initializeError() async throws {
        try await run(Self.echo, serverArguments: ["--initialize-error", "-32603"]) { run, _ in
            #expect(run.exitCode == 4, "\(run)")
            #expect(run.stderr.contains("answered 'initialize' with error -32603"), "\(run)")
            #expect(run.stderr.contains("faults"), "\(run)")
        }
    }

    @Test("an initialize that is never answered exits 4 at the server's timeout")
    func initializeTimeout() async throws {
        try await run(Self.echo, serverArguments: ["--initialize-hang"], server: #", "timeout": 1500"#) { run, _ in
            #expect(run.exitCode == 4, "\(run)")
            #expect(run.stderr.contains("did not answer 'initialize' within 1.5s"), "\(run)")
        }
    }

    // MARK: - Notifications

    @Test("a 2xx body answering a notification is ignored, whatever it holds", arguments: ["text", "sse"])
    func notificationBody(mode: String) async throws {
        try await run(Self.echo, serverArguments: ["--notification-body", mode]) { run, _ in
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results.step("call")?["result"]?["content"]?[0]?["text"] == "hello", "\(run)")
        }
    }

    // MARK: - Retries

    @Test("a Retry-After longer than mcp-run waits fails at once, saying no retry was made")
    func retryAfterHuge() async throws {
        let yaml = Self.echo(#"fault: status, status: 503, retry_after: "86400", times: 9"#)
        try await run(yaml) { run, server in
            #expect(run.exitCode == 4, "\(run)")
            #expect(run.stderr.contains("HTTP 503 to 'tools/call'; no retry was made"), "\(run)")
            #expect(run.stderr.contains("Retry-After '86400'"), "\(run)")
            #expect(run.stderr.contains("after 3 retries") == false, "\(run)")
            #expect(FaultTests.notes("call", in: server).count == 1, "\(server.stderr)")
        }
    }

    @Test("a Retry-After beyond the request's timeout fails at once, naming the timeout")
    func retryAfterPastDeadline() async throws {
        let yaml = Self.echo(#"fault: status, status: 429, retry_after: "20", times: 9"#, step: "timeout: 3000")
        try await run(yaml) { run, server in
            #expect(run.exitCode == 4, "\(run)")
            #expect(run.stderr.contains("would come after the request's timeout"), "\(run)")
            #expect(FaultTests.notes("call", in: server).count == 1, "\(server.stderr)")
        }
    }

    // MARK: - Resumption

    @Test("a stream that drops after every new event is resumed up to the cap, then the step fails naming it")
    func endlessResumption() async throws {
        try await run(Self.echo("fault: drop-forever, retry_ms: 0")) { run, server in
            #expect(run.exitCode == 4, "\(run)")
            #expect(run.stderr.contains("gave up after 20 resumptions"), "\(run)")
            #expect(FaultTests.notes("resume", in: server).count == 20, "\(server.stderr)")
        }
    }

    @Test("a server retry delay of years is not waited for: the step fails at once, naming the timeout")
    func hugeReconnectionDelay() async throws {
        let yaml = Self.echo("fault: drop, retry_ms: 99999999999999", step: "timeout: 3000")
        try await run(yaml) { run, server in
            #expect(run.exitCode == 1, "\(run)")
            let message = try run.json().step("call")?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("outlasts the request's timeout"), "\(run)")
            #expect(FaultTests.notes("resume", in: server).isEmpty, "\(server.stderr)")
        }
    }

    // MARK: - Redirects

    @Test("a same-origin 307 or 308 is followed with method and body", arguments: ["307", "308"])
    func redirectFollowed(status: String) async throws {
        try await run(Self.echo, serverArguments: ["--redirect", status]) { run, _ in
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results.step("call")?["result"]?["content"]?[0]?["text"] == "hello", "\(run)")
            #expect(run.stderr.contains("HTTP \(status) to '"), "\(run)")
        }
    }

    @Test("a redirect that is not followed names its Location", arguments: ["301", "302", "cross"])
    func redirectNamed(mode: String) async throws {
        try await run(Self.echo, serverArguments: ["--redirect", mode]) { run, server in
            #expect(run.exitCode == 4, "\(run)")
            let host = mode == "cross" ? "localhost" : "127.0.0.1"
            let port = URL(string: server.url())?.port ?? 0
            #expect(run.stderr.contains("redirecting to 'http://\(host):\(port)/mcp/'"), "\(run)")
            #expect(run.stderr.contains("set the server's `url` to it"), "\(run)")
        }
    }

    @Test("a redirect loop ends after the cap, naming it")
    func redirectLoop() async throws {
        try await run(Self.echo, serverArguments: ["--redirect", "loop"]) { run, server in
            #expect(run.exitCode == 4, "\(run)")
            // The first request is the modern probe (MCP 2026-07-28); a redirect loop aborts, never a fallback.
            #expect(run.stderr.contains("redirected 'server/discover' more than 5 times"), "\(run)")
            let stats = try AuthFlowTests.stats(server)
            #expect(stats["redirects"] == 6, "\(stats)")
        }
    }

    // MARK: - Bodies in errors

    @Test(
        "a gzip error body is shown decoded, a binary one described, never as raw control characters",
        arguments: ["gzip", "binary"])
    func compressedErrorBodies(fault: String) async throws {
        try await run(Self.echo("fault: \(fault)")) { run, _ in
            #expect(run.exitCode == 4, "\(run)")
            let message = try run.json().step("call")?["error"]?["message"]?.stringValue ?? ""
            if fault == "gzip" {
                #expect(message.contains("HTTP 500: {\"error\": \"compressed failure\"}"), "\(run)")
            } else {
                #expect(message.contains("<binary data (Content-Type: application/octet-stream)>"), "\(run)")
            }
            let controls = message.unicodeScalars.filter { $0.value < 0x20 || $0.value == 0x7F }
            #expect(controls.isEmpty, "\(run)")
            let shown = run.stderr.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }
            #expect(shown.isEmpty, "\(run)")
        }
    }
}
