/// A `LoginUI` with nobody behind it: it shows nothing and accepts no paste. A provider given
/// it is normally also told it may not ask a person, so no login starts.
package struct SilentLoginUI: LoginUI {
    /// Creates it.
    package init() {}

    package func showAuthorizationURL(_ url: String, server: String) {}
    package func pastedRedirects() -> AsyncStream<String>? { nil }
    package func rejectPastedLine() {}
    package func showDeviceCode(server: String, verificationURL: String, userCode: String, expiresIn: Int) {}
}
