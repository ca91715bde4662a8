/// libFuzzer harness: the JSON parser. Bytes that parse must serialize to a text that parses back to
/// the same value (compact and pretty), and serializing that again gives the same bytes.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    guard let value = try? JSONValue.parse(input.bytes) else { return 0 }
    let compact = value.serializedBytes()
    guard let reparsed = try? JSONValue.parse(compact) else {
        fuzzFailure("the serialized form does not parse: \(String(decoding: compact, as: UTF8.self))")
    }
    guard reparsed.isSameJSON(as: value) else {
        fuzzFailure("the round trip changed the value: \(String(decoding: compact, as: UTF8.self))")
    }
    guard reparsed.serializedBytes() == compact else {
        fuzzFailure("serializing twice gives different bytes: \(String(decoding: compact, as: UTF8.self))")
    }
    let pretty = value.serializedBytes(pretty: true)
    guard let fromPretty = try? JSONValue.parse(pretty), fromPretty.isSameJSON(as: value) else {
        fuzzFailure("the pretty form does not round-trip: \(String(decoding: pretty, as: UTF8.self))")
    }
    return 0
}

extension JSONValue {
    /// Equality as JSON sees it: a double and an integer with the same value are one number, and
    /// NaN (never produced by the parser) equals itself.
    fileprivate func isSameJSON(as other: JSONValue) -> Bool {
        switch (self, other) {
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isSameJSON(as: $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { value.isSameJSON(as: $0) } ?? false }
        case (.integer, .double), (.double, .integer), (.double, .double):
            return doubleValue == other.doubleValue
        default:
            return self == other
        }
    }
}
