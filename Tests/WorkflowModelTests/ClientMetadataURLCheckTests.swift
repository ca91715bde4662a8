import Testing

@testable import WorkflowModel

/// The checks on `oauth.clientMetadataUrl` (MCP 2025-11-25, Client Registration).
@Suite("clientMetadataUrl checks")
struct ClientMetadataURLCheckTests {
    @Test(
        "https URLs with a path, and http on loopback hosts, are accepted",
        arguments: [
            "https://client.example/mcp-run.json", "https://client.example:8443/a/b/client.json",
            "HTTPS://Client.Example/c", "http://127.0.0.1/c.json", "http://127.0.0.1:8080/c.json",
            "http://127.1.2.3/c", "http://localhost:9000/c.json", "http://dev.localhost/c", "http://[::1]:8000/c.json",
            "https://client.example/c.json?v=1",
        ])
    func accepted(url: String) {
        #expect(ClientMetadataURLCheck.problem(url) == nil)
    }

    @Test(
        "other URLs are refused with the reason",
        arguments: [
            ("http://client.example/c.json", "https"), ("http://10.0.0.1/c.json", "https"),
            ("http://127.0.0.1.example/c", "https"), ("ftp://client.example/c", "https"),
            ("https://client.example", "path"), ("https://client.example/", "path"),
            ("https://client.example?x=1", "path"), ("https://client.example/c#frag", "fragment"),
            ("https://me@client.example/c", "user name"), ("https://client.example/a/../c", "'..'"),
            ("https://client.example/./c", "'.'"), ("client.example/c", "absolute"), ("https:///c", "no host"),
            ("https://client.example/c d", "spaces"),
        ])
    func refused(url: String, reason: String) {
        let problem = ClientMetadataURLCheck.problem(url)
        #expect(problem?.contains(reason) == true, "\(url): \(problem ?? "accepted")")
    }
}
