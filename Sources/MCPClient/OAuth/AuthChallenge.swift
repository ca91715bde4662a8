import Basics

/// One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1): a scheme and its parameters.
///
/// MCP servers send `Bearer` challenges carrying `resource_metadata` (RFC 9728 §5.1), `scope` and
/// `error` (RFC 6750 §3). Parameter names are case-insensitive and stored lower-cased.
package struct AuthChallenge: Sendable, Equatable {
    /// The auth scheme as sent (compare case-insensitively).
    package var scheme: String
    /// Parameters by lower-cased name; quoted strings unescaped.
    package var parameters: [String: String]
    /// A token68 credential instead of parameters, if the challenge carried one.
    package var token68: String?

    /// Creates a challenge.
    package init(scheme: String, parameters: [String: String] = [:], token68: String? = nil) {
        self.scheme = scheme
        self.parameters = parameters
        self.token68 = token68
    }

    /// Whether the scheme is `Bearer` (case-insensitive).
    package var isBearer: Bool { scheme.lowercased() == "bearer" }

    /// Every challenge in `headerValues` (several headers, several challenges per header).
    ///
    /// Lenient: a malformed tail ends the parse of its header value and keeps what came before.
    package static func parse(_ headerValues: [String]) -> [AuthChallenge] {
        headerValues.flatMap { parse(Array($0.unicodeScalars)) }
    }

    private static func isToken68Character(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9": return true
        default: return "-._~+/".unicodeScalars.contains(c)
        }
    }

    // A small cursor-based parser over the header value's scalars.
    private static func parse(_ s: [Unicode.Scalar]) -> [AuthChallenge] {
        var i = 0
        var challenges: [AuthChallenge] = []
        func skipSpaces() { while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 } }
        func skipSeparators() { while i < s.count, s[i] == " " || s[i] == "\t" || s[i] == "," { i += 1 } }
        func token() -> String? {
            let start = i
            while i < s.count, HTTPToken.isTokenScalar(s[i]) { i += 1 }
            return i > start ? String(String.UnicodeScalarView(s[start..<i])) : nil
        }
        func quoted() -> String? {
            guard i < s.count, s[i] == "\"" else { return nil }
            i += 1
            var text = String.UnicodeScalarView()
            while i < s.count {
                let c = s[i]
                i += 1
                if c == "\\", i < s.count {
                    text.append(s[i])
                    i += 1
                } else if c == "\"" {
                    return String(text)
                } else {
                    text.append(c)
                }
            }
            return nil  // unterminated
        }
        skipSeparators()
        while i < s.count {
            guard let scheme = token() else { return challenges }
            var challenge = AuthChallenge(scheme: scheme)
            skipSpaces()
            // token68: `Basic abc==` — token68 characters, optional '=' padding, then a comma or the end.
            let mark = i
            while i < s.count, isToken68Character(s[i]) { i += 1 }
            if i > mark {
                var end = i
                while end < s.count, s[end] == "=" { end += 1 }
                var after = end
                while after < s.count, s[after] == " " || s[after] == "\t" { after += 1 }
                if after == s.count || s[after] == "," {
                    // `name=` followed by nothing is a token68 with padding, not an empty parameter.
                    challenge.token68 = String(String.UnicodeScalarView(s[mark..<end]))
                    i = after
                    challenges.append(challenge)
                    skipSeparators()
                    continue
                }
            }
            i = mark
            // auth-params: name = (token | quoted-string), separated by commas; a name not followed
            // by '=' starts the next challenge.
            while i < s.count {
                skipSeparators()
                let start = i
                guard let name = token() else { break }
                skipSpaces()
                guard i < s.count, s[i] == "=" else {
                    i = start
                    break
                }
                i += 1
                skipSpaces()
                let value: String
                if let text = quoted() {
                    value = text
                } else if let text = token() {
                    value = text
                } else {
                    challenges.append(challenge)
                    return challenges
                }
                challenge.parameters[name.lowercased()] = value
                skipSpaces()
                if i < s.count, s[i] != "," { break }
            }
            challenges.append(challenge)
            skipSeparators()
        }
        return challenges
    }
}
