/// libFuzzer harness: the JSON-RPC decoder. Each message that decodes must encode to bytes that decode
/// to one message of the same kind, id and method, which encodes to the same bytes again. (Bytes, not
/// values, are compared: `5.0` and `5` are one JSON number, and the encoder writes it as `5`.)

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    guard let messages = try? JSONRPCMessage.decodeAll(input.bytes) else { return 0 }
    for message in messages {
        let bytes = message.serializedBytes
        guard let again = try? JSONRPCMessage.decodeAll(bytes), again.count == 1, let first = again.first else {
            fuzzFailure("the encoded message does not decode to one message: \(String(decoding: bytes, as: UTF8.self))")
        }
        guard first.id == message.id, first.method == message.method, first.isResponse == message.isResponse,
            first.serializedBytes == bytes
        else {
            fuzzFailure("the round trip changed the message: \(String(decoding: bytes, as: UTF8.self))")
        }
    }
    return 0
}
