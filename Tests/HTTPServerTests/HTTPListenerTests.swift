import Basics
import Foundation
import TestSupport
import Testing

@testable import HTTPServer

/// The listener over real loopback sockets: keep-alive, limits, timeouts, stopping.
@Suite("HTTP listener", .timeLimit(.minutes(1)))
struct HTTPListenerTests {
    /// Serves `/echo` (the body back) and `/wait` (answers once `gate` opens) while `body` runs,
    /// then stops the listener.
    private func withListener<R>(
        limits: ListenerLimits = ListenerLimits(), gate: Gate? = nil,
        _ body: (HTTPListener, Log) async throws -> R
    ) async throws -> R {
        let log = Log()
        let listener = try HTTPListener(host: "127.0.0.1", port: 0, limits: limits, log: { log.add($0) }) {
            request in
            if request.path == "/wait", let gate {
                await gate.wait()
            }
            return ServerResponse(status: 200, body: Array("\(request.method) \(request.path) ".utf8) + request.body)
        }
        do {
            let result = try await body(listener, log)
            _ = await listener.stop(grace: .seconds(5))
            return result
        } catch {
            _ = await listener.stop(grace: .seconds(5))
            throw error
        }
    }

    @Test("two requests over one kept-alive connection are both answered")
    func keepAlive() async throws {
        try await withListener { listener, log in
            let client = try RawClient(port: listener.port)
            await client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            let first = await client.readResponse()
            #expect(first.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(first.contains("Connection: keep-alive"))
            #expect(first.hasSuffix("GET /a "))
            await client.send("POST /b HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
            let second = await client.readResponse()
            #expect(second.hasSuffix("POST /b hi"))
            #expect(second.contains("Connection: close"))
            #expect(await client.isClosedByPeer())
            #expect(log.entries.map(\.status) == [200, 200])
            #expect(log.entries.map(\.path) == ["/a", "/b"])
        }
    }

    @Test(
        "an accept that fails for want of descriptors or memory waits before the next; others retry at once",
        arguments: [(EMFILE, 100), (ENFILE, 100), (ENOBUFS, 100), (ENOMEM, 100), (ECONNABORTED, -1), (EINTR, -1)]
            as [(Int32, Int32)])
    func acceptBackoff(error: Int32, pause: Int32) {
        #expect(HTTPListener.acceptBackoff(error) == pause)
    }

    @Test("a chunked body after Expect: 100-continue is answered 100, then 200")
    func chunkedWithContinue() async throws {
        try await withListener { listener, _ in
            let client = try RawClient(port: listener.port)
            await client.send(
                "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n")
            // As a client does: the body only once the server said to go on. (Sent at once, the
            // body may arrive with the head, and a server that has it need not say 100.)
            let interim = "HTTP/1.1 100 Continue\r\n\r\n"
            #expect(await client.read(count: interim.utf8.count) == interim)
            await client.send("3\r\nabc\r\n0\r\n\r\n")
            let response = await client.readResponse()
            #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(response.hasSuffix("POST /c abc"))
        }
    }

    static let malformed: [(String, String)] = [
        ("garbage request line", "HELLO THERE\r\n\r\n"),
        ("oversized headers", "GET / HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 40_000) + "\r\n\r\n"),
        ("bad Content-Length", "POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n"),
        ("Content-Length and chunked", "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"),
        ("a body over the limit", "POST / HTTP/1.1\r\nContent-Length: 5000000\r\n\r\n"),
    ]

    @Test("malformed HTTP is answered 4xx and closed; the server goes on serving", arguments: malformed)
    func malformedInput(_ name: String, request: String) async throws {
        try await withListener { listener, log in
            let bad = try RawClient(port: listener.port)
            await bad.send(request)
            let response = await bad.readResponse()
            let status = Int(response.dropFirst("HTTP/1.1 ".count).prefix(3)) ?? 0
            #expect((400..<500).contains(status), "\(name): \(response)")
            #expect(response.contains("Connection: close"))
            #expect(response.contains("\"error\""))
            #expect(await bad.isClosedByPeer())
            let good = try RawClient(port: listener.port)
            await good.send("GET /still HTTP/1.1\r\n\r\n")
            #expect(await good.readResponse().hasSuffix("GET /still "))
            #expect(log.entries.first?.status == status)
        }
    }

    @Test("a request that stops halfway is answered 408 once the read timeout passes")
    func slowPartialRequest() async throws {
        var limits = ListenerLimits()
        limits.readTimeout = .milliseconds(300)
        try await withListener(limits: limits) { listener, _ in
            let slow = try RawClient(port: listener.port)
            await slow.send("GET /slow HTTP/1.1\r\nHost: x\r\n")
            let response = await slow.readResponse()
            #expect(response.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
            #expect(await slow.isClosedByPeer())
            let good = try RawClient(port: listener.port)
            await good.send("GET /ok HTTP/1.1\r\n\r\n")
            #expect(await good.readResponse().hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("an idle kept-alive connection is closed after the idle timeout, without an answer")
    func idleTimeout() async throws {
        var limits = ListenerLimits()
        limits.idleTimeout = .milliseconds(200)
        try await withListener(limits: limits) { listener, log in
            let idle = try RawClient(port: listener.port)
            #expect(await idle.isClosedByPeer())
            #expect(log.entries.isEmpty)
        }
    }

    @Test("a connection over the limit is answered 503 and closed")
    func connectionLimit() async throws {
        var limits = ListenerLimits()
        limits.maxConnections = 1
        try await withListener(limits: limits) { listener, _ in
            let first = try RawClient(port: listener.port)
            await first.send("GET /one HTTP/1.1\r\n\r\n")
            #expect(await first.readResponse().hasPrefix("HTTP/1.1 200"))
            let second = try RawClient(port: listener.port)
            let refused = await second.readResponse()
            #expect(refused.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
            #expect(await second.isClosedByPeer())
        }
    }

    @Test("stop answers the request in flight, closes idle connections and refuses new ones")
    func stopLetsInFlightFinish() async throws {
        let gate = Gate()
        try await withListener(gate: gate) { listener, log in
            let idle = try RawClient(port: listener.port)
            let busy = try RawClient(port: listener.port)
            await busy.send("GET /wait HTTP/1.1\r\n\r\n")
            await gate.waitUntilEntered()
            async let stopped = listener.stop(grace: .seconds(20))
            #expect(await idle.isClosedByPeer())
            await gate.open()
            let response = await busy.readResponse()
            #expect(response.hasPrefix("HTTP/1.1 200"))
            #expect(response.contains("Connection: close"))
            #expect(await stopped)
            #expect(listener.activeConnections == 0)
            #expect(throws: RawClientError.self) { try RawClient(port: listener.port) }
            #expect(log.entries.map(\.path) == ["/wait"])
        }
    }
}

/// The access log as the listener wrote it.
final class Log: Sendable {
    private let lines = Locked<[AccessLogEntry]>([])  // written by connection threads
    func add(_ entry: AccessLogEntry) { lines.withLock { $0.append(entry) } }
    var entries: [AccessLogEntry] { lines.withLock { $0 } }
}

/// Holds `/wait` requests until opened; tells the test when one has arrived.
actor Gate {
    private var isOpen = false
    private var entered = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var enteredWaiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        entered = true
        for waiter in enteredWaiters { waiter.resume() }
        enteredWaiters = []
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func waitUntilEntered() async {
        if entered { return }
        await withCheckedContinuation { enteredWaiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
