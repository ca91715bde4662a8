import Basics
import Foundation
import TestSupport
import Testing

/// The examples users copy from `workflows/`, run as the README runs them (from the repository root).
@Suite("examples in workflows/", .timeLimit(.minutes(2)))
struct ExampleTests {
    @Test("workflows/demo.yaml runs with no network and no account, as scripts/demo runs it")
    func demo() async throws {
        let run = try await runMCPRun(["run", "workflows/demo.yaml", "--input", "who=Ada"])
        #expect(run.exitCode == 0, "\(run)")
        let results = try run.json()
        #expect(results["status"] == "succeeded")
        #expect(results["outputs"]?["total"] == 42)
        #expect(results["outputs"]?["message"] == "hello, Ada: 2 + 40 = 42")
        #expect(results["outputs"]?["greeting"] == "Hello from the mcp-run fixture server")
        #expect(results["steps"]?.arrayValue?.allSatisfy { $0["status"] == "succeeded" } == true, "\(run)")
    }

    @Test("workflows/time.yaml runs against the official mcp-server-time from PyPI over stdio")
    func time() async throws {
        let run = try await runMCPRun(["run", "workflows/time.yaml", "--input", "zone=Asia/Tokyo"])
        #expect(run.exitCode == 0, "\(run)")
        let results = try run.json()
        #expect(results["status"] == "succeeded")
        #expect(results["outputs"]?["here"]?.stringValue?.hasSuffix("+09:00") == true, "\(run)")
        #expect(results["outputs"]?["nineThirtyThere"]?.stringValue?.contains("T09:30:00") == false, "\(run)")
        #expect(results.step("convert")?["result"]?["isError"] == false)
    }
}
