import Testing

@testable import MCPClient

@Suite("Streamable HTTP transport rules")
struct StreamableHTTPTransportTests {
    @Test(
        "session ids must be visible ASCII",
        arguments: [
            ("abc-123_XYZ", true), ("~!@#$%^&*()", true), ("", false), ("has space", false), ("tab\there", false),
            ("new\nline", false), ("crlf\r\nX-Injected: 1", false), ("del\u{7F}", false), ("é", false),
        ] as [(String, Bool)])
    func sessionIDValidation(value: String, valid: Bool) {
        #expect(StreamableHTTPTransport.isValidSessionID(value) == valid)
    }
}
