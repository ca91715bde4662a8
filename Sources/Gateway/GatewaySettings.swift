import Basics
import Foundation
import WorkflowModel

/// What `mcp-run serve` was started with (contract §9).
package struct GatewaySettings: Sendable {
    /// The key every `/api/v1/…` request must carry in `X-API-Key` (`MCP_RUN_API_KEY`).
    package var apiKey: Secret
    /// The URL the gateway is reached at from outside (behind its proxy); OAuth redirects go to
    /// `<publicURL>/oauth/callback`.
    package var publicURL: String
    /// Servers from `MCP_SERVERS` and `--servers`: listed and used, never changed through the API.
    package var fixedServers: [String: ServerSpec]
    /// Those servers' definitions as written, when they were JSON (shown with secrets masked).
    package var fixedDefinitions: [String: JSONValue]
    /// `--secrets` entries, for `${{ secrets.NAME }}` in fixed servers.
    package var secrets: [String: Secret]
    /// The process environment (`${{ env.NAME }}`, the token cache's folder).
    package var environment: [String: String]
    /// The file servers registered through the API are kept in (0600, replaced atomically).
    package var registryPath: String
    /// `--workflows DIR`: `POST /api/v1/workflows/NAME/run` runs `DIR/NAME.yaml`; nil: no workflows.
    package var workflowsDirectory: String?
    /// The bound on answering one request, upstream calls included; past it the answer is 504.
    package var requestLimit = Duration.seconds(120)

    /// Creates the settings.
    package init(
        apiKey: Secret, publicURL: String, fixedServers: [String: ServerSpec], fixedDefinitions: [String: JSONValue],
        secrets: [String: Secret], environment: [String: String], registryPath: String
    ) {
        self.apiKey = apiKey
        self.publicURL = publicURL
        self.fixedServers = fixedServers
        self.fixedDefinitions = fixedDefinitions
        self.secrets = secrets
        self.environment = environment
        self.registryPath = registryPath
    }

    /// `$MCP_RUN_HOME/gateway-servers.json`, else under `$XDG_CONFIG_HOME/mcp-run` or `~/.config/mcp-run`
    /// (the folder the token cache lives in).
    package static func defaultRegistryPath(environment: [String: String]) -> String {
        let folder: String
        if let home = environment["MCP_RUN_HOME"], !home.isEmpty {
            folder = home
        } else if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
            folder = config + "/mcp-run"
        } else {
            folder = (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.config/mcp-run"
        }
        return folder + "/gateway-servers.json"
    }
}
