import Basics
import Foundation
import TestSupport
import Testing

/// `success()`, `failure()`, `always()` and `cancelled()` in a step's `if` (contract §3, GitHub
/// Actions semantics; issue #12).
@Suite("status functions in if", .timeLimit(.minutes(3)))
struct StatusFunctionTests {
    static func servers() throws -> String { try serversJSON(name: "fixture", transport: .stdio, url: nil) }

    static func write(_ text: String) throws -> String {
        let path = try temporaryDirectory("status-functions") + "/flow.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("after a failure, steps whose if calls failure() or always() run; the rest are not run; the run fails")
    func afterFailure() async throws {
        let flow = try Self.write(
            """
            name: statuses
            steps:
              - id: broken
                server: fixture
                tool: fail
                arguments: { message: boom }
              - id: plain
                server: fixture
                tool: echo
                arguments: { text: never }
              - id: cleanup
                if: ${{ always() }}
                server: fixture
                tool: echo
                arguments: { text: "cleanup after ${{ steps.broken.status }}" }
              - id: onSuccess
                if: success()
                server: fixture
                tool: echo
                arguments: { text: never }
              - id: independent
                needs: []
                if: ${{ failure() }}
                server: fixture
                tool: echo
                arguments: { text: "its dependencies did not fail" }
              - id: notify
                needs: [plain]
                if: ${{ failure() && steps.broken.error.code == 'tool_error' }}
                server: fixture
                tool: echo
                arguments: { text: "failed: ${{ steps.broken.error.message }}" }
              - id: afterNotify
                needs: [notify]
                server: fixture
                tool: echo
                arguments: { text: never }
            """)
        let run = try await runMCPRun(["run", flow], environment: ["MCP_SERVERS": try Self.servers()])
        #expect(run.exitCode == 1, "\(run)")
        let results = try run.json()
        #expect(results["status"] == "failed")
        #expect(results["error"]?["message"]?.stringValue?.contains("boom") == true, "the run's error is broken's")
        #expect(results.step("broken")?["status"] == "failed")
        #expect(results.step("plain")?["status"] == "skipped")
        #expect(results.step("plain")?["error"]?["code"] == "not_run")
        #expect(results.step("cleanup")?["status"] == "succeeded", "\(run)")
        #expect(results.step("cleanup")?["result"]?["content"]?[0]?["text"] == "cleanup after failed")
        #expect(results.step("onSuccess")?["status"] == "skipped")
        #expect(results.step("independent")?["status"] == "skipped", "a step that waits for nothing saw no failure")
        #expect(results.step("notify")?["status"] == "succeeded", "\(run)")
        #expect(results.step("notify")?["result"]?["content"]?[0]?["text"]?.stringValue?.contains("boom") == true)
        #expect(results.step("afterNotify")?["status"] == "skipped")
        #expect(results.step("afterNotify")?["error"]?["code"] == "not_run")
    }

    @Test("without a failure, failure() is false and always() and success() are true")
    func withoutFailure() async throws {
        let flow = try Self.write(
            """
            steps:
              - id: a
                server: fixture
                tool: echo
                arguments: { text: a }
              - id: onFailure
                if: ${{ failure() }}
                server: fixture
                tool: echo
                arguments: { text: never }
              - id: onSuccess
                if: ${{ success() && !cancelled() }}
                server: fixture
                tool: echo
                arguments: { text: yes }
              - id: tolerated
                continue-on-error: true
                server: fixture
                tool: fail
              - id: afterTolerated
                if: ${{ failure() }}
                server: fixture
                tool: echo
                arguments: { text: never }
              - id: last
                if: always()
                server: fixture
                tool: echo
                arguments: { text: yes }
            """)
        let run = try await runMCPRun(["run", flow], environment: ["MCP_SERVERS": try Self.servers()])
        let results = try run.json()
        #expect(results.step("onFailure")?["status"] == "skipped", "\(run)")
        #expect(results.step("onFailure")?["error"] == .null, "skipped by its if, not 'not run'")
        #expect(results.step("onSuccess")?["status"] == "succeeded", "\(run)")
        #expect(results.step("tolerated")?["status"] == "failed", "\(run)")
        #expect(results.step("afterTolerated")?["status"] == "skipped", "continue-on-error is not a failure here")
        #expect(results.step("last")?["status"] == "succeeded", "\(run)")
    }

    @Test("a status function outside a step's if is a validate error at its file:line:col")
    func onlyInIf() async throws {
        let flow = try Self.write(
            """
            steps:
              - id: a
                server: fixture
                tool: echo
                arguments: { text: "${{ failure() }}" }
                expect: always()
            """)
        let run = try await runMCPRun(["validate", flow], environment: ["MCP_SERVERS": try Self.servers()])
        #expect(run.exitCode == 2, "\(run)")
        #expect(run.stderr.contains("\(flow):5:25: step 'a': status functions"), "\(run)")
        #expect(run.stderr.contains(/flow\.yaml:6:[0-9]+: step 'a': status functions/), "\(run)")
    }

    @Test("workflows/notify-on-failure.yaml: no notice on success; on failure the notice runs and the run fails")
    func notifyExample() async throws {
        let fine = try await runMCPRun(["run", "workflows/notify-on-failure.yaml"])
        #expect(fine.exitCode == 0, "\(fine)")
        #expect(try fine.json().step("notify")?["status"] == "skipped")
        let broken = try await runMCPRun(["run", "workflows/notify-on-failure.yaml", "--input", "zone=Mars/Olympus"])
        #expect(broken.exitCode == 1, "\(broken)")
        let results = try broken.json()
        #expect(results["status"] == "failed")
        #expect(results.step("now")?["status"] == "failed")
        #expect(results.step("notify")?["status"] == "succeeded", "\(broken)")
        let notice = results.step("notify")?["result"]?["content"]?[0]?["text"]?.stringValue ?? ""
        #expect(notice.hasPrefix("notify-on-failure failed in run "), "\(notice)")
        #expect(notice.contains("Mars/Olympus"), "the notice carries the failing step's error: \(notice)")
    }
}
