import Basics

/// What RFC 9110 allows in a header field, checked when a workflow is loaded.
package enum HeaderRules {
    /// The hint for a bad header name.
    package static let nameHint = "a header name is letters, digits and !#$%&'*+-.^_`|~, with no spaces or colons"

    /// Why `name` is not a header name (an RFC 9110 token), or nil when it is one.
    package static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        for scalar in name.unicodeScalars where !HTTPToken.isTokenScalar(scalar) {
            switch scalar {
            case " ", "\t": return "contains a space"
            case ":": return "contains a colon"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: return "contains a control character"
            default: return "contains '\(scalar)', which a header name cannot have"
            }
        }
        return nil
    }

    /// Why `value` cannot be sent as a header value (CR, LF or NUL in it), or nil when it can.
    package static func valueProblem(_ value: String) -> String? {
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\r": return "contains a carriage return"
            case "\n": return "contains a line break"
            case "\0": return "contains a NUL character"
            default: continue
            }
        }
        return nil
    }

}

/// `text` for a message, on one line with control characters escaped (`TerminalText.inline`).
func printable(_ text: String) -> String { TerminalText.inline(text) }
