/// libFuzzer harness: what mcp-run reads from a modern (MCP 2026-07-28) server's answers. The input
/// is JSON: read as a tool's input schema for `x-mcp-header` parameters (whose headers, made from
/// the same JSON as arguments, must be single-line visible ASCII named `Mcp-Param-` plus a token),
/// as an `input_required` result, as a discovery result, as a task (the Tasks extension) and as an
/// error's `data`; its text is also
/// encoded as a header value, which must decode back to it when Base64 was needed.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let text = String(decoding: input.bytes, as: UTF8.self)
    checkEncoding(text)
    guard let value = try? JSONValue.parse(input.bytes) else { return 0 }
    if let parameters = try? ModernHeaders.parameters(in: value) {
        for (name, headerValue) in ModernHeaders.parameterHeaders(parameters, arguments: value) {
            guard name.hasPrefix(MCPHeader.parameterPrefix), isHeaderSafe(name), isHeaderSafe(headerValue) else {
                fuzzFailure("an unsafe header: \(name): \(headerValue)")
            }
        }
    }
    if let asked = try? MCPWire.InputRequired(value) {
        let retry = MCPWire.retryParams(value, inputResponses: [:], requestState: asked.requestState)
        guard retry?["requestState"]?.stringValue == asked.requestState else {
            fuzzFailure("the retry does not echo the requestState")
        }
    }
    _ = MCPWire.DiscoverResult(value)
    if let task = try? MCPWire.TaskState(value) {
        guard !task.taskID.isEmpty, task.status != .completed || task.result?.objectValue != nil,
            (task.pollInterval ?? .zero) >= .zero
        else {
            fuzzFailure("a task read without its id, its result or with a negative poll interval")
        }
        _ = MCPWire.requestName(method: MCPWire.TaskMethod.get, params: MCPWire.taskParams(task.taskID))
    }
    _ = MCPWire.supportedVersions(inErrorData: value)
    return 0
}

/// Whether `text` may go into a header as it is: visible ASCII and spaces, nothing else.
private func isHeaderSafe(_ text: String) -> Bool {
    text.utf8.allSatisfy { (0x20...0x7E).contains($0) }
}

/// An encoded value is header-safe, and a Base64 one decodes to the original text.
private func checkEncoding(_ text: String) {
    let encoded = ModernHeaders.encoded(text)
    guard isHeaderSafe(encoded), !encoded.isEmpty else { fuzzFailure("an unsafe encoding of \(text.debugDescription)") }
    guard encoded != text else { return }
    let inner = encoded.dropFirst("=?base64?".count).dropLast("?=".count)
    guard encoded.hasPrefix("=?base64?"), encoded.hasSuffix("?="), let decoded = Data(base64Encoded: String(inner)),
        String(decoding: decoded, as: UTF8.self) == text
    else {
        fuzzFailure("the Base64 form does not decode to \(text.debugDescription): \(encoded)")
    }
}
