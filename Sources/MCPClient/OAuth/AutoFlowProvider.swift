import Basics
import HTTP

/// Thrown by the device grant under `oauth.flow: auto` when the authorization server advertises
/// no `device_authorization_endpoint`: the caller should use the browser flow instead.
package struct DeviceFlowUnavailable: Error, Sendable {
    /// The server whose authorization server has no device endpoint.
    package var serverName: String
}

/// `oauth.flow: auto` (contract §2): the device grant when the authorization server advertises
/// it, else the browser flow (authorization code + PKCE).
///
/// An actor: it asks the device provider first, and once that reports `DeviceFlowUnavailable`,
/// it remembers the answer and sends every later question to the browser provider. Both
/// providers share the token cache and its per-identity lock.
package actor AutoFlowProvider: AuthorizationProvider {
    private let device: any AuthorizationProvider
    private let browser: any AuthorizationProvider
    private var usesBrowser = false

    /// A provider choosing between `device` and `browser`.
    package init(device: any AuthorizationProvider, browser: any AuthorizationProvider) {
        self.device = device
        self.browser = browser
    }

    package func currentAuthorization(logger: Logger) async throws -> HTTPHeader? {
        try await choose(logger) { try await $0.currentAuthorization(logger: logger) }
    }

    package func authorizationAfterUnauthorized(
        challenges: [String], rejected: HTTPHeader?, logger: Logger
    ) async throws -> HTTPHeader {
        try await choose(logger) {
            try await $0.authorizationAfterUnauthorized(challenges: challenges, rejected: rejected, logger: logger)
        }
    }

    package func authorizationAfterForbidden(
        challenges: [String], rejected: HTTPHeader?, logger: Logger
    ) async throws -> HTTPHeader? {
        try await choose(logger) {
            try await $0.authorizationAfterForbidden(challenges: challenges, rejected: rejected, logger: logger)
        }
    }

    private func choose<R: Sendable>(
        _ logger: Logger, _ body: (any AuthorizationProvider) async throws -> R
    ) async throws -> R {
        if usesBrowser { return try await body(browser) }
        do {
            return try await body(device)
        } catch let error as DeviceFlowUnavailable {
            logger.trace("[\(error.serverName)] oauth: the device login is not available here; using the browser login")
            usesBrowser = true
            return try await body(browser)
        }
    }
}
