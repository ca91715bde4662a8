import Basics
import Foundation
import MCPClient

/// The gateway's side of browser logins (contract §9): the grant's `LoginUI` and `RedirectTarget`.
///
/// A login started by a request shows its authorization URL here (the request answers 401 with
/// it) and waits for its redirect at `<public-url>/oauth/callback`, which `complete(query:)`
/// hands over: the `state` picks the login, and is used once. Its state is shared with
/// synchronous callers (the grant's `LoginUI` calls, the redirect's registration), so it sits
/// behind one `Locked` instead of an actor; nothing slow happens under the lock.
final class LoginRelay: LoginUI, RedirectTarget {
    private struct State {
        /// The URL of each server's login in progress.
        var urls: [String: String] = [:]
        /// Requests waiting for a server's URL.
        var urlWaiters: [String: [Int: CheckedContinuation<String?, Never>]] = [:]
        var nextWaiter = 0
        /// The logins waiting for their redirect, by state.
        var pending: [String: Redirect] = [:]
    }

    private let state = Locked(State())  // shared with the grant's synchronous calls
    private let redirectURI: String

    /// Whether a login may start in this task: only in a server's opening (`Upstreams`), which
    /// outlives the request that started it. A login needed during a tool call fails at once
    /// instead (the call is not made); the router then opens the server anew, whose login
    /// gives the 401 its URL. A login inside a call would wait for a person with the call held,
    /// and the call would run minutes later, after its client got its answer.
    @TaskLocal static var mayStartLogin = false

    /// A relay whose redirect URI is `<publicURL>/oauth/callback`.
    init(publicURL: String) {
        redirectURI = publicURL + "/oauth/callback"
    }

    // MARK: - LoginUI

    func showAuthorizationURL(_ url: String, server: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<String?, Never>] in
            state.urls[server] = url
            return Array((state.urlWaiters.removeValue(forKey: server) ?? [:]).values)
        }
        for waiter in waiters { waiter.resume(returning: url) }
    }

    func pastedRedirects() -> AsyncStream<String>? { nil }
    func rejectPastedLine() {}
    func showDeviceCode(server: String, verificationURL: String, userCode: String, expiresIn: Int) {}

    // MARK: - RedirectTarget

    func expect(state expected: String, serverName: String) throws(ClientError) -> any PendingRedirect {
        guard Self.mayStartLogin else {
            throw ClientError(
                code: .unauthorized(401), message: "server '\(serverName)' needs a new OAuth login",
                hint: "retry the request: the gateway answers with the login's authorizationUrl",
                context: ErrorContext(server: serverName))
        }
        let redirect = Redirect(redirectURI: redirectURI, expectedState: expected, server: serverName) { [weak self] in
            self?.state.withLock { $0.pending[expected] = nil }
        }
        state.withLock { $0.pending[expected] = redirect }
        return redirect
    }

    // MARK: - For the routes

    /// The URL of `server`'s login in progress, if one is.
    func loginURL(for server: String) -> String? { state.withLock { $0.urls[server] } }

    /// Forgets `server`'s login URL (its login ended).
    func loginEnded(for server: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<String?, Never>] in
            state.urls[server] = nil
            return Array((state.urlWaiters.removeValue(forKey: server) ?? [:]).values)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// The next login URL shown for `server` (nil when its login ended first); cancellation ends
    /// the wait with nil.
    func nextLoginURL(for server: String) async -> String? {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
                let now = state.withLock { state -> String?? in
                    if let url = state.urls[server] { return .some(url) }
                    if Task.isCancelled { return .some(nil) }
                    state.urlWaiters[server, default: [:]][id] = continuation
                    return .none
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            state.withLock { $0.urlWaiters[server]?.removeValue(forKey: id) }?.resume(returning: nil)
        }
    }

    /// Hands the redirect with `items` to the login whose state it carries, once. False when no
    /// login waits for that state (missing, wrong, or already used).
    func complete(_ items: [URLQueryItem]) -> Bool {
        guard let key = items.first(where: { $0.name == "state" })?.value,
            let redirect = state.withLock({ shared -> Redirect? in
                guard let redirect = shared.pending.removeValue(forKey: key) else { return nil }
                // The login now exchanges its code: a request arriving meanwhile waits for it
                // instead of being sent to a login page that is already used.
                shared.urls[redirect.server] = nil
                return redirect
            }),
            let response = redirect.response(to: items)
        else { return false }
        redirect.deliver(response)
        return true
    }
}

/// One login's wait for its redirect at the gateway's callback route.
private final class Redirect: PendingRedirect {
    let redirectURI: String
    let server: String
    private let expectedState: String
    private let stream: AsyncStream<AuthorizationResponse>
    private let sink: AsyncStream<AuthorizationResponse>.Continuation
    private let onClose: @Sendable () -> Void

    init(redirectURI: String, expectedState: String, server: String, onClose: @escaping @Sendable () -> Void) {
        self.redirectURI = redirectURI
        self.server = server
        self.expectedState = expectedState
        self.onClose = onClose
        (stream, sink) = AsyncStream<AuthorizationResponse>.makeStream()
    }

    func next() async -> AuthorizationResponse? {
        for await response in stream { return response }
        return nil
    }

    func response(to items: [URLQueryItem]) -> AuthorizationResponse? {
        func value(_ name: String) -> String? { items.first(where: { $0.name == name })?.value }
        guard value("state") == expectedState else { return nil }
        if let error = value("error") {
            let text = error + (value("error_description").map { " (\($0)" + ")" } ?? "")
            return .refused(String(TerminalText.neutralized(String(text.prefix(200)))))
        }
        guard let code = value("code"), !code.isEmpty else { return nil }
        return .code(Secret.credential(code), issuer: value("iss"))
    }

    func deliver(_ response: AuthorizationResponse) {
        sink.yield(response)
        sink.finish()
    }

    func close() {
        sink.finish()
        onClose()
    }
}
