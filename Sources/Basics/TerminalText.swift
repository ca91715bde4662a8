/// Text made safe to show on a terminal.
///
/// Server-controlled text (tool error texts, JSON-RPC error messages, a stdio server's stderr,
/// progress and log messages, HTTP body snippets) passes through `neutralized(_:)` at the human
/// output boundary (the `Logger`, the `ErrorRenderer`, the live progress display), so it can never
/// retitle the terminal, move the cursor, overwrite a line or reorder text. The results document
/// keeps the raw text, JSON-escaped.
package enum TerminalText {
    /// `text` with every control character shown as a visible escape.
    ///
    /// - A line feed and a tab stay; a CR before a line feed is dropped (a CRLF line end).
    /// - Any other CR is `\r`; the other C0 controls and DEL are `\xHH` (`\x1b` for ESC, `\x07`
    ///   for BEL, `\x08` for backspace), so no ESC/CSI/OSC sequence survives.
    /// - C1 controls (U+0080–U+009F) and the bidirectional controls (U+061C, U+200E, U+200F,
    ///   U+202A–U+202E, U+2066–U+2069) are `\u{XXXX}` (`\u{202E}`).
    package static func neutralized(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            guard needsEscape(scalar) else {
                out.append(scalar)
                continue
            }
            if scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { continue }
            out.append(contentsOf: escape(scalar).unicodeScalars)
        }
        return String(out)
    }

    /// `text` as one line of a message (a quoted header value, URL, cursor, user code):
    /// `neutralized`, with line feeds and tabs escaped too (`\n`, `\t`), and cut after `limit`
    /// characters with `…`. Mask secrets before, not after: a cut could split one.
    package static func inline(_ text: String, limit: Int = 300) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) || scalar == "\n" || scalar == "\t" {
                out.append(contentsOf: escape(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        let line = String(out)
        return line.count > limit ? String(line.prefix(limit)) + "…" : line
    }

    /// Whether `scalar` is shown as an escape.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// The visible escape of a control character: `\n`, `\t`, `\r`, `\xHH` below U+0080, else `\u{XXXX}`.
    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\t": return "\\t"
        case "\r": return "\\r"
        case _ where scalar.value < 0x80: return "\\x" + hex(scalar.value, width: 2)
        default: return "\\u{" + hex(scalar.value, width: 4).uppercased() + "}"
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
