import Basics
import Foundation
import TestSupport
import Testing

/// SIGINT during a long call over Streamable HTTP (contract §6, issue #3): the binary exits 130,
/// writes the document with `cancelled`, and the server sees `notifications/cancelled` for the
/// very request that was in flight.
@Suite("Cancellation reaches the server", .timeLimit(.minutes(2)))
struct CancellationTests {
    @Test("SIGINT during a slow call: exit 130, the document says cancelled, the server got notifications/cancelled")
    func sigintReachesServer() async throws {
        try await withServer("faults.py", arguments: []) { server in
            let folder = try temporaryDirectory("cancellation")
            let output = folder + "/results.json"
            var environment = ProcessInfo.processInfo.environment
            environment["MCP_SERVERS"] = FaultTests.servers(server)
            environment["MCP_RUN_HOME"] = folder
            let process = try await ChildProcess(
                executable: try mcpRunBinary(),
                arguments: ["run", fixture("workflows/faults-slow.yaml"), "--format", "jsonl", "-o", output],
                environment: environment, workingDirectory: repoRoot)
            let started = await process.waitForStdoutLine(timeout: .seconds(20)) { line -> Bool? in
                line.contains("\"step.started\"") && line.contains("\"slow\"") ? true : nil
            }
            #expect(started == true, "the slow step never started: \(process.stderr)")
            // The step has started; wait (bounded) until its tools/call reached the server.
            let call = await Self.firstNote("call", in: server, timeout: .seconds(10)) { $0["key"] == "20000" }
            let callID = try #require(call?["id"], "the sleep call never reached the server: \(server.stderr)")
            process.send(signal: SIGINT)
            let ended = await process.waitForExit(timeout: .seconds(15))
            #expect(ended?.exitCode == 130, "\(String(describing: ended)) \(process.stderr)")
            let results = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: output))))
            #expect(results["status"] == "cancelled")
            #expect(results.step("quick")?["status"] == "succeeded")
            #expect(results.step("slow")?["status"] == "cancelled")
            #expect(results.step("never")?["status"] == "skipped")
            let cancelled = await Self.firstNote("cancelled", in: server, timeout: .seconds(5)) { $0 == callID }
            #expect(cancelled != nil, "no notifications/cancelled for request \(callID): \(server.stderr)")
            let stats = try AuthFlowTests.stats(server)
            #expect(stats["cancelled"]?.arrayValue?.contains(callID) == true, "\(stats)")
            _ = await process.terminate(grace: .seconds(1))
        }
    }

    /// The first `faults: <what>` note matching `matches`, waiting up to `timeout` for it
    /// (the server writes its stderr asynchronously).
    static func firstNote(
        _ what: String, in server: FixtureServer, timeout: Duration, where matches: (JSONValue) -> Bool
    ) async -> JSONValue? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let found = FaultTests.notes(what, in: server).first(where: matches) { return found }
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
