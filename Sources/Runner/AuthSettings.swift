import Basics
import Foundation
import MCPClient
import WorkflowModel

/// Turns a server block's `oauth:` settings into the OAuth client's configuration (contract §2).
package enum AuthSettings {
    /// The client-credentials configuration for `spec` at `url`.
    ///
    /// - Throws: `RunError` `.unauthorized` for a secret method without `clientSecret` (unless
    ///   `requireSecret` is false: a device login's public client).
    package static func clientCredentials(
        _ spec: ServerSpec, url: String, clientID: String, clientSecret: Secret?, environment: [String: String],
        requireSecret: Bool = true
    ) throws -> ClientCredentialsConfig {
        let oauth = spec.oauth
        let method =
            oauth?.tokenEndpointAuthMethod.map(TokenEndpointAuthMethod.init)
            ?? (clientSecret == nil ? .none : .clientSecretBasic)
        if requireSecret, method != .none, clientSecret == nil {
            throw RunError(
                code: .unauthorized,
                message:
                    "server '\(spec.name)' authenticates with '\(method.rawValue)' but has no `oauth.clientSecret`",
                hint: "set `clientSecret: ${{ secrets.NAME }}`, or `tokenEndpointAuthMethod: none` for a public client",
                context: ErrorContext(location: spec.location, server: spec.name))
        }
        return ClientCredentialsConfig(
            serverName: spec.name, serverURL: url, clientID: clientID, clientSecret: clientSecret, authMethod: method,
            scopes: oauth?.scopes, resource: oauth?.resource, metadataURL: oauth?.metadataURL,
            store: TokenStore(directory: TokenStore.defaultDirectory(environment: environment)))
    }
}

extension AuthSettings {
    /// Whether a person may be asked to log in during a run: stdin is a terminal, `CI` is unset,
    /// and the run is not `nonInteractive` (`--non-interactive`).
    package static func isInteractive(environment: [String: String], nonInteractive: Bool) -> Bool {
        isatty(STDIN_FILENO) == 1 && !isCI(environment) && !nonInteractive
    }

    /// Whether `CI` is set to something other than empty, `false` or `0` (contract §7: never wait for a person).
    package static func isCI(_ environment: [String: String]) -> Bool {
        isSet(environment["CI"])
    }

    /// Whether a flag-like variable's `value` is set: anything but absent, empty, `false` or `0`.
    package static func isSet(_ value: String?) -> Bool {
        value.map { !$0.isEmpty && $0 != "false" && $0 != "0" } ?? false
    }

    /// The configuration of an `authType: oauth2` server: the device flow (`oauth.flow: device`,
    /// or `auto`, which takes it when the metadata advertises it), with the same cache and renewal
    /// as client credentials. `interactive` false: cached and refreshed tokens only.
    ///
    /// Without `oauth.clientId` or `oauth.clientMetadataUrl` the device login registers a client
    /// (RFC 7591) on each new login, cached with its tokens.
    ///
    /// - Throws: `RunError` `.unauthorized` for a secret method without `clientSecret`.
    package static func interactive(
        _ spec: ServerSpec, url: String, clientID: String?, clientSecret: Secret?, environment: [String: String],
        interactive: Bool
    ) throws -> ClientCredentialsConfig {
        // `oauth.clientMetadataUrl` without `clientId`: the document's URL is the client id;
        // neither: the device login registers a client (RFC 7591), cached under `dynamic`.
        let metadataDocument = clientID == nil ? spec.oauth?.clientMetadataURL : nil
        let registers = clientID == nil && metadataDocument == nil
        let identityClientID = TokenIdentity.loginClientID(
            configured: clientID, metadataDocumentURL: spec.oauth?.clientMetadataURL)
        let flow: OAuthGrantKind =
            switch spec.oauth?.flow ?? .auto {
            case .auto: .auto
            case .device: .device
            case .browser: .browser
            }
        var config = try clientCredentials(
            spec, url: url, clientID: identityClientID, clientSecret: clientSecret, environment: environment,
            requireSecret: clientSecret != nil)
        config.registersDynamically = registers
        config.grant = flow
        config.interactive = interactive
        config.clientIsMetadataDocument = metadataDocument != nil
        return config
    }
}

extension TokenEndpointAuthMethod {
    /// The method `oauth.tokenEndpointAuthMethod` names.
    init(_ configured: ServerSpec.OAuth.TokenEndpointAuthMethod) {
        switch configured {
        case .clientSecretBasic: self = .clientSecretBasic
        case .clientSecretPost: self = .clientSecretPost
        case .none: self = .none
        }
    }
}
