import Basics
import Testing

@testable import MCPClient

@Suite("SSE events as JSON-RPC messages")
struct SSEMessageTests {
    @Test(
        "an event that carries no message decodes to none",
        arguments: [
            SSEEvent(data: ""), SSEEvent(data: "", id: "priming-1"), SSEEvent(type: "endpoint", data: "/messages"),
            SSEEvent(type: "ping", data: #"{"jsonrpc":"2.0","method":"ping"}"#),
        ])
    func nothing(event: SSEEvent) {
        #expect(SSEMessage(event) == .none)
    }

    @Test("a message event carries one message or a batch, in order")
    func messages() {
        let one = SSEEvent(data: #"{"jsonrpc":"2.0","id":1,"result":{}}"#, id: "e1")
        #expect(SSEMessage(one) == .messages([.response(id: .number(1), result: [:])]))
        let batch = SSEEvent(
            data: #"[{"jsonrpc":"2.0","method":"notifications/progress"},{"jsonrpc":"2.0","id":"a","result":{}}]"#)
        #expect(
            SSEMessage(batch)
                == .messages([
                    .notification(method: "notifications/progress", params: nil),
                    .response(id: .string("a"), result: [:]),
                ]))
    }

    @Test("a message event that is not JSON-RPC says why and shows at most 200 characters of it")
    func malformed() throws {
        let long = "not json " + String(repeating: "x", count: 500)
        guard case .malformed(let reason, let data) = SSEMessage(SSEEvent(data: long)) else {
            Issue.record("expected .malformed")
            return
        }
        #expect(reason.hasPrefix("invalid JSON"))
        #expect(data.count <= 201)
        #expect(data.hasPrefix("not json x"))
    }
}
