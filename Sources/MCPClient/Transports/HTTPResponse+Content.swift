import Basics
import HTTP

extension HTTPResponse {
    /// The first 200 bytes of an error body, as text on one line, for the message of the error
    /// that reports the status; a body that is not text (control characters, invalid UTF-8:
    /// compressed or binary data) is described instead, never shown raw:
    /// `<binary data (Content-Type: …, Content-Encoding: …)>`.
    ///
    /// Reads (and so consumes) up to 4 KiB of the body; a body that fails midway gives what
    /// arrived before.
    func snippet() async -> String {
        // Read past the 200 shown, so a secret at the cut is masked whole before the cut.
        var bytes: [UInt8] = []
        do {
            for try await chunk in body {
                bytes.append(contentsOf: chunk.prefix(4096 - bytes.count))
                if bytes.count >= 4096 { break }
            }
        } catch {
            // Whatever arrived before the failure is enough for a message.
        }
        return snippet(of: bytes)
    }

    /// As `snippet()`, for a body already read (`bytes`, of which the first 4 KiB count).
    func snippet(of bytes: [UInt8]) -> String {
        let bytes = Array(bytes.prefix(4096))
        if Self.isBinary(Array(bytes.prefix(200))) {
            let described = [MCPHeader.contentType, MCPHeader.contentEncoding].compactMap { name in
                headers.value(for: name).map { "\(name): \(RetryingExchange.printable($0))" }
            }
            return "<binary data" + (described.isEmpty ? "" : " (\(described.joined(separator: ", ")))") + ">"
        }
        let shown = SecretMasker().maskedPrefix(String(decoding: bytes, as: UTF8.self), 200)
        let text = String(shown.map { $0.isNewline ? " " : $0 })
        return String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    /// Whether the start of a body is not text: a control character other than tab, CR and LF
    /// (ESC included), DEL, or a byte sequence that is not UTF-8 (one cut off at the end is fine).
    static func isBinary(_ bytes: [UInt8]) -> Bool {
        if bytes.contains(where: { ($0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D) || $0 == 0x7F }) {
            return true
        }
        var trimmed = bytes[...]
        // A multi-byte character cut by the 200-byte limit: drop its lead and continuation bytes.
        var dropped = 0
        while let last = trimmed.last, last & 0xC0 == 0x80, dropped < 3 {
            trimmed = trimmed.dropLast()
            dropped += 1
        }
        if let last = trimmed.last, last >= 0xC0 { trimmed = trimmed.dropLast() }
        return String(validating: trimmed, as: UTF8.self) == nil
    }

    /// The media type of the body, lower-cased; empty when the server named none.
    var contentType: String { headers.value(for: MCPHeader.contentType)?.lowercased() ?? "" }

    /// Whether the body is an event stream (`text/event-stream`).
    var isEventStream: Bool { contentType.hasPrefix(MCPHeader.eventStream) }
}
