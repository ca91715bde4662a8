/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1, RFC 7591 §2).
package enum TokenEndpointAuthMethod: String, Sendable, CaseIterable {
    /// HTTP Basic with the form-encoded id and secret (the default with a secret).
    case clientSecretBasic = "client_secret_basic"
    /// `client_id` and `client_secret` in the form body.
    case clientSecretPost = "client_secret_post"
    /// `client_id` only (a public client).
    case none
}
