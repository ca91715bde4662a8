import Basics
import Foundation
import TestSupport
import Testing

/// The binary against `faults.py` (contract §8 and §6): faults mcp-run recovers from by itself,
/// and faults that end a step or the run clearly, never hanging, always writing the document.
@Suite("mcp-run against a faulty Streamable HTTP server", .timeLimit(.minutes(3)))
struct FaultTests {
    /// The `MCP_SERVERS` value naming `server` as `faults`.
    static func servers(_ server: FixtureServer) -> String {
        #"{"faults": {"url": "\#(server.url())", "transport": "streamable-http"}}"#
    }

    /// The server's stderr lines `faults: <what> <json>`, as JSON.
    static func notes(_ what: String, in server: FixtureServer) -> [JSONValue] {
        server.stderr.split(separator: "\n").compactMap { line in
            let prefix = "faults: \(what) "
            guard line.hasPrefix(prefix) else { return nil }
            return try? JSONValue.parse(String(line.dropFirst(prefix.count)))
        }
    }

    @Test("a dropped stream, 429 with Retry-After, a 503 and an expired session are all recovered from")
    func recovered() async throws {
        try await withServer("faults.py", arguments: []) { server in
            let folder = try temporaryDirectory("faults-recovered")
            let output = folder + "/results.json"
            let run = try await runMCPRun(
                ["run", fixture("workflows/faults-recovered.yaml"), "-v", "-o", output],
                environment: ["MCP_SERVERS": Self.servers(server)])
            #expect(run.exitCode == 0, "\(run)")
            let results = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: output))))
            #expect(results["status"] == "succeeded", "\(run)")
            for step in ["resumed", "limited", "unavailable", "expired", "after"] {
                #expect(results.step(step)?["status"] == "succeeded", "\(step): \(run)")
                #expect(results.step(step)?["result"]?["content"]?[0]?["text"] == .string(step), "\(step)")
                #expect(results.step(step)?["attempts"] == 1, "\(step): recovered inside the transport")
            }
            let resumes = Self.notes("resume", in: server)
            #expect(resumes.count == 1, "\(server.stderr)")
            let after = resumes.first?["afterDropMs"]?.intValue ?? 0
            #expect(after >= 250 && after < 1000, "resumed \(after) ms after the drop, asked for 300")
            let calls = Self.notes("call", in: server).compactMap { $0["key"]?.stringValue }
            #expect(calls.filter { $0 == "limited" }.count == 2)
            #expect(calls.filter { $0 == "unavailable" }.count == 2)
            #expect(calls.filter { $0 == "expired" }.count == 2)
            #expect(calls.filter { $0 == "resumed" }.count == 1)
            #expect(Self.notes("session", in: server).count == 2)
            #expect(run.stderr.contains("HTTP 429, Retry-After '1'; retry 1 of 3"), "\(run)")
            #expect(run.stderr.contains("resuming after event"), "\(run)")
            #expect(run.stderr.contains("starting a new one"), "\(run)")
        }
    }

    @Test(
        "a session the server forgot, answered 400 'No valid session ID provided', is renewed and the call sent again")
    func sessionLost400() async throws {
        try await withServer("faults.py", arguments: ["--json-response"]) { server in
            let run = try await runMCPRun(
                ["call", "faults", "echo", "--json", #"{"text": "again", "fault": "expire-400"}"#, "-v"],
                environment: ["MCP_SERVERS": Self.servers(server)])
            #expect(run.exitCode == 0, "\(run)")
            #expect(run.stdout.contains("again"), "\(run)")
            #expect(run.stderr.contains("(HTTP 400 to 'tools/call'); starting a new one"), "\(run)")
            let calls = Self.notes("call", in: server).compactMap { $0["key"]?.stringValue }
            #expect(calls.filter { $0 == "again" }.count == 2, "\(server.stderr)")
            #expect(Self.notes("session", in: server).count == 2, "a new session: \(server.stderr)")
        }
    }

    @Test("a 413 or another 4xx refusing a call fails that step (exit 1), not the server (exit 4)")
    func callRefused() async throws {
        try await withServer("faults.py", arguments: ["--json-response"]) { server in
            let folder = try temporaryDirectory("faults-refused")
            let flow = folder + "/flow.yaml"
            try """
            steps:
              - { id: large, server: faults, tool: echo, arguments: { text: big, fault: status, status: 413, times: 9 }, continue-on-error: true }
              - { id: bad, server: faults, tool: echo, arguments: { text: bad, fault: status, status: 422, times: 9 }, continue-on-error: true }
              - { id: fine, server: faults, tool: echo, arguments: { text: fine } }
            """.write(toFile: flow, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(
                ["run", flow, "-o", "-"], environment: ["MCP_SERVERS": Self.servers(server)])
            #expect(run.exitCode == 0, "both refusals were tolerated: \(run)")
            let results = try run.json()
            #expect(results.step("large")?["error"]?["code"] == "invalid_arguments", "\(run)")
            #expect(results.step("large")?["error"]?["message"]?.stringValue?.contains("HTTP 413") == true, "\(run)")
            #expect(results.step("bad")?["error"]?["code"] == "rpc_error", "\(run)")
            #expect(results.step("fine")?["status"] == "succeeded", "the session goes on: \(run)")

            // Not tolerated: the step fails the run with exit 1, as a step does.
            try """
            steps:
              - { id: large, server: faults, tool: echo, arguments: { text: big2, fault: status, status: 413, times: 9 } }
            """.write(toFile: flow, atomically: true, encoding: .utf8)
            let failed = try await runMCPRun(
                ["run", flow, "-o", "-"], environment: ["MCP_SERVERS": Self.servers(server)])
            #expect(failed.exitCode == 1, "\(failed)")
        }
    }

    @Test(
        "a JSON body with a notification before the response: the step's log holds it when the result arrives",
        arguments: 1...3)
    func batchedNotification(round: Int) async throws {
        try await withServer("faults.py", arguments: ["--json-response"]) { server in
            let run = try await runMCPRun(
                ["run", fixture("workflows/faults-batch.yaml"), "-o", "-"],
                environment: ["MCP_SERVERS": Self.servers(server)])
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results.step("batched")?["result"]?["content"]?[0]?["text"] == "batched", "\(run)")
            let log = results.step("batched")?["log"]?.serialized() ?? ""
            #expect(log.contains("in the batch (batched)"), "round \(round): \(results.serialized())")
            #expect(results.step("plain")?["result"]?["content"]?[0]?["text"] == "plain")
        }
    }

    @Test("malformed JSON from the server ends the run with exit 4 naming the server, and the document is written")
    func malformed() async throws {
        try await withServer("faults.py", arguments: ["--json-response"]) { server in
            let folder = try temporaryDirectory("faults-malformed")
            let output = folder + "/results.json"
            let run = try await runMCPRun(
                ["run", fixture("workflows/faults-malformed.yaml"), "-o", output],
                environment: ["MCP_SERVERS": Self.servers(server)])
            #expect(run.exitCode == 4, "\(run)")
            #expect(run.stderr.contains("faults"), "\(run)")
            #expect(run.stderr.contains("not JSON-RPC"), "\(run)")
            let results = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: output))))
            #expect(results["status"] == "failed")
            #expect(results.step("fine")?["status"] == "succeeded")
            #expect(results.step("broken")?["status"] == "failed")
            #expect(results.step("after")?["status"] != "succeeded")
            #expect(!Self.notes("call", in: server).contains { $0["key"] == "never" }, "nothing runs after exit 4")
        }
    }

    @Test("a server that never answers fails the step with a timeout at the step's timeout, and is told so")
    func hang() async throws {
        try await withServer("faults.py", arguments: []) { server in
            // No upper bound on durations (they flake on a loaded machine): the harness's 30 s
            // deadline and the message naming the step's 1.5 s timeout show which limit fired.
            let run = try await runMCPRun(
                ["run", fixture("workflows/faults-hang.yaml")], environment: ["MCP_SERVERS": Self.servers(server)],
                deadline: .seconds(30))
            #expect(run.exitCode == 1, "\(run)")
            #expect(!run.timedOut)
            let results = try run.json()
            #expect(results["status"] == "failed")
            #expect(results.step("hung")?["status"] == "failed")
            let duration = results.step("hung")?["durationMs"]?.intValue ?? 0
            #expect(duration >= 1500, "the step took \(duration) ms, its timeout is 1500")
            let message = results.step("hung")?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("got no response within 1.5s"), "\(run)")
            #expect(results.step("after")?["status"] == "skipped")
            #expect(Self.notes("cancelled", in: server).count == 1, "\(server.stderr)")
        }
    }

    @Test("a 503 with Retry-After that outlasts the transport's retries: the step's retry waits the server's delay")
    func retryAfterBetweenAttempts() async throws {
        try await withServer("faults.py", arguments: []) { server in
            let run = try await runMCPRun(
                ["run", fixture("workflows/faults-retry-after.yaml"), "-v"],
                environment: ["MCP_SERVERS": Self.servers(server)], deadline: .seconds(60))
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results.step("busy")?["status"] == "succeeded", "\(run)")
            #expect(results.step("busy")?["attempts"] == 2, "\(run)")
            let stats = try AuthFlowTests.stats(server)
            let times = (stats["callLog"]?.arrayValue ?? []).filter { $0["key"] == "busy" }.compactMap {
                $0["atMs"]?.intValue
            }
            try #require(times.count == 5, "4 calls by the transport's attempt, 1 by the step's second: \(stats)")
            // The step's backoff is 10 ms; the server asked for 1 s between the 4th and 5th call.
            let gap = times[4] - times[3]
            #expect(gap >= 950, "the step's second attempt came \(gap) ms after the last 503")
            #expect(run.stderr.contains("Retry-After is 1s"), "\(run)")
            #expect(run.stderr.contains("the server offers no GET stream (HTTP 405)"), "\(run)")
        }
    }

    @Test(
        "the GET stream: server pings on it are answered, a silent stream is reopened with Last-Event-ID, closed at the end"
    )
    func getStream() async throws {
        try await withServer("faults.py", arguments: ["--get-stream"]) { server in
            let run = try await runMCPRun(
                ["run", fixture("workflows/faults-get-stream.yaml"), "-v"],
                environment: ["MCP_SERVERS": Self.servers(server), "MCP_RUN_GET_STREAM_IDLE_MS": "800"],
                deadline: .seconds(60))
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results.step("pushed")?["result"]?["content"]?[0]?["text"] == "pong", "\(run) \(server.stderr)")
            #expect(results.step("again")?["result"]?["content"]?[0]?["text"] == "pong", "\(run) \(server.stderr)")
            // The quiet step outlasts the idle limit, not the request timeout: it succeeds.
            #expect(results.step("quiet")?["status"] == "succeeded")
            #expect(
                run.stderr.contains("the GET stream was silent for 800ms; reopening it after event 'gs-1'"), "\(run)")
            // Every stream the client opened is closed by the end of the run (bounded wait: the
            // server notices the disconnects asynchronously).
            var stats = try AuthFlowTests.stats(server)
            let deadline = ContinuousClock.now + .seconds(5)
            while stats["getClosed"] != stats["gets"], ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                stats = try AuthFlowTests.stats(server)
            }
            let gets = stats["gets"]?.intValue ?? 0
            #expect(gets >= 2, "\(stats)")
            #expect(stats["getResumes"]?.arrayValue?.first == "gs-1", "\(stats)")
            #expect(stats["pongs"]?.arrayValue?.count == 2, "\(stats)")
            #expect(stats["getClosed"]?.intValue == gets, "\(stats)")
        }
    }

    @Test("after a session renewal the GET stream is opened again, for the new session")
    func getStreamAfterRenewal() async throws {
        try await withServer("faults.py", arguments: ["--get-stream"]) { server in
            let run = try await runMCPRun(
                ["run", fixture("workflows/faults-get-stream-renewal.yaml"), "-v"],
                environment: ["MCP_SERVERS": Self.servers(server)], deadline: .seconds(60))
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results.step("before")?["result"]?["content"]?[0]?["text"] == "pong", "\(run) \(server.stderr)")
            #expect(results.step("expired")?["result"]?["content"]?[0]?["text"] == "expired", "\(run)")
            #expect(results.step("after")?["result"]?["content"]?[0]?["text"] == "pong", "\(run) \(server.stderr)")
            let stats = try AuthFlowTests.stats(server)
            let sessions = Self.notes("session", in: server).compactMap(\.stringValue)
            #expect(sessions.count == 2, "\(server.stderr)")
            // One GET stream per session, each opened for its own session, in order.
            #expect(stats["getSessions"]?.arrayValue?.compactMap(\.stringValue) == sessions, "\(stats)")
            #expect(run.stderr.contains("opening the GET stream for the new session"), "\(run)")
        }
    }

    @Test("legacy HTTP+SSE: a 429 with Retry-After and a 503 are retried; one that outlasts the retries is unreachable")
    func legacyRetries() async throws {
        try await withServer("faults.py", arguments: []) { server in
            let url = server.url(path: "/sse")
            let run = try await runMCPRun(
                ["run", fixture("workflows/faults-legacy.yaml"), "-v"],
                environment: ["MCP_SERVERS": #"{"faults": {"url": "\#(url)", "transport": "http-sse"}}"#],
                deadline: .seconds(60))
            #expect(run.exitCode == 0, "the failing step continues on error: \(run)")
            let results = try run.json()
            for step in ["limited", "unavailable"] {
                #expect(results.step(step)?["status"] == "succeeded", "\(step): \(run)")
                #expect(results.step(step)?["result"]?["content"]?[0]?["text"] == .string(step), "\(step)")
                #expect(results.step(step)?["attempts"] == 1, "\(step): recovered inside the transport")
            }
            #expect(results.step("down")?["status"] == "failed", "\(run)")
            let error = results.step("down")?["error"]?["message"]?.stringValue ?? ""
            #expect(error.contains("HTTP 503 to 'tools/call' after 3 retries"), "\(error)")
            let calls = Self.notes("call", in: server).compactMap { $0["key"]?.stringValue }
            #expect(calls.filter { $0 == "limited" }.count == 2, "\(calls)")
            #expect(calls.filter { $0 == "unavailable" }.count == 2, "\(calls)")
            #expect(calls.filter { $0 == "down" }.count == 4, "one call and 3 retries: \(calls)")
            #expect(run.stderr.contains("HTTP 429, Retry-After '1'; retry 1 of 3"), "\(run)")
        }
    }
}
