import Basics

/// `oauth.flow: auto` (contract §2): the device grant when the authorization server advertises it
/// (and, for a metadata-document client, supports such clients), else the browser login.
///
/// Decided each time a token is needed, from the discovered metadata, so it needs no memory:
/// a provider discovers once, so every later login decides the same way.
package struct DeviceOrBrowserGrant: TokenGrant {
    /// The device login, asked first.
    package var device: DeviceCodeGrant
    /// The browser login, when the device login is not available.
    package var browser: AuthorizationCodeGrant

    /// The device login, else the browser login.
    package init(device: DeviceCodeGrant, browser: AuthorizationCodeGrant) {
        self.device = device
        self.browser = browser
    }

    package var needsPerson: Bool { true }

    /// A browser login may hold the lock as long as its limit.
    package var lockTimeout: Duration { browser.lockTimeout }

    /// The device grant's client: the configured one (its id may be the metadata document's URL),
    /// else the registration cached with `token`; the browser's would be the same.
    package func client(for token: StoredToken) -> OAuthClient? { device.client(for: token) }

    /// The device grant's, which the browser grant shares.
    package var preRegisteredClientID: String? { device.preRegisteredClientID }

    package func obtain(_ request: GrantRequest) async throws -> StoredToken {
        if device.isAvailable(at: request.discovery.metadata) { return try await device.obtain(request) }
        // No device endpoint, or a metadata-document client the server cannot resolve: the
        // browser login can still log in (it falls back to dynamic registration).
        request.logger.trace(
            "[\(request.serverName)] oauth: the device login is not available here; using the browser login")
        return try await browser.obtain(request)
    }
}
