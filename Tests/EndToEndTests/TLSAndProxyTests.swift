import Basics
import Foundation
import TestSupport
import Testing

/// TLS trust and proxies as libcurl reads them from the environment (contract §7, last point):
/// `SSL_CERT_FILE`, `CURL_CA_BUNDLE` or `SSL_CERT_DIR` name the CAs to trust (verification is
/// never off); `http_proxy`, `https_proxy` and `no_proxy` choose a proxy. The server is
/// `tools.py` over HTTPS with a throwaway CA (`make_certs.py`); the proxy is proxy.py (PyPI),
/// whose access log shows what went through it.
@Suite("TLS trust and proxies", .timeLimit(.minutes(3)))
struct TLSAndProxyTests {
    /// The variables that would change these tests' outcome if the machine running them set them.
    static let cleared = [
        "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy",
        "ALL_PROXY", "no_proxy", "NO_PROXY",
    ]

    /// The environment for a child: `set` over the cleared variables (empty: unset for libcurl).
    static func environment(_ set: [String: String]) -> [String: String] {
        var environment = Dictionary(uniqueKeysWithValues: cleared.map { ($0, "") })
        environment.merge(set) { _, new in new }
        return environment
    }

    /// A CA and a server certificate for 127.0.0.1 in a new folder; also that folder hashed for
    /// `SSL_CERT_DIR` (`openssl rehash`).
    static func certificates() throws -> (folder: String, caDirectory: String) {
        let folder = try temporaryDirectory("tls")
        try #require(try run(try venvPython(), [repoPath("fixtures/servers/make_certs.py"), folder]) == 0)
        let caDirectory = folder + "/ca-dir"
        try FileManager.default.createDirectory(atPath: caDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: folder + "/ca.pem", toPath: caDirectory + "/ca.pem")
        try #require(try run("/usr/bin/openssl", ["rehash", caDirectory]) == 0)
        return (folder, caDirectory)
    }

    /// Runs a short local command to its end; its exit status.
    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        try runQuickCommand(executable, arguments)
    }

    /// Whether the proxy's access log shows `line` within 10 s (it logs a request after answering it).
    static func logged(_ line: String, by proxy: FixtureServer) async -> Bool {
        for _ in 0..<100 {
            if proxy.stderr.contains(line) { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return proxy.stderr.contains(line)
    }

    static func https(_ folder: String) -> [String] {
        [
            "--transport", "streamable-http", "--json-response", "--tls-cert", folder + "/server.pem", "--tls-key",
            folder + "/server-key.pem",
        ]
    }

    @Test(
        "an HTTPS server whose CA is not trusted is refused with a hint; SSL_CERT_FILE, CURL_CA_BUNDLE or SSL_CERT_DIR trust it"
    )
    func trust() async throws {
        let (folder, caDirectory) = try Self.certificates()
        try await withServer("tools.py", arguments: Self.https(folder)) { server in
            let url = "https://127.0.0.1:\(server.port)/mcp"
            let refused = try await runMCPRun(["tools", url], environment: Self.environment([:]))
            #expect(refused.exitCode == 4, "\(refused)")
            #expect(refused.stderr.contains("SSL_CERT_FILE"), "the hint names the variable: \(refused)")
            for variable in [
                ["SSL_CERT_FILE": folder + "/ca.pem"], ["CURL_CA_BUNDLE": folder + "/ca.pem"],
                ["SSL_CERT_DIR": caDirectory],
            ] {
                let trusted = try await runMCPRun(["tools", url], environment: Self.environment(variable))
                #expect(trusted.exitCode == 0, "\(variable): \(trusted)")
                #expect(trusted.stdout.contains("echo"), "\(variable): \(trusted)")
            }
        }
    }

    @Test("http_proxy and https_proxy (CONNECT) carry every request; no_proxy bypasses the proxy")
    func proxies() async throws {
        let (folder, _) = try Self.certificates()
        try await withServer("forward_proxy.py", arguments: []) { proxy in
            let proxyURL = "http://127.0.0.1:\(proxy.port)"
            try await withServer("tools.py", arguments: ["--transport", "streamable-http", "--json-response"]) {
                server in
                let plain = try await runMCPRun(
                    ["call", server.url(), "echo", "text=via-proxy"],
                    environment: Self.environment(["http_proxy": proxyURL]))
                #expect(plain.exitCode == 0, "\(plain)")
                #expect(await Self.logged("POST 127.0.0.1:\(server.port)/mcp", by: proxy), "\(proxy.stderr)")
            }
            // Another server, so that no late log line of the run above can count here.
            try await withServer("tools.py", arguments: ["--transport", "streamable-http", "--json-response"]) {
                server in
                let bypassed = try await runMCPRun(
                    ["call", server.url(), "echo", "text=direct"],
                    environment: Self.environment(["http_proxy": proxyURL, "no_proxy": "127.0.0.1"]))
                #expect(bypassed.exitCode == 0, "\(bypassed)")
                // A lower bound only: a request through the proxy would have been logged by now.
                try await Task.sleep(for: .seconds(1))
                #expect(!proxy.stderr.contains("127.0.0.1:\(server.port)"), "\(proxy.stderr)")
            }
            try await withServer("tools.py", arguments: Self.https(folder)) { server in
                let tunnelled = try await runMCPRun(
                    ["call", "https://127.0.0.1:\(server.port)/mcp", "echo", "text=tunnelled"],
                    environment: Self.environment(["https_proxy": proxyURL, "SSL_CERT_FILE": folder + "/ca.pem"]))
                #expect(tunnelled.exitCode == 0, "\(tunnelled)")
                #expect(tunnelled.stdout.contains("tunnelled"), "\(tunnelled)")
                #expect(await Self.logged("CONNECT 127.0.0.1:\(server.port)", by: proxy), "\(proxy.stderr)")
            }
        }
    }
}
