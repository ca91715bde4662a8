import Basics
import Foundation
import HTTP

/// An OAuth client as the token endpoint sees it: pre-registered from the server block, or
/// registered dynamically (RFC 7591) and cached with the tokens.
package struct OAuthClient: Sendable {
    /// The `client_id`.
    package var id: String
    /// The `client_secret`, if the client has one.
    package var secret: Secret?
    /// How it authenticates at the token endpoint.
    package var method: TokenEndpointAuthMethod
    /// Whether it was registered dynamically (so a server that forgot it may get a new one).
    package var isDynamic: Bool

    /// The pre-registered client of a server block (`oauth.clientId`, `clientSecret`,
    /// `tokenEndpointAuthMethod`), or a client ID metadata document's URL used as the id.
    package static func configured(id: String, secret: Secret?, method: TokenEndpointAuthMethod) -> OAuthClient {
        OAuthClient(id: id, secret: secret, method: method, isDynamic: false)
    }

    /// Adds the client's credentials to `form` per `method` (RFC 6749 §2.3.1); returns the headers
    /// to send (HTTP Basic for `client_secret_basic`).
    func authenticate(_ form: inout [(String, OAuthHTTP.FormValue)]) -> [HTTPHeader] {
        switch (method, secret) {
        case (.clientSecretBasic, let secret?):
            let pair = secret.withRevealedValue { OAuthHTTP.formEncode(id) + ":" + OAuthHTTP.formEncode($0) }
            let value = Secret.credential("Basic " + Data(pair.utf8).base64EncodedString())
            return [HTTPHeader(name: "Authorization", value: .secret(value))]
        case (.clientSecretPost, let secret?):
            form.append(("client_id", .plain(id)))
            form.append(("client_secret", .secret(secret)))
            return []
        default:
            form.append(("client_id", .plain(id)))
            return []
        }
    }
}
