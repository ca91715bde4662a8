import Foundation
import TestSupport
import Testing

/// `oauth.flow` and `oauth.tokenEndpointAuthMethod` are checked when the file is loaded, wherever
/// the server is declared (issue #9): a typo fails `validate` with `file:line:col` and exit 2,
/// before any server is started.
@Suite("oauth settings checked at load time", .timeLimit(.minutes(2)))
struct AuthConfigurationTests {
    private static let workflow = """
        servers:
          secured:
            url: https://example.test/mcp
            authType: oauth2
            oauth:
              clientId: web-public
              flow: browsr
              tokenEndpointAuthMethod: basic
        steps:
          - id: a
            server: secured
            tool: whoami
        """

    @Test("a misspelt flow and an unknown auth method in a workflow fail validate with their positions")
    func workflowFile() async throws {
        let folder = try temporaryDirectory("oauth-config")
        let path = folder + "/flow.yaml"
        try Self.workflow.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await runMCPRun(["validate", path])
        #expect(run.exitCode == 2, "\(run)")
        #expect(
            run.stderr.contains(
                "\(path):7:13: server 'secured': oauth flow must be one of 'auto', 'browser' and 'device', not 'browsr'"
            ),
            "\(run)")
        #expect(run.stderr.contains("did you mean 'browser'?"), "\(run)")
        #expect(
            run.stderr.contains(
                "\(path):8:32: server 'secured': oauth tokenEndpointAuthMethod must be one of 'client_secret_basic', 'client_secret_post' and 'none', not 'basic'"
            ), "\(run)")
    }

    @Test("the same checks apply to a --servers file and to MCP_SERVERS")
    func serversFileAndEnvironment() async throws {
        let folder = try temporaryDirectory("oauth-config")
        let flow = folder + "/flow.yaml"
        try "steps:\n  - id: a\n    server: secured\n    tool: whoami\n".write(
            toFile: flow, atomically: true, encoding: .utf8)
        let servers = folder + "/servers.json"
        try """
        {"secured": {"url": "https://example.test/mcp", "authType": "oauth2",
          "oauth": {"clientId": "web-public", "flow": "browsr"}}}
        """.write(toFile: servers, atomically: true, encoding: .utf8)
        let fromFile = try await runMCPRun(["validate", flow, "--servers", servers])
        #expect(fromFile.exitCode == 2, "\(fromFile)")
        #expect(fromFile.stderr.contains("\(servers):2:47: server 'secured': oauth flow must be one of"), "\(fromFile)")
        #expect(fromFile.stderr.contains("did you mean 'browser'?"), "\(fromFile)")

        let environment = [
            "MCP_SERVERS":
                #"{"secured": {"url": "https://example.test/mcp", "authType": "oauth2-client-credentials", "oauth": {"clientId": "ci", "tokenEndpointAuthMethod": "basic"}}}"#
        ]
        let fromEnvironment = try await runMCPRun(["validate", flow], environment: environment)
        #expect(fromEnvironment.exitCode == 2, "\(fromEnvironment)")
        #expect(
            fromEnvironment.stderr.contains("MCP_SERVERS:1:") && fromEnvironment.stderr.contains("not 'basic'"),
            "\(fromEnvironment)")
    }
}
