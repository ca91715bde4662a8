/// RFC 9110 §5.6.2 tokens: header field names, methods, authentication schemes.
///
/// The one definition of `tchar` for every module that reads or writes HTTP (the client's header
/// lines, the workflow's header rules, `WWW-Authenticate`, the MCP headers, the gateway's parser).
package enum HTTPToken {
    /// Whether `byte` is a `tchar`: an ASCII letter or digit, or one of ``!#$%&'*+-.^_`|~``.
    package static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Whether `scalar` is a `tchar` (see `isTokenByte`).
    package static func isTokenScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && isTokenByte(UInt8(scalar.value))
    }

    /// Whether `text` is a token: one `tchar` or more.
    package static func isToken(_ text: String) -> Bool {
        !text.utf8.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }
}
