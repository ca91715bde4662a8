import Basics
import Foundation
import HTTP
import Testing

/// Sequential small POSTs over one keep-alive connection, against the `curl` tool doing the same.
///
/// Opt-in (`MCP_RUN_HTTP_BENCH=1`): it measures, it does not check behaviour. Prints calls/s for
/// both and their ratio to stderr.
@Suite("HTTP throughput", .enabled(if: ProcessInfo.processInfo.environment["MCP_RUN_HTTP_BENCH"] == "1"))
struct HTTPBenchmarkTests {
    @Test("sequential small POSTs keep up with a keep-alive curl loop")
    func sequentialPosts() async throws {
        try await withTestServer { server in
            let count = 2000
            let url = server.base + "/json"
            let body = Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#.utf8)
            let request = HTTPRequest(
                method: "POST", url: url, headers: [HTTPHeader("Content-Type", "application/json")], body: body,
                timeout: .seconds(10))
            for _ in 0..<50 { _ = try await HTTPClient.shared.send(request).body.collect(limit: 1 << 16) }
            let clock = ContinuousClock()
            let ours = try await clock.measure {
                for _ in 0..<count { _ = try await HTTPClient.shared.send(request).body.collect(limit: 1 << 16) }
            }
            let config = NSTemporaryDirectory() + "curl-bench-\(getpid()).txt"
            let entry = #"""
                url = "\#(url)"
                output = "/dev/null"
                data = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}"
                header = "Content-Type: application/json"
                """#
            let lines = Array(repeating: entry, count: count).joined(separator: "\nnext\n") + "\n"
            try lines.write(toFile: config, atomically: true, encoding: .utf8)
            let curl = try clock.measure {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["curl", "-s", "--config", config]
                try process.run()
                process.waitUntilExit()
            }
            let oursRate = Double(count) / seconds(ours)
            let curlRate = Double(count) / seconds(curl)
            let report =
                "HTTPClient \(Int(oursRate)) calls/s, curl \(Int(curlRate)) calls/s, ratio \(oursRate / curlRate)\n"
            FileHandle.standardError.write(Data(report.utf8))
        }
    }
}

private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
