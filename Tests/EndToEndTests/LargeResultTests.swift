import Basics
import Foundation
import TestSupport
import Testing

/// A large tool result through the binary (issue #11): it arrives whole in the results document
/// written with `-o`, and a later step's template sees its text, over each transport.
@Suite("large results end to end", .timeLimit(.minutes(4)))
struct LargeResultTests {
    /// `large(kb)`'s text: tools.py's 64-character pattern, repeated.
    static func expectedText(kb: Int) -> String {
        String(repeating: "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_", count: kb * 16)
    }

    /// 17 MiB: past the 16 MiB that one SSE event was once allowed (an event stream then failed
    /// where a JSON body of the same result passed).
    static let kb = 17 * 1024

    @Test(
        "a 17 MiB tool result arrives intact in the results document over each transport",
        arguments: ServerRoute.allCases)
    func arrivesIntact(transport: ServerRoute) async throws {
        // The SDK answers with an event stream on the handshake only (2026-07-28 answers JSON).
        let extra: [String: JSONValue] = transport == .streamableSSE ? ["protocolVersion": "2025-11-25"] : [:]
        try await withFixture(transport, extra: extra) { servers in
            try await withTemporaryDirectory("large-result") { folder in
                let flow = folder + "/large.yaml"
                try """
                steps:
                  - { id: big, server: fixture, tool: large, arguments: { kb: \(Self.kb) } }
                  - { id: size, server: fixture, tool: echo, arguments: { text: "length ${{ length(steps.big.text) }}" } }
                """.write(toFile: flow, atomically: true, encoding: .utf8)
                let output = folder + "/results/large.json"
                let run = try await runMCPRun(
                    ["run", flow, "-o", output], environment: ["MCP_SERVERS": servers], deadline: .seconds(120))
                #expect(run.exitCode == 0, "\(run)")
                let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: output)))
                #expect(bytes.last == UInt8(ascii: "\n"))
                let results = try JSONValue.parse(bytes)
                #expect(results["status"] == "succeeded")
                let text = results.step("big")?["result"]?["content"]?[0]?["text"]?.stringValue
                #expect(text?.utf8.count == Self.kb * 1024)
                #expect(text == Self.expectedText(kb: Self.kb), "the text differs from large(\(Self.kb))")
                #expect(
                    results.step("size")?["result"]?["content"]?[0]?["text"] == .string("length \(Self.kb * 1024)"),
                    "steps.big.text in a template")
                if transport == .streamableSSE {
                    #expect(results["servers"]?["fixture"]?["protocolVersion"] == "2025-11-25")
                }
            }
        }
    }
}
