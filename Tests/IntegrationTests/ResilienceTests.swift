import Basics
import Foundation
import HTTP
import TestSupport
import Testing

@testable import MCPClient

/// Streamable HTTP against `faults.py`, one fault at a time, through `ServerSession` (contract §8:
/// resumption, session renewal, retries, clear failures).
///
/// One server serves every check (each call names its own `key`, so the server's fault budgets
/// and counters do not mix): starting a Python server costs seconds on a loaded machine.
@Suite("Streamable HTTP resilience against faults.py", .serialized, .timeLimit(.minutes(3)))
struct ResilienceTests {
    static let name = "faults"

    @Test("every fault is recovered from, or fails clearly and promptly")
    func faults() async throws {
        try await withServer("faults.py", arguments: []) { server in
            let faults = Faults(server: server)
            try await resumption(faults)
            try await repeatedDrops(faults)
            try await dropWithoutEventID(faults)
            try await retriedStatuses(faults)
            try await retryAfterDate(faults)
            try await unprocessedUntilGivingUp(faults)
            try await serverErrorNotRetried(faults)
            try await sessionRenewal(faults)
            try await brokenBodies(faults)
            try await hang(faults)
        }
    }

    @Test("an initialize answered 503 once is retried, and a refused connection is retried then .unreachable")
    func connectionRetries() async throws {
        try await withServer("faults.py", arguments: ["--json-response", "--initialize-status", "503:1"]) { server in
            let lines = Locked<[String]>([])
            let logger = Logger(level: .verbose) { line in lines.withLock { $0.append(line) } }
            let session = try await ServerSession.open(Faults(server: server).config(), logger: logger)
            let echo = try await session.callTool("echo", arguments: ["text": "after 503"], timeout: nil)
            await session.close()
            #expect(echo["content"]?[0]?["text"] == "after 503")
            #expect(lines.value.contains { $0.contains("HTTP 503") && $0.contains("retry 1 of 3") }, "\(lines.value)")
        }
        let lines = Locked<[String]>([])
        let logger = Logger(level: .verbose) { line in lines.withLock { $0.append(line) } }
        let config = ServerConfig(
            name: "nowhere", endpoint: .http(url: "http://127.0.0.1:9/mcp", transport: .streamableHTTP),
            requestTimeout: .seconds(20))
        let started = ContinuousClock.now
        let error = await #expect(throws: ClientError.self) { try await ServerSession.open(config, logger: logger) }
        #expect(error?.code == .unreachable)
        #expect(ContinuousClock.now - started < .seconds(19), "waited for the 20 s request timeout")
        #expect(lines.value.filter { $0.contains("retry ") && $0.contains(" of 3") }.count == 3, "\(lines.value)")
    }

    // MARK: - Checks

    /// A dropped stream whose events carried ids is resumed with GET + Last-Event-ID after the
    /// server's `retry` delay; the notification sent before the drop is delivered once.
    func resumption(_ faults: Faults) async throws {
        let seen = Locked<[ServerNotification]>([])
        try await faults.withSession(observer: { note in seen.withLock { $0.append(note) } }) { session in
            let result = try await session.callTool(
                "echo", arguments: ["text": "resume-1", "fault": "drop", "retry_ms": 600], timeout: nil)
            #expect(result["content"]?[0]?["text"] == "resume-1")
        }
        let stats = try await faults.stats()
        let resumes = stats["resumes"]?.arrayValue?.filter { $0["key"] == "resume-1" } ?? []
        #expect(resumes.count == 1)
        let after = try #require(resumes.first?["afterDropMs"]?.intValue)
        #expect(after >= 550 && after < 1100, "resumed \(after) ms after the drop, asked for 600")
        #expect(stats["calls"]?["resume-1"] == 1, "a resumption is not a re-send")
        let logs = seen.value.filter { if case .log = $0 { true } else { false } }
        #expect(logs.count == 1)
    }

    /// A stream that drops again on resumption is resumed again, a bounded number of times.
    func repeatedDrops(_ faults: Faults) async throws {
        try await faults.withSession { session in
            let result = try await session.callTool(
                "echo", arguments: ["text": "resume-3", "fault": "drop", "times": 3, "retry_ms": 50], timeout: nil)
            #expect(result["content"]?[0]?["text"] == "resume-3")
        }
        let resumes = try await faults.stats()["resumes"]?.arrayValue?.filter { $0["key"] == "resume-3" } ?? []
        #expect(resumes.count == 3)

        try await faults.withSession { session in
            let error = await #expect(throws: ClientError.self) {
                try await session.callTool(
                    "echo", arguments: ["text": "resume-forever", "fault": "drop", "times": 50, "retry_ms": 10],
                    timeout: nil)
            }
            #expect(error?.code == .closed)
            #expect(error?.message.contains("gave up after 5 resumptions") == true, "\(String(describing: error))")
        }
    }

    /// A stream that drops with no event id cannot be resumed: a clear `.closed`, not a hang.
    func dropWithoutEventID(_ faults: Faults) async throws {
        try await faults.withSession { session in
            let error = await #expect(throws: ClientError.self) {
                try await session.callTool("echo", arguments: ["text": "noid", "fault": "drop-noid"], timeout: nil)
            }
            #expect(error?.code == .closed)
            #expect(error?.message.contains("no event id to resume from") == true, "\(String(describing: error))")
            #expect(error?.context.server == Self.name)
            #expect(error?.context.method == "tools/call")
            // The session stays usable.
            let echo = try await session.callTool("echo", arguments: ["text": "still here"], timeout: nil)
            #expect(echo["content"]?[0]?["text"] == "still here")
        }
    }

    /// 429 (with Retry-After in seconds), 502, 503 and 504 once: retried, and the retry is traced.
    func retriedStatuses(_ faults: Faults) async throws {
        let lines = Locked<[String]>([])
        let logger = Logger(level: .verbose) { line in lines.withLock { $0.append(line) } }
        try await faults.withSession(logger: logger) { session in
            let started = ContinuousClock.now
            let limited = try await session.callTool(
                "echo", arguments: ["text": "s429", "fault": "status", "status": 429, "retry_after": "1"], timeout: nil)
            #expect(limited["content"]?[0]?["text"] == "s429")
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(950), "waited \(waited) for Retry-After: 1")
            for status in [502, 503, 504] {
                let result = try await session.callTool(
                    "echo", arguments: ["text": .string("s\(status)"), "fault": "status", "status": .integer(status)],
                    timeout: nil)
                #expect(result["content"]?[0]?["text"] == .string("s\(status)"))
            }
        }
        let calls = try await faults.stats()["calls"]
        for key in ["s429", "s502", "s503", "s504"] { #expect(calls?[key] == 2, "\(key)") }
        #expect(lines.value.contains { $0.contains("HTTP 429, Retry-After '1'; retry 1 of 3 in 1s") }, "\(lines.value)")
    }

    /// Retry-After as an HTTP date is honoured.
    func retryAfterDate(_ faults: Faults) async throws {
        try await faults.withSession { session in
            let started = ContinuousClock.now
            let result = try await session.callTool(
                "echo", arguments: ["text": "date", "fault": "status", "status": 503, "retry_after_date": 2],
                timeout: nil)
            #expect(result["content"]?[0]?["text"] == "date")
            // An HTTP date has whole seconds: 2 s ahead is 1 to 2 s away.
            #expect(ContinuousClock.now - started >= .milliseconds(900))
        }
    }

    /// A status that persists is retried 3 times, then `.unreachable` naming the status.
    func unprocessedUntilGivingUp(_ faults: Faults) async throws {
        try await faults.withSession { session in
            let error = await #expect(throws: ClientError.self) {
                try await session.callTool(
                    "echo", arguments: ["text": "always503", "fault": "status", "status": 503, "times": 99],
                    timeout: nil
                )
            }
            #expect(error?.code == .unreachable)
            #expect(error?.message.contains("HTTP 503") == true)
            #expect(error?.context.server == Self.name)
        }
        #expect(try await faults.stats()["calls"]?["always503"] == 4)
    }

    /// A 500 may have been processed: not retried, a protocol violation naming the status.
    func serverErrorNotRetried(_ faults: Faults) async throws {
        try await faults.withSession { session in
            let error = await #expect(throws: ClientError.self) {
                try await session.callTool(
                    "echo", arguments: ["text": "s500", "fault": "status", "status": 500], timeout: nil)
            }
            #expect(error?.code == .protocolViolation)
            #expect(error?.message.contains("HTTP 500") == true)
        }
        #expect(try await faults.stats()["calls"]?["s500"] == 1)
    }

    /// A 404 to the session's id starts a new session on the same transport and re-sends the
    /// request once; later requests use the new session.
    func sessionRenewal(_ faults: Faults) async throws {
        let before = try await faults.stats()["sessions"]?.intValue ?? 0
        let transport = StreamableHTTPTransport(
            url: faults.server.url(), headers: [], serverName: Self.name, logger: .silent)
        let session = try await ServerSession.open(transport: transport, name: Self.name, logger: .silent)
        let first = try #require(await transport.currentSessionID)
        let result = try await session.callTool(
            "echo", arguments: ["text": "expire-1", "fault": "expire"], timeout: nil)
        #expect(result["content"]?[0]?["text"] == "expire-1")
        let second = try #require(await transport.currentSessionID)
        #expect(second != first)
        _ = try await session.listTools()
        await session.close()
        let stats = try await faults.stats()
        #expect(stats["sessions"]?.intValue == before + 2)
        let requests = stats["requests"]?.arrayValue ?? []
        #expect(requests.filter { $0["key"] == "expire-1" }.map { $0["status"] } == [404, 200])
        #expect(requests.contains { $0["method"] == "notifications/initialized" && $0["session"] == .string(second) })
        #expect(stats["deletes"]?.arrayValue?.contains(.string(second)) == true)

        // Expiring again in the new session: renewed once per request, then a clear failure.
        try await faults.withSession { session in
            let error = await #expect(throws: ClientError.self) {
                try await session.callTool(
                    "echo", arguments: ["text": "expire-twice", "fault": "expire", "times": 2], timeout: nil)
            }
            #expect(error?.code == .protocolViolation)
            #expect(error?.message.contains("HTTP 404") == true)
        }
    }

    /// Malformed JSON, a malformed event, a truncated event and an oversized line are protocol
    /// violations naming the server and what was wrong.
    func brokenBodies(_ faults: Faults) async throws {
        let cases: [(fault: String, says: String)] = [
            ("malformed", "body is not JSON-RPC"),
            ("malformed-sse", "carried an event that is not JSON-RPC"),
            ("truncated", "ended in the middle of an event"),
            ("oversized", "broke a limit"),
        ]
        try await faults.withSession { session in
            for (fault, says) in cases {
                let error = await #expect(throws: ClientError.self, "\(fault)") {
                    try await session.callTool(
                        "echo", arguments: ["text": .string(fault), "fault": .string(fault)], timeout: nil)
                }
                #expect(error?.code == .protocolViolation, "\(fault)")
                #expect(error?.message.contains(says) == true, "\(fault): \(String(describing: error))")
                #expect(error?.context.server == Self.name)
            }
        }
    }

    /// A server that never answers: `.timedOut` at the request's limit, and the server is told
    /// with `notifications/cancelled`; the same with a stream that opens and then goes quiet.
    func hang(_ faults: Faults) async throws {
        try await faults.withSession { session in
            for fault in ["hang", "hang-sse"] {
                let started = ContinuousClock.now
                let error = await #expect(throws: ClientError.self) {
                    try await session.callTool(
                        "echo", arguments: ["text": .string(fault), "fault": .string(fault)], timeout: .seconds(1))
                }
                let took = ContinuousClock.now - started
                #expect(error?.code == .timedOut, "\(fault)")
                #expect(took >= .seconds(1), "\(fault) took \(took)")
            }
        }
        // The cancellations are sent by the session's writer: give them a moment to land.
        let deadline = ContinuousClock.now + .seconds(5)
        var cancelled = 0
        var disconnects: [JSONValue] = []
        while ContinuousClock.now < deadline {
            let stats = try await faults.stats()
            cancelled = stats["cancelled"]?.arrayValue?.count ?? 0
            disconnects = stats["disconnects"]?.arrayValue ?? []
            if cancelled >= 2, disconnects.count >= 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(cancelled >= 2)
        #expect(Set(disconnects.compactMap(\.stringValue)) == ["hang", "hang-sse"])
    }
}

/// The `faults.py` server under test: sessions on it and its `/stats`.
struct Faults {
    let server: FixtureServer

    func config(timeout: Duration = .seconds(20)) -> ServerConfig {
        ServerConfig(
            name: ResilienceTests.name, endpoint: .http(url: server.url(), transport: .streamableHTTP),
            requestTimeout: timeout)
    }

    func withSession<R>(
        logger: Logger = .silent, observer: (@Sendable (ServerNotification) -> Void)? = nil,
        _ body: (ServerSession) async throws -> R
    ) async throws -> R {
        let session = try await ServerSession.open(config(), logger: logger, observer: observer)
        do {
            let result = try await body(session)
            await session.close()
            return result
        } catch {
            await session.close()
            throw error
        }
    }

    /// What the server saw so far (`GET /stats`).
    func stats() async throws -> JSONValue {
        let response = try await HTTPClient.shared.send(
            HTTPRequest(method: "GET", url: server.url(path: "/stats"), timeout: .seconds(10)))
        return try JSONValue.parse(try await response.body.collect(limit: 16 << 20))
    }
}
