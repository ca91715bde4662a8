import Foundation

/// Where a browser login's redirect lands (RFC 6749 §3.1.2): the loopback listener of the command
/// line (`LoopbackCallback`, the default), or a service's own callback route (the gateway's
/// `<public-url>/oauth/callback`), which hands the redirect to the waiting login.
package protocol RedirectTarget: Sendable {
    /// Starts waiting for the redirect carrying `state` for a login to `serverName`.
    /// - Throws: `ClientError` `.unauthorized` when no wait can be started.
    func expect(state: String, serverName: String) throws(ClientError) -> any PendingRedirect
}

/// One login's wait for its redirect.
package protocol PendingRedirect: Sendable {
    /// The redirect URI to register and send.
    var redirectURI: String { get }
    /// The first redirect with the expected state; nil when `close()` ended the wait. Suspends
    /// without blocking the pool; the caller bounds it.
    func next() async -> AuthorizationResponse?
    /// The response for a redirect's query items, or nil when the state is missing or wrong.
    func response(to items: [URLQueryItem]) -> AuthorizationResponse?
    /// Ends the wait; idempotent.
    func close()
}

extension LoopbackCallback: PendingRedirect {}
