import Basics
import Testing

@testable import MCPClient

@Suite("JSON-RPC codec")
struct JSONRPCMessageTests {
    static let decodable: [(String, JSONRPCMessage)] = [
        (#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, .request(id: .number(1), method: "ping", params: nil)),
        (
            #"{"jsonrpc":"2.0","id":"a-1","method":"tools/call","params":{"name":"echo"}}"#,
            .request(id: .string("a-1"), method: "tools/call", params: ["name": "echo"])
        ),
        (
            #"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}"#,
            .notification(method: "notifications/progress", params: ["progress": 1])
        ),
        (#"{"jsonrpc":"2.0","id":7,"result":{}}"#, .response(id: .number(7), result: [:])),
        (#"{"jsonrpc":"2.0","id":"x","result":{"a":[1,2]}}"#, .response(id: .string("x"), result: ["a": [1, 2]])),
        (
            #"{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"nope"}}"#,
            .errorResponse(id: .number(3), error: JSONRPCError(code: -32601, message: "nope"))
        ),
        (
            #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error","data":{"at":1}}}"#,
            .errorResponse(id: nil, error: JSONRPCError(code: -32700, message: "parse error", data: ["at": 1]))
        ),
        (#"{"jsonrpc":"2.0","id":2.0,"result":null}"#, .response(id: .number(2), result: .null)),
    ]

    @Test("valid messages decode", arguments: decodable)
    func decodes(text: String, expected: JSONRPCMessage) throws {
        let messages = try JSONRPCMessage.decodeAll(Array(text.utf8))
        #expect(messages == [expected])
    }

    @Test("messages survive an encode-decode round trip", arguments: decodable.map(\.1))
    func roundTrips(message: JSONRPCMessage) throws {
        #expect(try JSONRPCMessage(JSONValue.parse(message.serializedBytes)) == message)
    }

    static let invalid: [String] = [
        #"[]"#,
        #"42"#,
        #"{"id":1,"method":"ping"}"#,
        #"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
        #"{"jsonrpc":"2.0","id":true,"method":"ping"}"#,
        #"{"jsonrpc":"2.0","id":{},"result":1}"#,
        #"{"jsonrpc":"2.0","method":5}"#,
        #"{"jsonrpc":"2.0","id":1}"#,
        #"{"jsonrpc":"2.0","id":1,"error":{"message":"no code"}}"#,
        #"{"jsonrpc":"2.0","method":"x","params":"text"}"#,
        #"{"jsonrpc":"2.0","id":1,"result":"#,
    ]

    @Test("invalid messages are refused with a reason", arguments: invalid)
    func refuses(text: String) {
        #expect(throws: JSONRPCDecodingError.self) { try JSONRPCMessage.decodeAll(Array(text.utf8)) }
    }

    @Test("a batch decodes into its messages in order")
    func batch() throws {
        let text = #"[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","id":1,"result":{}}]"#
        let messages = try JSONRPCMessage.decodeAll(Array(text.utf8))
        #expect(messages == [.notification(method: "a", params: nil), .response(id: .number(1), result: [:])])
    }

    @Test("encoding writes the wire fields, keys sorted")
    func encodes() {
        let request = JSONRPCMessage.request(id: .number(1), method: "tools/list", params: nil)
        #expect(request.jsonValue.serialized() == #"{"id":1,"jsonrpc":"2.0","method":"tools/list"}"#)
        let cancelled = JSONRPCMessage.cancelled(.string("r"), reason: "timed out")
        #expect(
            cancelled.jsonValue.serialized()
                == #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"reason":"timed out","requestId":"r"}}"#
        )
        let error = JSONRPCMessage.errorResponse(id: nil, error: JSONRPCError(code: -32601, message: "m"))
        #expect(error.jsonValue.serialized() == #"{"error":{"code":-32601,"message":"m"},"id":null,"jsonrpc":"2.0"}"#)
    }
}
