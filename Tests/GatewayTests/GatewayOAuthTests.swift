import Basics
import Foundation
import TestSupport
import Testing

/// The gateway's OAuth logins against `oauth.py` (contract §9), through the real binary.
@Suite("Gateway OAuth", .timeLimit(.minutes(3)))
struct GatewayOAuthTests {
    /// The `curl` lines of the walkthrough in docs/gateway.md, in order: register, list tools,
    /// call a tool, revoke; then list servers, delete the server.
    static func walkthroughCommands() throws -> [String] {
        let text = try String(contentsOfFile: repoPath("docs/gateway.md"), encoding: .utf8)
        let marker = try #require(text.range(of: "<!-- walkthrough"))
        let end = try #require(text[marker.upperBound...].range(of: "\n## "))
        return text[marker.upperBound..<end.lowerBound].split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("curl ") }
    }

    /// Runs `command` with `sh -c` in `environment`; its stdout.
    static func shell(_ command: String, _ environment: [String: String]) async throws -> String {
        var all = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        all.merge(environment) { _, new in new }
        let process = try await ChildProcess(executable: "/bin/sh", arguments: ["-c", command], environment: all)
        let ended = await process.waitForExit(timeout: .seconds(30))
        _ = await process.waitForOutputClosed(timeout: .seconds(5))
        #expect(ended?.exitCode == 0, "\(command): \(process.stderr)")
        return process.stdout
    }

    /// A stand-in browser: follows `url` through the authorization server's redirect to the
    /// gateway's callback, as a person's browser would; the final status.
    static func browse(_ url: String) async throws -> String {
        try await shell(#"curl -s -L -o /dev/null --max-time 20 -w '%{http_code}' "$URL""#, ["URL": url])
    }

    @Test("the walkthrough's curl commands run: register, 401 with authorizationUrl, login, call, revoke, 401")
    func walkthrough() async throws {
        let commands = try Self.walkthroughCommands()
        try #require(commands.count == 6, "\(commands)")
        try await withServer("oauth.py", arguments: []) { server in
            try await withTemporaryDirectory("gateway-oauth") { home in
                try await withGateway(home: home) { gateway in
                    let environment = [
                        "GATEWAY": gateway.baseURL, "MCP_RUN_API_KEY": gateway.apiKey, "SERVER_URL": server.url(),
                    ]
                    let registered = try JSONValue.parse(try await Self.shell(commands[0], environment))
                    #expect(registered["name"] == "atlassian", "\(registered)")
                    let refused = try JSONValue.parse(try await Self.shell(commands[1], environment))
                    #expect(refused["error"] == "authorization_required", "\(refused)")
                    let url = try #require(refused["authorizationUrl"]?.stringValue)
                    #expect(url.contains("redirect_uri=\(gateway.baseURL)/oauth/callback"), "\(url)")
                    #expect(try await Self.browse(url) == "200")
                    let tools = try JSONValue.parse(try await Self.shell(commands[1], environment))
                    let names = tools["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
                    #expect(names.contains("echo"), "\(tools)")
                    let called = try JSONValue.parse(try await Self.shell(commands[2], environment))
                    #expect(called["content"]?[0]?["text"] == "hello", "\(called)")

                    // The tokens are where `mcp-run auth status` reads them.
                    let status = try await runMCPRun(["auth", "status"], environment: ["MCP_RUN_HOME": home])
                    #expect(status.exitCode == 0 && status.stdout.contains("authorization_code"), "\(status)")

                    let revoked = try JSONValue.parse(try await Self.shell(commands[3], environment))
                    #expect(revoked["revoked"] == true, "\(revoked)")
                    let again = try JSONValue.parse(try await Self.shell(commands[1], environment))
                    #expect(again["error"] == "authorization_required", "\(again)")
                    #expect(again["authorizationUrl"]?.stringValue != url)
                    let listed = try JSONValue.parse(try await Self.shell(commands[4], environment))
                    #expect(listed["servers"]?[0]?["name"] == "atlassian", "\(listed)")
                    let deleted = try JSONValue.parse(try await Self.shell(commands[5], environment))
                    #expect(deleted["deleted"] == "atlassian", "\(deleted)")
                }
            }
        }
    }

    @Test("a callback with a wrong state is 400 and completes nothing; the right one works once")
    func callbackState() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            try await withTemporaryDirectory("gateway-oauth-state") { home in
                let servers = #"{"secured": {"url": "\#(server.url())", "authType": "oauth2"}}"#
                try await withGateway(home: home, environment: ["MCP_SERVERS": servers]) { gateway in
                    let refused = try await gateway.request("GET", "/api/v1/mcp/secured/tools")
                    #expect(refused.status == 401, "\(refused)")
                    let url = try #require(refused.json["authorizationUrl"]?.stringValue)
                    // While the login waits, every request gets the same URL.
                    let second = try await gateway.request("GET", "/api/v1/mcp/secured/tools")
                    #expect(second.json["authorizationUrl"]?.stringValue == url)
                    // The authorization server's redirect, not followed: the callback URL.
                    let location = try await Self.shell(
                        #"curl -s -o /dev/null --max-time 20 -w '%{redirect_url}' "$URL""#, ["URL": url])
                    let callback = try #require(URLComponents(string: location))
                    #expect(callback.path == "/oauth/callback", "\(location)")
                    var forged = callback
                    forged.queryItems = callback.queryItems?.map {
                        $0.name == "state" ? URLQueryItem(name: "state", value: "forged") : $0
                    }
                    let query = try #require(forged.percentEncodedQuery)
                    #expect(try await gateway.request("GET", "/oauth/callback?" + query, apiKey: "").status == 400)
                    #expect(try await gateway.request("GET", "/oauth/callback", apiKey: "").status == 400)
                    #expect(try await gateway.request("GET", "/api/v1/mcp/secured/tools").status == 401)
                    let good = try #require(callback.percentEncodedQuery)
                    #expect(try await gateway.request("GET", "/oauth/callback?" + good, apiKey: "").status == 200)
                    #expect(try await gateway.request("GET", "/oauth/callback?" + good, apiKey: "").status == 400)
                    let tools = try await gateway.request("GET", "/api/v1/mcp/secured/tools")
                    #expect(tools.status == 200, "\(tools)")
                }
            }
        }
    }

    @Test("a token the server forgot is refreshed by the gateway, and with no refresh token a new login is asked for")
    func refreshAndRelogin() async throws {
        try await withServer("oauth.py", arguments: []) { server in
            try await withTemporaryDirectory("gateway-oauth-refresh") { home in
                let servers = #"{"secured": {"url": "\#(server.url())", "authType": "oauth2"}}"#
                try await withGateway(home: home, environment: ["MCP_SERVERS": servers]) { gateway in
                    let refused = try await gateway.request("GET", "/api/v1/mcp/secured/tools")
                    let url = try #require(refused.json["authorizationUrl"]?.stringValue, "\(refused)")
                    #expect(try await Self.browse(url) == "200")
                    let echo = #"{"text": "still here"}"#
                    #expect(
                        try await gateway.request("POST", "/api/v1/mcp/secured/tools/echo", body: echo).status == 200)
                    // The server forgets the access token: the gateway's next request gets 401 and refreshes.
                    let dropped = try await gateway.request("POST", "/api/v1/mcp/secured/tools/drop_tokens", body: "{}")
                    #expect(dropped.status == 200, "\(dropped)")
                    let after = try await gateway.request("POST", "/api/v1/mcp/secured/tools/echo", body: echo)
                    #expect(after.status == 200 && after.json["content"]?[0]?["text"] == "still here", "\(after)")
                    let url2 = try #require(URL(string: server.baseURL + "/stats"))
                    let stats = try JSONValue.parse(Array(try Data(contentsOf: url2)))
                    #expect((stats["grants"]?["refresh_token"]?.intValue ?? 0) >= 1, "\(stats)")
                    // Both tokens forgotten: the call fails as needing a login, and the next request has a new URL.
                    _ = try await gateway.request(
                        "POST", "/api/v1/mcp/secured/tools/drop_tokens", body: #"{"refresh": true}"#)
                    let lost = try await gateway.request("POST", "/api/v1/mcp/secured/tools/echo", body: echo)
                    #expect(lost.status == 401 && lost.json["error"] == "authorization_required", "\(lost)")
                    let next = try await gateway.request("GET", "/api/v1/mcp/secured/tools")
                    #expect(next.status == 401 && next.json["authorizationUrl"]?.stringValue != nil, "\(next)")
                }
            }
        }
    }
}
