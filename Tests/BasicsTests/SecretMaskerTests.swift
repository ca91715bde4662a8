import Basics
import Testing

@Suite("SecretMasker")
struct SecretMaskerTests {
    /// A masker over a registry of its own, so tests never mask each other's text.
    private func masker(_ secrets: String...) -> SecretMasker {
        SecretMasker(secrets.map { Secret($0) }, registry: SecretRegistry())
    }

    @Test(
        "masks a secret in every encoding mcp-run writes it in",
        arguments: [
            // (secret, text as mcp-run may write it)
            ("hunter2-token", "Bearer hunter2-token!"),
            ("pa\"ss\\word", #"{"message":"pa\"ss\\word"}"#),
            ("line1\nline2", #""line1\nline2""#),
            ("tab\there", #""tab\there""#),
            ("cr\rhere", #""cr\rhere""#),
            ("bell\u{7}esc\u{1B}", #""bell\u0007esc\u001b""#),
            ("del\u{7F}x", #""del\u007fx""#),
            ("crlf\r\nend", "raw crlf\r\nend raw"),
            ("naïve-sécret", #""naïve-sécret""#),
            ("e\u{301}-combining", "x\u{301}e\u{301}-combining"),
            ("a b&c=d+é", "client_secret=a+b%26c%3Dd%2B%C3%A9&grant_type=x"),
            ("a b~c*", "?code=a%20b~c%2A"),
            ("a b~c*", "body=a+b%7Ec*"),
        ])
    func everyEncoding(secret: String, text: String) {
        let masked = masker(secret).mask(text)
        #expect(masked.contains("***"), "\(text.debugDescription) was not masked")
        for encoding in SecretRegistry.encodings(of: secret) {
            #expect(!masked.contains(encoding))
        }
    }

    @Test(
        "masks an authorization header value and the credential after its scheme",
        arguments: [
            ("Basic dXNlcjpwYXNzd29yZA==", "the server said: got dXNlcjpwYXNzd29yZA== as Basic"),
            ("Bearer tok-123456", "invalid token tok-123456"),
            ("Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic dXNlcjpwYXNzd29yZA=="),
        ])
    func headerValues(header: String, text: String) {
        let masked = masker(header).mask(text)
        #expect(masked.contains("***"))
        #expect(!masked.contains(String(header.split(separator: " ")[1])))
    }

    @Test("masks each line of a multi-line secret on its own, as stderr shows it line by line")
    func multiLine() {
        let masker = masker("-----BEGIN KEY-----\r\nMIIEvQIBADANBg\nkqhkiG9w0BAQEF\nab")
        #expect(masker.mask("stderr: MIIEvQIBADANBg") == "stderr: ***")
        #expect(masker.mask("kqhkiG9w0BAQEF and -----BEGIN KEY-----") == "*** and ***")
        #expect(masker.mask("ab stays") == "ab stays")
    }

    @Test("masks the longer of two overlapping secrets whole")
    func longestFirst() {
        #expect(masker("abc", "abcdef").mask("x abcdef y abc") == "x *** y ***")
    }

    @Test("leaves values shorter than 3 bytes and text without secrets alone")
    func shortValues() {
        let short = masker("ab", "", "a\"", "\n\t")
        #expect(short.isEmpty)
        #expect(short.mask(#"ab cd ab a\" \n\t"#) == #"ab cd ab a\" \n\t"#)
        #expect(masker("Bearer x").mask("x y, Bearer x") == "x y, ***")
    }

    @Test("masks bytes in place as it masks text, and leaves text without a secret as it is")
    func masksBytes() {
        let masker = masker("hunter2-token", "Basic dXNlcjpwYXNz")
        let texts = [
            "none here", "Bearer hunter2-token and hunter2-token", #"{"h":"Basic dXNlcjpwYXNz"}"#, "dXNlcjpwYXNz",
            "", "hu",
        ]
        for text in texts {
            var bytes = Array(text.utf8)
            masker.mask(&bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == masker.mask(text), "\(text)")
        }
        #expect(masker.mask("none here") == "none here")
        #expect(masker.mask("x hunter2-token y") == "x *** y")
    }

    @Test("sees a secret added through another masker on the same registry")
    func sharedRegistry() {
        let registry = SecretRegistry()
        let first = SecretMasker(registry: registry)
        let second = SecretMasker(registry: registry)
        second.add(Secret("late-token"))
        _ = Secret.credential("born-token", registry: registry)
        #expect(first.mask("late-token born-token") == "*** ***")
    }
}

@Suite("TerminalText")
struct TerminalTextTests {
    @Test(
        "shows control characters as visible escapes",
        arguments: [
            ("plain text é 😀", "plain text é 😀"),
            ("\u{1B}]0;pwned\u{7}title", #"\x1b]0;pwned\x07title"#),
            ("\u{1B}[2J\u{1B}[1;31mred", #"\x1b[2J\x1b[1;31mred"#),
            ("progress 50%\roverwritten", #"progress 50%\roverwritten"#),
            ("line one\nline two\ttabbed", "line one\nline two\ttabbed"),
            ("windows\r\nline", "windows\nline"),
            ("back\u{8}\u{8}space\u{0}nul\u{7F}", #"back\x08\x08space\x00nul\x7f"#),
            ("c1 \u{9B}31m csi", #"c1 \u{009B}31m csi"#),
            (
                "abc\u{202E}fed\u{202C} \u{2066}x\u{2069} \u{200F}",
                #"abc\u{202E}fed\u{202C} \u{2066}x\u{2069} \u{200F}"#
            ),
        ])
    func neutralized(input: String, expected: String) {
        let shown = TerminalText.neutralized(input)
        #expect(shown == expected)
        #expect(!shown.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x0D })
    }

    @Test(
        "text quoted inline in a message is one line with every control character escaped, cut with …",
        arguments: [
            ("plain é", 300, "plain é"),
            ("a\nb\tc\r\nd", 300, #"a\nb\tc\r\nd"#),
            ("\u{1B}]0;x\u{7}\u{202E}", 300, #"\x1b]0;x\x07\u{202E}"#),
            ("abcdef", 3, "abc…"),
            ("abc", 3, "abc"),
        ])
    func inline(input: String, limit: Int, expected: String) {
        let shown = TerminalText.inline(input, limit: limit)
        #expect(shown == expected)
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
    }
}
