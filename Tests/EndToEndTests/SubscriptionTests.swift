import Basics
import Foundation
import TestSupport
import Testing

/// Change notifications through `subscriptions/listen` (MCP 2026-07-28, Subscriptions), through
/// the binary against `tools.py` (the official Python SDK 2.3.0, whose `ListenHandler` serves the
/// stream and whose modern server drops a list change sent any other way). What the server
/// received is read from the fixture's `--event-log`: every request (`name` is a call's tool),
/// every notification, and when each listen stream started and ended.
@Suite("change notifications through subscriptions/listen", .timeLimit(.minutes(3)))
struct SubscriptionTests {
    static func workflow(_ steps: String) throws -> String {
        let folder = try temporaryDirectory("listen")
        let path = folder + "/flow.yaml"
        try ("steps:\n" + steps).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `shaped` is defined taking `a`, called, redefined taking `b`, and called with `b`: the last
    /// call passes the schema check only with a tool list from after the change. Over HTTP the
    /// change and the answer to `v2` come on two streams in no set order, so `pause` lets the
    /// notification land before `b` (over stdio, one channel, it comes before the answer anyway).
    static let reshaping = """
          - { id: v1, server: fixture, tool: reshape, arguments: { version: 1 } }
          - { id: a, server: fixture, tool: shaped, arguments: { a: 1 } }
          - { id: v2, server: fixture, tool: reshape, arguments: { version: 2 } }
          - { id: pause, server: fixture, tool: sleep, arguments: { ms: 500 } }
          - { id: b, server: fixture, tool: shaped, arguments: { b: 2 } }
        """

    /// The fixture's event log: one JSON object per line.
    struct EventLog {
        var path: String

        var entries: [JSONValue] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").compactMap { try? JSONValue.parse(Array($0.utf8)) }
        }

        /// The requests, as `method` or `method name`.
        var requests: [String] {
            entries.filter { $0["event"] == "request" }.map { entry in
                [entry["method"]?.stringValue, entry["name"]?.stringValue].compactMap { $0 }.joined(separator: " ")
            }
        }

        /// The first entry `matching`, waiting for it up to 10 s (an HTTP server notices a closed
        /// stream on its own time, after the run has exited).
        func first(_ matching: (JSONValue) -> Bool) async throws -> JSONValue? {
            let end = ContinuousClock.now + .seconds(10)
            while true {
                if let entry = entries.first(where: matching) { return entry }
                if ContinuousClock.now > end { return nil }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    @Test(
        "a multi-step modern run listens for list changes, lists the tools again after a tool's schema changed, and closes the stream at its end",
        arguments: ServerRoute.allCases)
    func relistsAfterChange(route: ServerRoute) async throws {
        let flow = try Self.workflow(Self.reshaping)
        let log = EventLog(path: try temporaryDirectory("listen-log") + "/events.jsonl")
        try await withFixture(route, serverArguments: ["--event-log", log.path]) { servers in
            let run = try await runMCPRun(["run", flow, "-o", "-", "-v"], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            #expect(try run.json().step("b")?["result"]?["content"]?[0]?["text"] == "shaped b=2", "\(run)")
            // One stream, opened before the first call, asking for tool list changes.
            let requests = log.requests
            #expect(requests.filter { $0 == "subscriptions/listen" }.count == 1, "\(requests)")
            #expect(
                requests.firstIndex(of: "subscriptions/listen") ?? .max < requests.firstIndex(of: "tools/call reshape")
                    ?? 0, "\(requests)")
            let start = try #require(log.entries.first { $0["event"] == "listen-start" }, "\(log.entries)")
            #expect(start["filter"]?["toolsListChanged"] == true, "\(start)")
            // The tools were listed again between the change to `b` and the call that needs it.
            let change = try #require(requests.lastIndex(of: "tools/call reshape"), "\(requests)")
            let use = try #require(requests.lastIndex(of: "tools/call shaped"), "\(requests)")
            #expect(requests[change..<use].contains("tools/list"), "\(requests)")
            // Ended by mcp-run at the end of the run: over stdio with notifications/cancelled naming it.
            let listenID = start["id"]
            let end = try await log.first { $0["event"] == "listen-end" && $0["id"] == listenID }
            #expect(end?["how"] == "cancelled", "\(log.entries)")
            if route == .stdio {
                let cancelled = log.entries.first {
                    $0["method"] == "notifications/cancelled" && $0["requestId"] == listenID
                }
                #expect(cancelled != nil, "\(log.entries)")
            }
            #expect(run.stderr.contains("subscriptions/listen 2: acknowledged, for changes to: tools"), "\(run)")
            #expect(run.stderr.contains("notifications/tools/list_changed: the tool list is stale"), "\(run)")
            #expect(run.stderr.contains("subscriptions/listen 2: ended (the run is over)"), "\(run)")
        }
    }

    @Test(
        "a run that sends a server one call opens no listen stream (also with --only)",
        arguments: [(ServerRoute.stdio, false), (.streamableSSE, false), (.streamableSSE, true)])
    func oneCall(route: ServerRoute, only: Bool) async throws {
        let flow = try Self.workflow(
            """
              - { id: one, server: fixture, tool: echo, arguments: { text: hi } }
            """ + (only ? "\n  - { id: two, server: fixture, tool: echo, arguments: { text: ho } }\n" : ""))
        let log = EventLog(path: try temporaryDirectory("listen-log") + "/events.jsonl")
        try await withFixture(route, serverArguments: ["--event-log", log.path]) { servers in
            let run = try await runMCPRun(
                ["run", flow, "-o", "-", "-v"] + (only ? ["--only", "one"] : []), environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            #expect(log.requests.contains("tools/call echo"), "\(log.requests)")
            #expect(!log.requests.contains("subscriptions/listen"), "\(log.requests)")
            #expect(!run.stderr.contains("subscriptions/listen"), "\(run)")
        }
    }

    @Test(
        "a server that advertises no listChanged gets no listen stream, so a changed schema goes unheard",
        arguments: [ServerRoute.stdio, .streamableSSE])
    func notAdvertised(route: ServerRoute) async throws {
        let flow = try Self.workflow(Self.reshaping)
        let log = EventLog(path: try temporaryDirectory("listen-log") + "/events.jsonl")
        try await withFixture(route, serverArguments: ["--event-log", log.path, "--no-listen"]) { servers in
            let run = try await runMCPRun(["run", flow, "-o", "-", "-v"], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 1, "\(run)")
            #expect(try run.json().step("b")?["error"]?["code"] == "schema_mismatch", "\(run)")
            #expect(!log.requests.contains("subscriptions/listen"), "\(log.requests)")
            #expect(
                run.stderr.contains(
                    "subscriptions/listen: not opened; the server does not advertise tools.listChanged"),
                "\(run)")
        }
    }

    @Test("a list change heard on the listen stream drops the tool list cached across runs")
    func dropsCachedList() async throws {
        let flow = try Self.workflow(
            """
              - { id: one, server: fixture, tool: echo, arguments: { text: hi } }
              - { id: change, server: fixture, tool: reshape, arguments: { version: 1 } }
            """)
        try await withTemporaryDirectory("listen-cache") { home in
            // Over stdio the change comes before the answer to `change`, so before the run ends.
            try await withFixture(.stdio, serverArguments: ["--list-ttl-ms", "600000"]) { servers in
                let run = try await runMCPRun(
                    ["run", flow, "-o", "-", "-v"], environment: ["MCP_SERVERS": servers, "MCP_RUN_HOME": home])
                #expect(run.exitCode == 0, "\(run)")
                #expect(run.stderr.contains("tools/list: cached the list for 10m"), "\(run)")
                #expect(
                    run.stderr.contains("tools/list: dropped the cached list, which the server said has changed"),
                    "\(run)")
                let folder = home + "/cache/lists"
                let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
                #expect(files.count == 1, "only server/discover's result is left: \(files)")
                let kept = try files.map { try String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }
                #expect(kept.allSatisfy { $0.contains("server/discover") }, "\(kept)")
            }
        }
    }
}

extension SubscriptionTests {
    @Test(
        "a listen stream the server ends gracefully is not reopened, and the run goes on",
        arguments: [ServerRoute.stdio, .streamableSSE])
    func serverEndsIt(route: ServerRoute) async throws {
        // `pause`: the stream's answer comes on its own, after the answer to `end`.
        let flow = try Self.workflow(
            """
              - { id: first, server: fixture, tool: echo, arguments: { text: hi } }
              - { id: end, server: fixture, tool: end_listens }
              - { id: pause, server: fixture, tool: sleep, arguments: { ms: 500 } }
              - { id: last, server: fixture, tool: echo, arguments: { text: ho } }
            """)
        let log = EventLog(path: try temporaryDirectory("listen-log") + "/events.jsonl")
        try await withFixture(route, serverArguments: ["--event-log", log.path]) { servers in
            let run = try await runMCPRun(["run", flow, "-o", "-", "-v"], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            #expect(log.requests.filter { $0 == "subscriptions/listen" }.count == 1, "\(log.requests)")
            #expect(log.requests.last == "tools/call echo", "\(log.requests)")
            #expect(log.entries.first { $0["event"] == "listen-end" }?["how"] == "complete", "\(log.entries)")
            #expect(run.stderr.contains("subscriptions/listen 2: ended by the server (complete)"), "\(run)")
            #expect(!run.stderr.contains("ended (the run is over)"), "\(run)")
            #expect(!log.entries.contains { $0["method"] == "notifications/cancelled" }, "\(log.entries)")
        }
    }
}

extension SubscriptionTests {
    @Test(
        "a listen stream that drops is not reopened, and the next call lists the tools again",
        arguments: [ServerRoute.streamableSSE, .streamableJSON])
    func dropped(route: ServerRoute) async throws {
        // `drop_listens` makes the fixture end the stream's response without its answer, as a
        // proxy cutting a quiet stream does; `pause` lets that land before the next step.
        let flow = try Self.workflow(
            """
              - { id: first, server: fixture, tool: echo, arguments: { text: hi } }
              - { id: drop, server: fixture, tool: drop_listens }
              - { id: pause, server: fixture, tool: sleep, arguments: { ms: 500 } }
              - { id: last, server: fixture, tool: echo, arguments: { text: ho } }
            """)
        let log = EventLog(path: try temporaryDirectory("listen-log") + "/events.jsonl")
        try await withFixture(route, serverArguments: ["--event-log", log.path]) { servers in
            let run = try await runMCPRun(["run", flow, "-o", "-", "-v"], environment: ["MCP_SERVERS": servers])
            #expect(run.exitCode == 0, "\(run)")
            let requests = log.requests
            #expect(requests.filter { $0 == "subscriptions/listen" }.count == 1, "not reopened: \(requests)")
            let drop = try #require(requests.firstIndex(of: "tools/call drop_listens"), "\(requests)")
            #expect(requests[drop...].contains("tools/list"), "listed again after the drop: \(requests)")
            #expect(run.stderr.contains("subscriptions/listen 2: the stream dropped"), "\(run)")
            #expect(run.stderr.contains("not reopened"), "\(run)")
            #expect(!run.stderr.contains("ended (the run is over)"), "\(run)")
        }
    }
}
