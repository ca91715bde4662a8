import Basics
import MCPClient
import WorkflowModel

/// Turns a server block's `oauth:` settings into the OAuth client's configuration (contract §2).
package enum AuthSettings {
    /// The client-credentials configuration for `spec` at `url`.
    ///
    /// - Throws: `RunError` `.unauthorized` for an unknown `tokenEndpointAuthMethod`, or a secret
    ///   method without `clientSecret` (unless `requireSecret` is false: `auth status` and
    ///   `logout` only need the cache identity).
    package static func clientCredentials(
        _ spec: ServerSpec, url: String, clientID: String, clientSecret: Secret?, environment: [String: String],
        requireSecret: Bool = true
    ) throws -> ClientCredentialsConfig {
        let oauth = spec.oauth
        let method: TokenEndpointAuthMethod
        if let name = oauth?.tokenEndpointAuthMethod {
            guard let known = TokenEndpointAuthMethod(rawValue: name) else {
                throw RunError(
                    code: .unauthorized, message: "unknown oauth.tokenEndpointAuthMethod '\(name)'",
                    hint: "use \(TokenEndpointAuthMethod.allCases.map(\.rawValue).quotedList)",
                    context: ErrorContext(location: spec.location, server: spec.name))
            }
            method = known
        } else {
            method = clientSecret == nil ? .none : .clientSecretBasic
        }
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
