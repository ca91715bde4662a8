import Basics
import Testing

@testable import MCPClient

/// The modern protocol's request metadata headers and `x-mcp-header` rules (MCP 2026-07-28,
/// Streamable HTTP, Request Metadata): the encoding table and the definition constraints of the
/// specification, value by value.
@Suite("modern request headers")
struct ModernHeadersTests {
    @Test(
        "a header value is plain when it is visible ASCII with inner spaces, else the Base64 sentinel",
        arguments: [
            ("us-west1", "us-west1"),
            ("us west 1", "us west 1"),
            ("Hello, 世界", "=?base64?SGVsbG8sIOS4lueVjA==?="),
            (" padded ", "=?base64?IHBhZGRlZCA=?="),
            ("line1\nline2", "=?base64?bGluZTEKbGluZTI=?="),
            ("\tindented", "=?base64?CWluZGVudGVk?="),
            ("=?base64?literal?=", "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="),
            ("", "=?base64??="),
        ])
    func encoding(value: String, expected: String) {
        #expect(ModernHeaders.encoded(value) == expected)
    }

    @Test("the standard headers mirror the version, the method and the name or URI")
    func standardHeaders() {
        let call = ModernHeaders.standard(
            method: "tools/call", params: ["name": "get_weather"], protocolVersion: "2026-07-28")
        #expect(
            call.map { "\($0.name): \($0.value)" } == [
                "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: get_weather",
            ])
        let read = ModernHeaders.standard(
            method: "resources/read", params: ["uri": "file:///ä.txt"], protocolVersion: "2026-07-28")
        #expect(read.last?.name == "Mcp-Name")
        #expect(read.last?.value == "=?base64?ZmlsZTovLy/DpC50eHQ=?=")
        let list = ModernHeaders.standard(method: "tools/list", params: nil, protocolVersion: "2026-07-28")
        #expect(list.count == 2, "no Mcp-Name for a list")
    }

    @Test("annotated parameters become Mcp-Param headers; null, absent and unannotated ones do not")
    func parameterHeaders() throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "region": ["type": "string", "x-mcp-header": "Region"],
                "priority": ["type": "integer", "x-mcp-header": "Priority"],
                "verbose": ["type": "boolean", "x-mcp-header": "Verbose"],
                "debug": ["type": "boolean", "x-mcp-header": "Debug"],
                "nested": ["type": "object", "properties": ["zone": ["type": "string", "x-mcp-header": "Zone"]]],
                "query": ["type": "string"],
            ],
        ]
        let parameters = try ModernHeaders.parameters(in: schema)
        #expect(parameters.count == 5)
        let headers = ModernHeaders.parameterHeaders(
            parameters,
            arguments: ["region": "eu", "priority": 42, "verbose": .null, "nested": ["zone": "b"], "query": "q"])
        #expect(
            Set(headers.map { "\($0.name): \($0.value)" }) == [
                "Mcp-Param-Region: eu", "Mcp-Param-Priority: 42", "Mcp-Param-Zone: b",
            ])
        let flags = ModernHeaders.parameterHeaders(parameters, arguments: ["debug": true, "verbose": false])
        #expect(Set(flags.map { "\($0.name): \($0.value)" }) == ["Mcp-Param-Debug: true", "Mcp-Param-Verbose: false"])
    }

    /// Property maps that break one rule each, with a word of the reason.
    static let invalid: [(properties: JSONValue, reason: String)] = {
        var cases: [(JSONValue, String)] = []
        cases.append((["value": ["type": "string", "x-mcp-header": ""]], "empty"))
        cases.append((["data": ["type": "object", "x-mcp-header": "Data"]], "not of type"))
        cases.append((["items": ["type": "array", "x-mcp-header": "Items"]], "not of type"))
        cases.append((["nil": ["type": "null", "x-mcp-header": "Nil"]], "not of type"))
        cases.append((["ratio": ["type": "number", "x-mcp-header": "Ratio"]], "not of type"))
        cases.append((["a": ["type": "string", "x-mcp-header": "Bad Name"]], "not an HTTP token"))
        cases.append((["a": ["type": "string", "x-mcp-header": "Bad\r\nName"]], "not an HTTP token"))
        let duplicate: JSONValue = [
            "a": ["type": "string", "x-mcp-header": "Region"], "b": ["type": "string", "x-mcp-header": "region"],
        ]
        cases.append((duplicate, "more than once"))
        let inItems: JSONValue = ["list": ["type": "array", "items": ["type": "string", "x-mcp-header": "Item"]]]
        cases.append((inItems, "not reachable"))
        let inOneOf: JSONValue = ["choice": ["oneOf": [["type": "string", "x-mcp-header": "Choice"]]]]
        cases.append((inOneOf, "not reachable"))
        return cases
    }()

    @Test("a tool definition breaking an x-mcp-header rule is refused", arguments: 0..<10)
    func invalidAnnotations(index: Int) {
        let (properties, reason) = Self.invalid[index]
        let schema: JSONValue = ["type": "object", "properties": properties]
        #expect {
            _ = try ModernHeaders.parameters(in: schema)
        } throws: { error in
            (error as? ModernHeaders.InvalidAnnotation)?.reason.contains(reason) == true
        }
    }

    @Test("an annotation under $defs is refused, one in a default value is data and ignored")
    func definitionsAndData() throws {
        let underDefs: JSONValue = [
            "type": "object", "$defs": ["x": ["type": "string", "x-mcp-header": "X"]],
        ]
        #expect(throws: ModernHeaders.InvalidAnnotation.self) { _ = try ModernHeaders.parameters(in: underDefs) }
        let inDefault: JSONValue = [
            "type": "object",
            "properties": ["opts": ["type": "object", "default": ["x-mcp-header": "NotAnAnnotation"]]],
        ]
        #expect(try ModernHeaders.parameters(in: inDefault).isEmpty)
    }

    @Test("an input_required result is read, and its retry echoes the state exactly")
    func inputRequired() throws {
        let result: JSONValue = [
            "resultType": "input_required",
            "inputRequests": ["ask": ["method": "elicitation/create", "params": ["message": "ok?"]]],
            "requestState": "opaque/state==",
        ]
        let asked = try #require(try MCPWire.InputRequired(result))
        #expect(asked.requests.map(\.key) == ["ask"])
        #expect(asked.requestState == "opaque/state==")
        let retry = MCPWire.retryParams(
            ["name": "t", "arguments": [:]], inputResponses: ["ask": ["action": "accept"]],
            requestState: asked.requestState)
        #expect(retry?["requestState"] == "opaque/state==")
        #expect(retry?["inputResponses"]?["ask"]?["action"] == "accept")
        let withoutState = MCPWire.retryParams(retry, inputResponses: [:], requestState: nil)
        #expect(withoutState?["requestState"] == nil, "no requestState unless the server sent one")
        #expect(try MCPWire.InputRequired(["resultType": "complete"]) == nil)
        #expect(try MCPWire.InputRequired(["content": []]) == nil, "no resultType means complete")
        #expect(throws: JSONRPCDecodingError.self) { _ = try MCPWire.InputRequired(["resultType": "input_required"]) }
    }
}
