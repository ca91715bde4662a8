import Basics
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test(
        "parses and re-serializes compactly with sorted keys",
        arguments: [
            (#"{"b":1,"a":[true,false,null]}"#, #"{"a":[true,false,null],"b":1}"#),
            (#" [ 1.5 , -2, 3e2, "x\ny" ] "#, #"[1.5,-2,300,"x\ny"]"#),
            (#""\u00e9\ud83d\ude00""#, "\"é😀\""),
            ("0", "0"),
        ])
    func roundTrip(input: String, expected: String) throws {
        #expect(try JSONValue.parse(input).serialized() == expected)
    }

    @Test("rejects malformed JSON", arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "\"abc", "tru", "1 2"])
    func rejectsMalformed(input: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(input) }
    }

    @Test("keeps integers and doubles apart")
    func integersStayIntegers() throws {
        #expect(try JSONValue.parse("50") == .integer(50))
        #expect(try JSONValue.parse("50.5") == .double(50.5))
        #expect(JSONValue.double(50).serialized() == "50")
    }

    /// Found by `scripts/fuzz json` (Tests/Fuzz/Regressions/json/): `2e3326` parsed to infinity, which
    /// serializes as `null`, so a server's number silently became `null`.
    @Test(
        "refuses a number beyond the range of a double, naming where it starts",
        arguments: [
            ("2e3326", 0), ("-1e309", 0), ("1.8e308", 0), ("[1, 1E+400]", 4), (#"{"a": -0.5e99999}"#, 6),
        ])
    func refusesOutOfRangeNumbers(input: String, offset: Int) {
        #expect(
            throws: JSONParseError(message: "number out of range (larger than 1.8e308 in magnitude)", offset: offset)
        ) {
            try JSONValue.parse(input)
        }
    }

    @Test(
        "keeps the numbers at the edges of a double's range",
        arguments: [
            ("1.7976931348623157e308", JSONValue.double(1.7976931348623157e308)), ("1e-400", .double(0)),
            ("-4.9e-324", .double(-4.9e-324)), ("99999999999999999999", .double(1e20)),
        ])
    func keepsEdgeNumbers(input: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(input) == expected)
    }

    @Test(
        "parses the same from a string, an array, a slice, a substring's bytes and bytes not stored contiguously",
        arguments: [#"{"a":"x\"y\\z\u00e9","b":[1,2.5,null]}"#, #""plain""#, "[]"])
    func parsesFromEveryKindOfBytes(text: String) throws {
        let expected = try JSONValue.parse(text)
        let bytes = Array(text.utf8)
        #expect(try JSONValue.parse(bytes) == expected)
        #expect(try JSONValue.parse((Array("  ".utf8) + bytes + Array("  ".utf8))[1...]) == expected)
        #expect(try JSONValue.parse(("[" + text + "]").dropFirst().dropLast().utf8) == expected)
        #expect(try JSONValue.parse(bytes.lazy.map { $0 }) == expected)
    }

    @Test("a long string with escapes throughout parses to exactly its text")
    func longEscapedString() throws {
        let unit = "ab\"c\\d\n\u{e9}\u{1}"
        let text = String(repeating: unit, count: 10_000)
        let parsed = try JSONValue.parse(JSONValue.string(text).serialized())
        #expect(parsed == .string(text))
    }

    @Test(
        "serialized bytes are the serialized text, pretty or compact",
        arguments: [#"{"b":{"c":[1,"x\ny",{}],"d":[]},"a":"\u0001é"}"#, "[]", #""s""#, "-0.5"])
    func serializedBytesMatchText(text: String) throws {
        let value = try JSONValue.parse(text)
        for pretty in [false, true] {
            let bytes = value.serializedBytes(pretty: pretty)
            let exactly = value.serializedBytesExactly(pretty: pretty, extraCapacity: 1)
            #expect(bytes == Array(value.serialized(pretty: pretty).utf8))
            #expect(exactly == bytes)
            #expect(exactly.capacity >= bytes.count + 1)
            #expect(try JSONValue.parse(bytes) == value)
        }
    }

    @Test("refuses nesting deeper than 512 levels")
    func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }
}

@Suite("Secret")
struct SecretTests {
    @Test("never shows its value in descriptions, dumps or masks")
    func neverShown() {
        let secret = Secret("hunter2-token")
        #expect("\(secret)" == "***")
        #expect(String(reflecting: secret) == "Secret(***)")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        let masker = SecretMasker([secret])
        #expect(masker.mask("Bearer hunter2-token!") == "Bearer ***!")
    }

    @Test("suggests the nearest known word")
    func nearestWord() {
        #expect(nearestMatch(to: "trasnport", in: ["url", "transport", "headers"]) == "transport")
        #expect(nearestMatch(to: "zzzzzz", in: ["url", "transport"]) == nil)
    }
}
