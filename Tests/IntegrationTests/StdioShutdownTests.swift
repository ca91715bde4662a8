import Basics
import TestSupport
import Testing

@testable import MCPClient

/// Staged shutdown of stdio servers that do not exit when stdin closes (STYLE.md §5).
/// Only lower bounds on the timing: an upper one flakes on a loaded machine; the suite's time
/// limit and the signal that ended the server show that no stage waited longer than its own.
@Suite("stdio staged shutdown", .timeLimit(.minutes(1)))
struct StdioShutdownTests {
    /// A minimal stdio server that answers `initialize`, then stops reading and sleeps.
    static func stubborn(ignoringSIGTERM: Bool) -> String {
        """
        import json, signal, sys, time
        if \(ignoringSIGTERM ? "True" : "False"):
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for line in sys.stdin:
            message = json.loads(line)
            if message.get("method") == "initialize":
                result = {"protocolVersion": "2025-06-18", "capabilities": {}, "serverInfo": {"name": "stubborn"}}
                print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}), flush=True)
            if message.get("method") == "notifications/initialized":
                break
        time.sleep(60)
        """
    }

    func closeTiming(ignoringSIGTERM: Bool) async throws -> (Duration, ProcessExit?) {
        let python = try venvPython()
        let transport = try await StdioTransport.start(
            command: python, arguments: ["-c", Self.stubborn(ignoringSIGTERM: ignoringSIGTERM)], environment: [:],
            directory: nil, serverName: "stubborn", logger: .silent)
        let session = try await ServerSession.open(transport: transport, name: "stubborn", logger: .silent)
        #expect(await session.protocolVersion == "2025-06-18")
        let clock = ContinuousClock()
        let started = clock.now
        await session.close()
        return (clock.now - started, await transport.exitStatus)
    }

    @Test("a server that ignores stdin's end gets SIGTERM after 2 s")
    func sigterm() async throws {
        let (elapsed, exit) = try await closeTiming(ignoringSIGTERM: false)
        #expect(exit == .signaled(15))
        #expect(elapsed >= .milliseconds(1900), "closed in \(elapsed)")
    }

    @Test("a server that also ignores SIGTERM gets SIGKILL after 4 s")
    func sigkill() async throws {
        let (elapsed, exit) = try await closeTiming(ignoringSIGTERM: true)
        #expect(exit == .signaled(9))
        #expect(elapsed >= .milliseconds(3900), "closed in \(elapsed)")
    }
}

@Suite("stdio broken pipes", .timeLimit(.minutes(2)))
struct StdioBrokenPipeTests {
    @Test("writing to a child that closed its stdin fails with .closed instead of killing us")
    func brokenPipe() async throws {
        let transport = try await StdioTransport.start(
            command: "/bin/sh", arguments: ["-c", "exec 0<&-; echo closed >&2; sleep 5"], environment: [:],
            directory: nil, serverName: "deaf", logger: .silent)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while !transport.stderrTail.snapshot.contains("closed"), clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        var failure: ClientError?
        while failure == nil, clock.now < deadline {
            do {
                try await transport.send(.notification(method: "notifications/initialized", params: nil))
                try await Task.sleep(for: .milliseconds(10))
            } catch let error as ClientError {
                failure = error
            }
        }
        #expect(failure?.code == .closed)
        #expect(failure?.context.server == "deaf")
        await transport.close()
    }
}
