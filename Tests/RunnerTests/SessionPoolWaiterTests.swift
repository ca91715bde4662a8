import Basics
import MCPClient
import Testing

@testable import Runner

/// Opens sessions only once the test notes `release:open`, so callers pile up as waiters; the
/// sessions list their tools only once the test notes `release:list`.
private struct HeldOpener: SessionOpener {
    var recorder: Recorder

    func open(_ server: ResolvedServer, logger: Logger, events: SessionEvents) async throws -> any ToolSession {
        await recorder.opened(server)
        try await recorder.waitUntil { $0.contains("release:open") }
        var session = FakeSession(
            server: server.name, script: FakeServer(tools: [.text("t", "ok")]), recorder: recorder)
        session.beforeListing = { [recorder] in
            await recorder.note("list")
            try await recorder.waitUntil { $0.contains("release:list") }
        }
        return session
    }
}

@Suite("session pool: waiters", .timeLimit(.minutes(1)))
struct SessionPoolWaiterTests {
    static let server = ResolvedServer(
        name: "s",
        config: ServerConfig(name: "s", endpoint: .http(url: "https://example.test/mcp", transport: .negotiate)))

    @Test(
        "a task waiting for a session another task is opening ends at once when cancelled",
        arguments: [0, 1, 5, 20])
    func cancelledSessionWaiter(yields: Int) async throws {
        let recorder = Recorder()
        let pool = SessionPool(opener: HeldOpener(recorder: recorder), logger: .silent)
        let opening = Task { try await pool.session(for: Self.server) }
        try await recorder.waitUntil { $0.contains("open:s") }
        let waiter = Task { try await pool.session(for: Self.server) }
        for _ in 0..<yields { await Task.yield() }
        waiter.cancel()
        // The opening is still held: only the cancellation can end the waiter.
        await #expect(throws: CancellationError.self) { try await waiter.value }
        await recorder.note("release:open")
        await recorder.note("release:list")
        _ = try await opening.value
        // The cancelled waiter's continuation was dropped, not resumed a second time.
        _ = try await pool.session(for: Self.server)
        #expect(await recorder.opens == ["s"])
        await pool.closeAll()
    }

    @Test("a task waiting for a listing another task runs ends at once when cancelled", arguments: [0, 1, 5, 20])
    func cancelledListingWaiter(yields: Int) async throws {
        let recorder = Recorder()
        let pool = SessionPool(opener: HeldOpener(recorder: recorder), logger: .silent)
        await recorder.note("release:open")
        let listing = Task { try await pool.tools(for: Self.server) }
        try await recorder.waitUntil { $0.contains("list") }
        let waiter = Task { try await pool.tools(for: Self.server) }
        for _ in 0..<yields { await Task.yield() }
        waiter.cancel()
        // The listing is still held: only the cancellation can end the waiter.
        await #expect(throws: CancellationError.self) { try await waiter.value }
        await recorder.note("release:list")
        #expect(try await listing.value.map(\.name) == ["t"])
        #expect(try await pool.tools(for: Self.server).map(\.name) == ["t"])
        await pool.closeAll()
    }

    @Test("of twenty tasks waiting for one opening, the cancelled ones end at once and the others get the session")
    func mixedWaiters() async throws {
        let recorder = Recorder()
        let pool = SessionPool(opener: HeldOpener(recorder: recorder), logger: .silent)
        let opening = Task { try await pool.session(for: Self.server) }
        try await recorder.waitUntil { $0.contains("open:s") }
        let waiters = (0..<20).map { _ in Task { try await pool.session(for: Self.server) } }
        for (index, waiter) in waiters.enumerated() where index.isMultiple(of: 2) {
            waiter.cancel()
            await Task.yield()
        }
        for (index, waiter) in waiters.enumerated() where index.isMultiple(of: 2) {
            await #expect(throws: CancellationError.self) { try await waiter.value }
        }
        await recorder.note("release:open")
        _ = try await opening.value
        for (index, waiter) in waiters.enumerated() where !index.isMultiple(of: 2) {
            _ = try await waiter.value
        }
        #expect(await recorder.opens == ["s"])
        await pool.closeAll()
    }
}
