import Testing

@testable import MCPClient

@Suite("SSE parser")
struct SSEParserTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: String
        var events: [SSEEvent]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "one event", input: "data: hello\n\n", events: [SSEEvent(data: "hello")]),
        Case(name: "data lines joined with LF", input: "data: a\ndata: b\n\n", events: [SSEEvent(data: "a\nb")]),
        Case(name: "event type", input: "event: ping\ndata: x\n\n", events: [SSEEvent(type: "ping", data: "x")]),
        Case(
            name: "id persists across events", input: "id: 7\ndata: a\n\ndata: b\n\n",
            events: [SSEEvent(data: "a", id: "7"), SSEEvent(data: "b", id: "7")]),
        Case(
            name: "id with NUL is ignored", input: "id: 1\ndata: a\n\nid: x\u{0}y\ndata: b\n\n",
            events: [SSEEvent(data: "a", id: "1"), SSEEvent(data: "b", id: "1")]),
        Case(
            name: "empty id resets", input: "id: 1\ndata: a\n\nid\ndata: b\n\n",
            events: [SSEEvent(data: "a", id: "1"), SSEEvent(data: "b", id: "")]),
        Case(name: "comments are ignored", input: ": keep-alive\ndata: x\n: more\n\n", events: [SSEEvent(data: "x")]),
        Case(
            name: "CR line endings", input: "data: a\r\rdata: b\r\r",
            events: [SSEEvent(data: "a"), SSEEvent(data: "b")]),
        Case(name: "CRLF line endings", input: "data: a\r\n\r\n", events: [SSEEvent(data: "a")]),
        Case(
            name: "mixed line endings", input: "data: a\rdata: b\r\ndata: c\n\r\n", events: [SSEEvent(data: "a\nb\nc")]),
        Case(name: "leading BOM dropped", input: "\u{FEFF}data: a\n\n", events: [SSEEvent(data: "a")]),
        Case(name: "only one BOM dropped", input: "\u{FEFF}\u{FEFF}data: a\n\n", events: []),
        Case(name: "field without colon has empty value", input: "data\n\n", events: [SSEEvent(data: "")]),
        Case(name: "data without colon twice", input: "data\ndata\n\n", events: [SSEEvent(data: "\n")]),
        Case(name: "only one leading space stripped", input: "data:  two\n\n", events: [SSEEvent(data: " two")]),
        Case(name: "no space after colon", input: "data:x\n\n", events: [SSEEvent(data: "x")]),
        Case(name: "colon inside value kept", input: "data: a:b: c\n\n", events: [SSEEvent(data: "a:b: c")]),
        Case(
            name: "event without data is not dispatched", input: "event: x\n\ndata: y\n\n",
            events: [SSEEvent(data: "y")]),
        Case(
            name: "type resets after dispatch", input: "event: x\ndata: 1\n\ndata: 2\n\n",
            events: [SSEEvent(type: "x", data: "1"), SSEEvent(data: "2")]),
        Case(name: "unterminated event is discarded", input: "data: a\n\ndata: b\n", events: [SSEEvent(data: "a")]),
        Case(name: "unknown fields are ignored", input: "foo: bar\ndata: a\n\n", events: [SSEEvent(data: "a")]),
        Case(name: "field names are case-sensitive", input: "Data: a\ndata: b\n\n", events: [SSEEvent(data: "b")]),
        Case(
            name: "empty data line keeps an empty event", input: "id: p1\ndata:\n\n",
            events: [SSEEvent(data: "", id: "p1")]),
        Case(name: "multi-byte UTF-8", input: "data: héllo ✓ 🎉\n\n", events: [SSEEvent(data: "héllo ✓ 🎉")]),
        Case(
            name: "MCP message events",
            input: "event: message\nid: s-1\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n",
            events: [SSEEvent(type: "message", data: "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", id: "s-1")]),
    ]

    @Test("each rule holds when fed in one chunk", arguments: cases)
    func wholeChunk(_ testCase: Case) throws {
        var parser = SSEParser()
        var events = try parser.feed(Array(testCase.input.utf8))
        events += parser.finish()
        #expect(events == testCase.events)
    }

    @Test("each rule holds when the input is split at every byte offset", arguments: cases)
    func everySplit(_ testCase: Case) throws {
        let bytes = Array(testCase.input.utf8)
        for split in 0...bytes.count {
            var parser = SSEParser()
            var events = try parser.feed(bytes[..<split])
            events += try parser.feed(bytes[split...])
            events += parser.finish()
            #expect(events == testCase.events, "split at \(split)")
        }
    }

    @Test("each rule holds when fed one byte at a time", arguments: cases)
    func byteByByte(_ testCase: Case) throws {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for byte in testCase.input.utf8 { events += try parser.feed([byte]) }
        events += parser.finish()
        #expect(events == testCase.events)
    }

    @Test("a sample stream parses the same when split at every pair of offsets")
    func sampleStreamEveryTwoSplits() throws {
        let sample =
            "\u{FEFF}: hi\r\nretry: 1500\r\nid: 1\r\nevent: message\r\ndata: {\"a\":1}\r\r"
            + "data: x\ndata: y\n\nid\ndata\r\n\r\n"
        let bytes = Array(sample.utf8)
        var reference = SSEParser()
        let expected = try reference.feed(bytes)
        #expect(expected.count == 3)
        #expect(reference.reconnectionTime == 1500)
        for first in 0...bytes.count {
            for second in first...bytes.count {
                var parser = SSEParser()
                var events = try parser.feed(bytes[..<first])
                events += try parser.feed(bytes[first..<second])
                events += try parser.feed(bytes[second...])
                #expect(events == expected, "splits at \(first), \(second)")
            }
        }
    }

    @Test(
        "retry accepts ASCII digits only",
        arguments: [
            ("retry: 3000\n", 3000), ("retry: 30a0\n", nil), ("retry: -1\n", nil), ("retry:\n", nil),
            ("retry: 10\nretry: x\n", 10),
        ] as [(String, Int?)])
    func retry(input: String, expected: Int?) throws {
        var parser = SSEParser()
        _ = try parser.feed(Array(input.utf8))
        #expect(parser.reconnectionTime == expected)
    }

    @Test("the last event id is kept even when no event is dispatched")
    func lastEventIDWithoutDispatch() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("id: 42\n\n".utf8)).isEmpty)
        #expect(parser.lastEventID == "42")
    }

    @Test("an event larger than the cap is an error")
    func cap() throws {
        var parser = SSEParser(maxEventBytes: 64)
        _ = try parser.feed(Array("data: \(String(repeating: "a", count: 40))\n".utf8))
        #expect(throws: SSEError(limit: 64)) {
            try parser.feed(Array("data: \(String(repeating: "b", count: 40))\n".utf8))
        }
        var lineParser = SSEParser(maxEventBytes: 64)
        #expect(throws: SSEError(limit: 64)) { try lineParser.feed(Array(repeating: UInt8(ascii: "x"), count: 65)) }
    }

    @Test("a large event's data arrives whole, also with more data lines after it, and the next events are unaffected")
    func largeEvent() throws {
        let big = String(repeating: "0123456789abcdef", count: 20_000)  // 320 KB: past the buffers kept
        var parser = SSEParser()
        var events: [SSEEvent] = []
        let stream = "id: 1\ndata: \(big)\ndata: tail\n\ndata:\(big)\n\nevent: x\ndata: small\n\n"
        for chunk in Array(stream.utf8).chunks(of: 16_384) { events += try parser.feed(chunk) }
        #expect(events.count == 3)
        #expect(events[0] == SSEEvent(data: big + "\ntail", id: "1"))
        #expect(events[1] == SSEEvent(data: big, id: "1"))
        #expect(events[2] == SSEEvent(type: "x", data: "small", id: "1"))
    }

    @Test("the default cap on an event is the cap on a JSON response body and on a stdio line")
    func defaultCap() {
        #expect(SSEParser().maxEventBytes == StreamableHTTPTransport.maxJSONBodyBytes)
        #expect(SSEParser().maxEventBytes == StdioTransport.maxLineBytes)
    }

    @Test("the cap is per event: many small events stay within it")
    func capIsPerEvent() throws {
        var parser = SSEParser(maxEventBytes: 64)
        var count = 0
        for _ in 0..<100 {
            count += try parser.feed(Array("data: \(String(repeating: "z", count: 40))\n\n".utf8)).count
        }
        #expect(count == 100)
    }
}

extension Array {
    /// The array cut into pieces of `size` elements (the last one shorter).
    fileprivate func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
