import Basics
import Foundation
import TestSupport
import Testing

@Suite("parallel steps, foreach, logs and jsonl", .timeLimit(.minutes(3)))
struct ParallelTests {
    /// Milliseconds since 1970 of a results document's `startedAt`.
    static func milliseconds(_ value: JSONValue?) throws -> Double {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try #require(
            value?.stringValue.flatMap { formatter.date(from: $0) }, "bad startedAt \(String(describing: value))")
        return date.timeIntervalSince1970 * 1000
    }

    @Test("ten independent 500 ms steps over one session overlap in time")
    func independentStepsOverlap() async throws {
        try await withFixture(.streamableSSE) { servers in
            let run = try await runMCPRun(
                ["run", fixture("workflows/parallel.yaml")], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            let steps = try #require(try run.json()["steps"]?.arrayValue)
            #expect(steps.count == 10)
            var starts: [Double] = []
            var ends: [Double] = []
            for step in steps {
                let start = try Self.milliseconds(step["startedAt"])
                starts.append(start)
                ends.append(start + Double(step["durationMs"]?.intValue ?? 0))
            }
            // Every step started before any step ended: all ten were in flight together.
            #expect((starts.max() ?? 0) < (ends.min() ?? 0), "starts \(starts), ends \(ends)")
        }
    }

    @Test("foreach runs once per element and keeps element order", arguments: [ServerRoute.stdio, .streamableJSON])
    func foreach(transport: ServerRoute) async throws {
        try await withFixture(transport) { servers in
            let run = try await runMCPRun(
                ["run", fixture("workflows/foreach.yaml")], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(results["outputs"]?["joined"] == "0-alpha,1-beta,2-gamma", "\(run)")
            let each = results.step("each")
            #expect(each?["attempts"] == 3)
            #expect(each?["iterations"]?.arrayValue?.map { $0["index"] } == [0, 1, 2])
            #expect(each?["iterations"]?[2]?["arguments"] == ["text": "2-gamma"])
            #expect(run.stderr.contains("step 'each' succeeded"), "\(run)")
        }
    }

    @Test("--format jsonl prints one event per line: starts, progress, finishes, then the run")
    func jsonl() async throws {
        try await withFixture(.streamableSSE) { servers in
            let run = try await runMCPRun(
                ["run", fixture("workflows/logs.yaml"), "--format", "jsonl"], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            let lines = run.stdout.split(separator: "\n").map(String.init)
            let events = try lines.map { try JSONValue.parse(Array($0.utf8)) }
            #expect(
                events.compactMap { $0["event"]?.stringValue }.filter { $0 != "step.progress" } == [
                    "step.started", "step.finished", "step.started", "step.finished", "run.finished",
                ], "\(run)")
            let progress = events.filter { $0["event"] == "step.progress" }
            #expect(progress.map { $0["progress"] } == [1, 2, 3], "\(run)")
            #expect(progress.allSatisfy { $0["step"] == "busy" && $0["total"] == 3 })
            #expect(events.last?["results"]?["status"] == "succeeded")
        }
    }

    @Test("a tool's log messages are kept in its step's log (SSE responses carry them)")
    func logs() async throws {
        try await withFixture(.streamableSSE) { servers in
            let run = try await runMCPRun(
                ["run", fixture("workflows/logs.yaml")], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            let log = results.step("chatty")?["log"]?.arrayValue
            #expect(log?.count == 1, "\(run)")
            #expect(log?.first?["level"] == "warning")
            #expect(log?.first?["data"] == "hello from the fixture")
            #expect(results.step("busy")?["log"] == nil)
        }
    }

    @Test("without a terminal, progress is one plain line per step event")
    func plainProgress() async throws {
        try await withFixture(.stdio) { servers in
            let run = try await runMCPRun(
                ["run", fixture("workflows/foreach.yaml")], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("step ") }
            #expect(lines.count == 2, "\(run)")
            #expect(!run.stderr.contains("\u{1B}["), "no escape sequences without a terminal")
        }
    }
}

@Suite("elicitation", .timeLimit(.minutes(3)))
struct ElicitationTests {
    @Test(
        "elicitation/create is answered from the workflow's rules, the schema's defaults filling gaps",
        arguments: [ServerRoute.stdio, .streamableSSE])
    func answers(transport: ServerRoute) async throws {
        // tools.py's `ask` elicits with a server request (`ctx.elicit`), which the SDK serves in
        // the handshake era only; the modern era's input_required is ProtocolEraTests' subject.
        try await withFixture(transport, extra: ["protocolVersion": "2025-11-25"]) { servers in
            let run = try await runMCPRun(
                ["run", fixture("workflows/elicitation.yaml")], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            let results = try run.json()
            #expect(
                results.step("deploy")?["result"]?["structuredContent"]
                    == ["action": "accept", "content": ["confirm": true, "note": "none"]], "\(run)")
            #expect(results.step("delete")?["result"]?["structuredContent"]?["action"] == "decline")
            #expect(results.step("other")?["result"]?["structuredContent"]?["action"] == "decline")
        }
    }
}
