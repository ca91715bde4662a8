import Basics
import Foundation
import MCPClient
import WorkflowModel

/// Turns a server block's `oauth:` settings into its token provider (contract §2): which grant
/// obtains its tokens, which client it authenticates as, and where the tokens are cached.
package enum AuthSettings {
    /// The token provider of `spec` (`authType: oauth2` or `oauth2-client-credentials`) at `url`,
    /// its `oauth.clientId` and `clientSecret` templates already evaluated.
    ///
    /// `oauth2-client-credentials` obtains tokens with the client's own credentials. `oauth2`
    /// has a person log in: the device login (`oauth.flow: device`), the browser login
    /// (`browser`), or the device login where the authorization server advertises it and the
    /// browser login elsewhere (`auto`). Without `oauth.clientId` the login uses
    /// `oauth.clientMetadataUrl` as the client id, or registers a client (RFC 7591) at each new
    /// login, cached with its tokens.
    ///
    /// - Parameters:
    ///   - mayAskPerson: whether a login may start (`isInteractive`, or `auth login`'s rule).
    ///   - ui: where a login talks to the person.
    ///   - redirectTarget: where a browser login's redirect lands (the gateway's callback route);
    ///     with one, `oauth2` always logs in through the browser. Nil: the loopback listener.
    /// - Throws: `RunError` `.unauthorized` for a secret method without `clientSecret` (a device
    ///   login's public client may go without); `.invalidInput` for client credentials without
    ///   `clientId`.
    package static func tokenProvider(
        _ spec: ServerSpec, url: String, clientID: String?, clientSecret: Secret?, environment: [String: String],
        mayAskPerson: Bool, ui: any LoginUI, logger: Logger, redirectTarget: (any RedirectTarget)? = nil
    ) throws -> TokenProvider {
        let oauth = spec.oauth
        let here = ErrorContext(location: spec.location, server: spec.name)
        /// The configured client `id`, authenticating as `oauth.tokenEndpointAuthMethod` says.
        func configured(_ id: String, requireSecret: Bool) throws -> OAuthClient {
            let method =
                oauth?.tokenEndpointAuthMethod.map(TokenEndpointAuthMethod.init)
                ?? (clientSecret == nil ? .none : .clientSecretBasic)
            if requireSecret, method != .none, clientSecret == nil {
                throw RunError(
                    code: .unauthorized,
                    message:
                        "server '\(spec.name)' authenticates with '\(method.rawValue)' but has no `oauth.clientSecret`",
                    hint:
                        "set `clientSecret: ${{ secrets.NAME }}`, or `tokenEndpointAuthMethod: none` for a public client",
                    context: here)
            }
            return .configured(id: id, secret: clientSecret, method: method)
        }
        let grant: any TokenGrant
        let identityClientID: String
        if spec.authType == .oauth2 {
            identityClientID = TokenIdentity.loginClientID(
                configured: clientID, metadataDocumentURL: oauth?.clientMetadataURL)
            func device() throws -> DeviceCodeGrant {
                // `oauth.clientMetadataUrl` without `clientId`: the document's URL is the client id.
                let metadataDocument = clientID == nil ? oauth?.clientMetadataURL : nil
                return DeviceCodeGrant(
                    client: try (clientID ?? metadataDocument).map {
                        try configured($0, requireSecret: clientSecret != nil)
                    },
                    clientIsMetadataDocument: metadataDocument != nil)
            }
            func browser() throws -> AuthorizationCodeGrant {
                AuthorizationCodeGrant(
                    client: try clientID.map { try configured($0, requireSecret: true) },
                    clientMetadataURL: oauth?.clientMetadataURL,
                    redirectPort: redirectTarget == nil ? oauth?.redirectPort : nil, redirectTarget: redirectTarget)
            }
            switch redirectTarget == nil ? oauth?.flow ?? .auto : .browser {
            case .device: grant = try device()
            case .browser: grant = try browser()
            case .auto: grant = DeviceOrBrowserGrant(device: try device(), browser: try browser())
            }
        } else {
            guard let clientID else {
                throw RunError(
                    code: .invalidInput, message: "server '\(spec.name)' has no `oauth.clientId`", context: here)
            }
            identityClientID = clientID
            grant = ClientCredentialsGrant(client: try configured(clientID, requireSecret: true))
        }
        let settings = TokenProvider.Settings(
            serverName: spec.name, serverURL: url,
            identity: TokenIdentity(serverURL: url, clientID: identityClientID, scopes: oauth?.scopes ?? []),
            scopes: oauth?.scopes, resource: oauth?.resource, metadataURL: oauth?.metadataURL,
            store: TokenStore(directory: TokenStore.defaultDirectory(environment: environment)),
            mayAskPerson: mayAskPerson)
        return TokenProvider(settings: settings, grant: grant, ui: ui, logger: logger)
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
