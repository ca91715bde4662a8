import Foundation
import MCPClient
import Testing

@Suite("PKCE and the browser launcher's URL check")
struct BrowserFlowUnitTests {
    @Test("the S256 challenge of RFC 7636 Appendix B's verifier is the RFC's")
    func rfc7636Example() {
        #expect(
            PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test(
        "SHA-256 matches FIPS 180-4 examples, across block boundaries",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ])
    func sha256(input: String, expected: String) {
        let digest = PKCE.sha256(Array(input.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(digest == expected)
    }

    @Test("verifiers and states are 43-character base64url and differ")
    func randomValues() {
        let a = PKCE.makeVerifier()
        let b = PKCE.makeVerifier()
        #expect(a.count == 43 && a != b)
        #expect(a.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test(
        "authorization endpoints that are refused",
        arguments: [
            "javascript:alert(1)", "file:///etc/passwd", "http://example.com/authorize",
            "https://example.com/a;touch /tmp/x", "https://example.com/a\nb", "https://example.com/a\\b",
            "ftp://127.0.0.1/x", "authorize", "https:///nohost",
        ])
    func refused(url: String) {
        #expect(BrowserLauncher.refusal(of: url) != nil)
    }

    @Test(
        "authorization endpoints that are accepted",
        arguments: ["https://auth.example.com/authorize", "http://127.0.0.1:8080/authorize", "http://localhost/a?b=c"])
    func accepted(url: String) {
        #expect(BrowserLauncher.refusal(of: url) == nil)
    }
}
