/// Everything an OAuth login says to, or asks of, a person: the command line implements it with
/// its terminal and the person's browser. The OAuth code itself never writes to stderr, reads
/// stdin or starts a program.
///
/// Called from the token provider's task; implementations return at once (they print, start a
/// program without waiting for it, or hand back a stream).
package protocol LoginUI: Sendable {
    /// Shows the authorization URL of a browser login to `server`, and opens it in a browser
    /// where the person's setup allows (MCP 2025-11-25, Authorization). `url` has passed
    /// `BrowserLauncher.refusal(of:)`: https (or http on loopback), no spaces or control characters.
    func showAuthorizationURL(_ url: String, server: String)

    /// The lines the person pastes (the URL the browser was redirected to), when a login accepts
    /// one; nil when it waits for the loopback redirect only. Called once per login, after
    /// `showAuthorizationURL`; the login stops reading (ending the stream) when it is over.
    func pastedRedirects() -> AsyncStream<String>?

    /// Tells the person that a pasted line was not this login's redirect.
    func rejectPastedLine()

    /// Shows a device login's instructions (RFC 8628 §3.3) for `server`: where to go
    /// (`verification_uri_complete`, else `verification_uri`), the `user_code` to enter, and the
    /// seconds until it expires. The remote texts are already cleaned for a terminal.
    func showDeviceCode(server: String, verificationURL: String, userCode: String, expiresIn: Int)
}
