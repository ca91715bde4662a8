import Basics
import MCPClient
import Results
import Runner
import Testing

/// Step events as the observer saw them: `started:a`, `finished:a:succeeded`.
private final class ObservedEvents: Sendable {
    let events = Locked<[String]>([])

    var observer: @Sendable (RunEvent) -> Void {
        { [events] event in
            let line: String
            switch event {
            case .stepStarted(let id, _): line = "started:\(id)"
            case .stepFinished(let report, _): line = "finished:\(report.id):\(report.status.rawValue)"
            case .stepProgress(let id, let progress, let total, let message):
                line = "progress:\(id):\(progress):\(total.map { "\($0)" } ?? "-"):\(message ?? "-")"
            case .stepTask(let id, let taskID, let status, _): line = "task:\(id):\(taskID):\(status)"
            }
            events.withLock { $0.append(line) }
        }
    }
}

@Suite("Scheduler", .timeLimit(.minutes(1)))
struct SchedulerTests {
    @Test("two steps that need the same step are both in flight before either may finish")
    func independentStepsRunSideBySide() async throws {
        let recorder = Recorder()
        let workflow = """
            concurrency: 2
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: root
                server: s
                tool: root
              - id: left
                needs: [root]
                server: s
                tool: left
              - id: right
                needs: [root]
                server: s
                tool: right
              - id: join
                needs: [left, right]
                server: s
                tool: join
                arguments: { both: "${{ steps.left.text }}+${{ steps.right.text }}" }
            """
        let servers = ["s": FakeServer(tools: [.text("root", "r"), .held("left"), .held("right"), .text("join", "j")])]
        async let running = run(workflow, servers: servers, recorder: recorder)
        // Neither is released until both have started: a serial scheduler never gets past this wait.
        try await recorder.waitUntil { $0.contains("start:left") && $0.contains("start:right") }
        #expect(await recorder.inFlight == 2)
        await recorder.note("release:right")
        await recorder.note("release:left")
        let report = try await running
        #expect(report.status == .succeeded)
        #expect(await recorder.maxInFlight == 2)
        let calls = await recorder.calls
        #expect(calls.last?.tool == "join", "the joining step waits for both of its needs")
        #expect(calls.last?.arguments == ["both": "left+right"])
    }

    @Test("with concurrency 1, no two steps are ever in flight at once")
    func concurrencyOneIsSerial() async throws {
        let recorder = Recorder()
        let observed = ObservedEvents()
        let workflow = """
            concurrency: 1
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: root
                server: s
                tool: root
              - id: left
                needs: [root]
                server: s
                tool: left
              - id: right
                needs: [root]
                server: s
                tool: right
            """
        let servers = ["s": FakeServer(tools: [.text("root", "r"), .held("left"), .held("right")])]
        async let running = run(
            workflow, servers: servers, recorder: recorder, options: testOptions(observer: observed.observer))
        // Release each held step only once it is the one in flight.
        try await recorder.waitUntil { $0.contains("start:left") || $0.contains("start:right") }
        #expect(await recorder.inFlight == 1)
        let first = await recorder.events.contains("start:left") ? "left" : "right"
        let second = first == "left" ? "right" : "left"
        await recorder.note("release:\(first)")
        try await recorder.waitUntil { $0.contains("start:\(second)") }
        #expect(await recorder.events.contains("end:\(first)"), "the second starts only after the first ended")
        await recorder.note("release:\(second)")
        let report = try await running
        #expect(report.status == .succeeded)
        #expect(await recorder.maxInFlight == 1)
        // The scheduler starts a step and reports a finish on its own task, so this order is exact:
        // with room for two it would start both before the first finished.
        #expect(
            observed.events.value == [
                "started:root", "finished:root:succeeded", "started:\(first)", "finished:\(first):succeeded",
                "started:\(second)", "finished:\(second):succeeded",
            ])
    }

    @Test("a step with needs starts as soon as its needs finish, not after the step before it")
    func needsStartEarly() async throws {
        let recorder = Recorder()
        let workflow = """
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: a
                server: s
                tool: a
              - id: slow
                server: s
                tool: slow
              - id: quick
                needs: [a]
                server: s
                tool: quick
                arguments: { from: "${{ steps.a.text }}" }
              - id: last
                server: s
                tool: last
            """
        let servers = [
            "s": FakeServer(tools: [.text("a", "A"), .held("slow"), .text("quick", "Q"), .text("last", "L")])
        ]
        async let running = run(workflow, servers: servers, recorder: recorder)
        // `slow` is held; `quick` (later in the file) must still run to the end meanwhile.
        try await recorder.waitUntil { $0.contains("start:slow") && $0.contains("end:quick") }
        await recorder.note("release:slow")
        let report = try await running
        #expect(report.status == .succeeded)
        #expect(report.steps.map(\.id) == ["a", "slow", "quick", "last"], "the report keeps file order")
        let calls = await recorder.calls
        #expect(calls.first?.tool == "a")
        #expect(Set(calls.map(\.tool)) == ["a", "slow", "quick", "last"])
        #expect(calls.first { $0.tool == "quick" }?.arguments == ["from": "A"])
        // `last` has no needs: it waits for the step before it, `quick`, not for `slow`.
        let events = await recorder.events
        let quickEnded = try #require(events.firstIndex(of: "end:quick"))
        let lastStarted = try #require(events.firstIndex(of: "start:last"))
        #expect(quickEnded < lastStarted)
    }

    @Test("each server's session is opened once, even when steps call it side by side, and closed at the end")
    func oneSessionPerServer() async throws {
        let recorder = Recorder()
        let workflow = """
            servers:
              s: { url: "https://example.test/s" }
              t: { url: "https://example.test/t" }
            steps:
              - id: root
                server: t
                tool: ping
              - id: one
                needs: [root]
                server: s
                tool: one
              - id: two
                needs: [root]
                server: s
                tool: two
              - id: three
                needs: [root]
                server: s
                tool: three
              - id: again
                needs: [one, two, three]
                server: t
                tool: ping
            """
        let servers = [
            "s": FakeServer(tools: [.held("one"), .held("two"), .held("three")]),
            "t": FakeServer(tools: [.text("ping", "pong")]),
        ]
        async let running = run(workflow, servers: servers, recorder: recorder)
        try await recorder.waitUntil { events in ["one", "two", "three"].allSatisfy { events.contains("start:\($0)") } }
        for tool in ["one", "two", "three"] { await recorder.note("release:\(tool)") }
        let report = try await running
        #expect(report.status == .succeeded)
        #expect(await recorder.opens.sorted() == ["s", "t"])
        #expect(await recorder.closes.sorted() == ["s", "t"], "every session is closed once the run ends")
        #expect(await recorder.calls.count == 5)
    }

    @Test("sessions are closed when a step fails too")
    func sessionsClosedAfterFailure() async throws {
        let recorder = Recorder()
        let report = try await run(
            """
            servers:
              s: { url: "https://example.test/s" }
            steps:
              - id: a
                server: s
                tool: broken
            """,
            servers: ["s": FakeServer(tools: [.failing("broken", ClientError(code: .closed, message: "closed"))])],
            recorder: recorder)
        #expect(report.status == .failed)
        #expect(await recorder.closes == ["s"])
    }

    @Test("a server that cannot be reached fails the run with an unreachable error and calls nothing")
    func unreachableServer() async throws {
        let recorder = Recorder()
        let report = try await run(
            """
            servers:
              s: { url: "https://example.test/s" }
            steps:
              - id: a
                server: s
                tool: one
              - id: b
                server: s
                tool: two
            """,
            servers: [
                "s": FakeServer(
                    tools: [.text("one", "1"), .text("two", "2")],
                    openError: ClientError(code: .unreachable, message: "could not connect to https://example.test/s"))
            ], recorder: recorder)
        #expect(report.status == .failed)
        let error = try #require(report.error)
        #expect(error.code == .unreachable)
        #expect(error.message == "could not connect to https://example.test/s")
        #expect(error.context.server == "s")
        #expect(try report.step("a").status == .failed)
        #expect(try report.step("b").status == .skipped)
        #expect(await recorder.opens == ["s"])
        #expect(await recorder.calls.isEmpty)
        #expect(report.document.error?.message == "could not connect to https://example.test/s")
        #expect(report.document.status == .failed)
    }

    @Test("--only runs just the named step; the others are skipped and call nothing")
    func onlyRunsOneStep() async throws {
        let recorder = Recorder()
        let report = try await run(
            """
            servers:
              s: { url: "https://example.test/s" }
            steps:
              - id: a
                server: s
                tool: one
              - id: b
                server: s
                tool: two
              - id: c
                server: s
                tool: three
            """,
            servers: ["s": FakeServer(tools: [.text("one", "1"), .text("two", "2"), .text("three", "3")])],
            recorder: recorder, options: testOptions(only: ["b"]))
        #expect(report.status == .succeeded)
        #expect(report.steps.map(\.status) == [.skipped, .succeeded, .skipped])
        #expect(report.steps.allSatisfy { $0.error == nil })
        #expect(await recorder.calls.map(\.tool) == ["two"])
    }
}
