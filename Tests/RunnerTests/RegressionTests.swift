import Basics
import MCPClient
import Results
import Runner
import Testing
import WorkflowModel

@Suite("regressions found in review")
struct RegressionTests {
    @Test("the 'not run' error names the step that stopped the run, not an earlier continue-on-error failure")
    func notRunNamesTheStoppingStep() async throws {
        let recorder = Recorder()
        let report = try await run(
            """
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: tolerated
                server: s
                tool: broken
                continue-on-error: true
              - id: fatal
                server: s
                tool: broken
              - id: never
                server: s
                tool: fine
            """,
            servers: [
                "s": FakeServer(tools: [.returning("broken", textResult("nope", isError: true)), .text("fine", "ok")])
            ],
            recorder: recorder)
        #expect(report.status == .failed)
        #expect(try report.step("never").status == .skipped)
        let message = try report.step("never").error?.message
        #expect(message == "not run: step 'fatal' failed", "got \(message ?? "nil")")
    }

    @Test("a server's tools are listed once per run, even when steps call it side by side")
    func toolsListedOnce() async throws {
        let recorder = Recorder()
        let workflow = try loadWorkflow(
            """
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
            """)
        let servers = [
            "s": FakeServer(tools: [.text("one", "1"), .text("two", "2")]),
            "t": FakeServer(tools: [.text("ping", "pong")]),
        ]
        /// Holds the first listing of `s` until both steps have started, so the second step reaches
        /// the pool while the first listing is still in flight.
        struct HeldListing: SessionOpener {
            var inner: FakeOpener
            func open(_ server: ResolvedServer, logger: Logger, events: SessionEvents) async throws -> any ToolSession {
                let session = try await inner.open(server, logger: logger, events: events)
                guard server.name == "s", let fake = session as? FakeSession else { return session }
                return HeldSession(inner: fake)
            }
        }
        struct HeldSession: ToolSession {
            var inner: FakeSession
            func listTools() async throws -> [ToolDescription] {
                try await inner.recorder.waitUntil { $0.contains("observed:two") && $0.contains("observed:one") }
                for _ in 0..<100 { await Task.yield() }
                return try await inner.listTools()
            }
            func callTool(
                _ name: String, arguments: JSONValue, timeout: Duration?, progressToken: JSONValue?
            ) async throws -> JSONValue {
                try await inner.callTool(name, arguments: arguments, timeout: timeout, progressToken: progressToken)
            }
            func readResource(_ uri: String, timeout: Duration?) async throws -> JSONValue {
                try await inner.readResource(uri, timeout: timeout)
            }
            func getPrompt(_ name: String, arguments: JSONValue, timeout: Duration?) async throws -> JSONValue {
                try await inner.getPrompt(name, arguments: arguments, timeout: timeout)
            }
            func close() async { await inner.close() }
        }
        let options = testOptions(observer: { event in
            guard case .stepStarted(let id, _) = event else { return }
            // The observer is synchronous; the recorder is an actor.
            Task { await recorder.note("observed:\(id)") }
        })
        let runner = WorkflowRunner(
            workflow: workflow, options: options,
            opener: HeldListing(inner: FakeOpener(servers: servers, recorder: recorder)))
        let report = try await withTimeout(deadline) { await runner.run() }
        #expect(report.status == .succeeded)
        let listings = await recorder.listings.sorted()
        #expect(listings == ["s", "t"], "listed: \(listings)")
    }

    @Test("a step's own failure stays in its record and is also the document's top-level error (contract §6)")
    func stepFailureIsRunLevel() async throws {
        let report = try await run(
            """
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: divide
                server: s
                tool: divide
            """,
            servers: ["s": FakeServer(tools: [.returning("divide", textResult("division by zero", isError: true))])],
            recorder: Recorder())
        #expect(report.document.status == .failed)
        #expect(report.document.steps.first?.error?.message == "tool 'divide' returned an error: division by zero")
        #expect(report.document.error?.failure == report.document.steps.first?.error)
        #expect(report.document.error?.step == "divide" && report.document.error?.server == "s")
        #expect(report.document.error?.code == .toolError)
    }

    @Test("a tool error is reported as the step's error even when the step's outputs cannot be read from it")
    func toolErrorWinsOverOutputs() async throws {
        let report = try await run(
            """
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: create
                server: s
                tool: create
                continue-on-error: true
                outputs:
                  id: ${{ result.structuredContent.id }}
            """,
            servers: ["s": FakeServer(tools: [.returning("create", textResult("quota exceeded", isError: true))])],
            recorder: Recorder())
        let step = try report.step("create")
        #expect(step.status == .failed)
        #expect(
            step.error?.message == "tool 'create' returned an error: quota exceeded",
            "got \(step.error?.message ?? "nil")")
    }
}
