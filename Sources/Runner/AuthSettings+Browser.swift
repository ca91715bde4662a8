import Basics
import Foundation
import MCPClient
import WorkflowModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension AuthSettings {
    /// The browser-flow configuration for `spec` (`authType: oauth2`, `oauth.flow: browser` or
    /// `auto`) at `url`.
    ///
    /// `login` is true for `mcp-run auth login` (a login is what was asked for); otherwise a login
    /// may start only when stdin is a terminal, `CI` is unset and `--non-interactive` was not given.
    /// The redirected URL is also accepted on stdin with `--no-browser`, or when there is no
    /// display and stdin is a terminal.
    ///
    /// - Throws: `RunError` `.unauthorized` for a secret method without `clientSecret`.
    package static func browserFlow(
        _ spec: ServerSpec, url: String, clientID: String?, clientSecret: Secret?, environment: [String: String],
        login: Bool, noBrowser: Bool = false, nonInteractive: Bool = false
    ) throws -> BrowserFlowConfig {
        var client: OAuthClient?
        if let clientID {
            let config = try clientCredentials(
                spec, url: url, clientID: clientID, clientSecret: clientSecret, environment: environment)
            client = OAuthClient(id: clientID, secret: clientSecret, method: config.authMethod, isDynamic: false)
        }
        let stdinIsTerminal = isatty(STDIN_FILENO) == 1
        let ci = isCI(environment)
        let mayLogIn = !nonInteractive && !ci && (login || stdinIsTerminal)
        let hasDisplay = environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil
        let interaction = LoginInteraction(
            mayLogIn: mayLogIn, acceptPaste: stdinIsTerminal && (noBrowser || !hasDisplay) || (login && noBrowser),
            openBrowser: !noBrowser, isTerminal: isatty(STDERR_FILENO) == 1, environment: environment,
            tell: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
        var config = BrowserFlowConfig(
            serverName: spec.name, serverURL: url, client: client, scopes: spec.oauth?.scopes,
            resource: spec.oauth?.resource, metadataURL: spec.oauth?.metadataURL,
            redirectPort: spec.oauth?.redirectPort,
            store: TokenStore(directory: TokenStore.defaultDirectory(environment: environment)),
            interaction: interaction)
        config.clientMetadataURL = spec.oauth?.clientMetadataURL
        return config
    }
}
