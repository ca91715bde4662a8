import Basics
import MCPClient
import Results
import Runner
import Testing
import WorkflowModel

@Suite("session pool: one session and one tool list per server", .timeLimit(.minutes(1)))
struct SessionPoolTests {
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
                _ name: String, arguments: JSONValue, timeout: Duration?, progressToken: JSONValue?, acceptsTasks: Bool
            ) async throws -> JSONValue {
                try await inner.callTool(
                    name, arguments: arguments, timeout: timeout, progressToken: progressToken,
                    acceptsTasks: acceptsTasks)
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
}
