import Basics
import MCPClient
import Runner
import WorkflowModel

/// One MCP session per upstream server, shared by every request that uses it.
///
/// An actor owning which `SessionPool` serves which server, and each server's opening: the
/// Runner's pool opens one session per server and lets concurrent callers share it, but it lives
/// for one run and keeps a failure for good. A gateway lives long, so this actor gives each
/// server a pool of its own and replaces it when the server could not be reached or its
/// definition was removed. The opening runs in a task of its own, so a browser login started by
/// one request (which answers 401 with the login's URL at once) goes on after that request.
actor Upstreams {
    private struct Upstream {
        var pool: SessionPool
        var server: ResolvedServer
        var opening: Opening
        var task: Task<Void, Never>
    }

    private let settings: GatewaySettings
    private let logger: Logger
    private let relay: LoginRelay
    private var upstreams: [String: Upstream] = [:]

    init(settings: GatewaySettings, logger: Logger, relay: LoginRelay) {
        self.settings = settings
        self.logger = logger
        self.relay = relay
    }

    /// The session for `spec`'s server and its tools, opening it on first use.
    /// - Throws: `GatewayError` 401 `authorization_required` with the login's URL while a browser
    ///   login is needed; `RunError` from resolving, connecting or listing.
    func sessionAndTools(for spec: ServerSpec) async throws -> (any ToolSession, [ToolDescription]) {
        if let url = relay.loginURL(for: spec.name) { throw Self.authorizationRequired(spec.name, url) }
        let opening = try upstream(for: spec).opening
        let relay = self.relay
        let name = spec.name
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            group.addTask { .opened(try await opening.value()) }
            group.addTask { .loginShown(await relay.nextLoginURL(for: name)) }
            defer { group.cancelAll() }
            while let outcome = try await group.next() {
                switch outcome {
                case .opened(let value): return value
                case .loginShown(let url?): throw Self.authorizationRequired(name, url)
                case .loginShown(nil): continue  // a login ended: the opening decides
                }
            }
            throw CancellationError()
        }
    }

    private enum Outcome: Sendable {
        case opened((any ToolSession, [ToolDescription]))
        case loginShown(String?)
    }

    /// 401 with the URL that completes the login (contract §9).
    static func authorizationRequired(_ server: String, _ url: String) -> GatewayError {
        GatewayError(
            status: 401, code: "authorization_required",
            message: "server '\(server)' needs an OAuth login: open authorizationUrl in a browser, then retry",
            details: ["authorizationUrl": .string(url), "server": .string(server)])
    }

    /// After a call failed with `error`: a server that could not be reached gets a new session next time.
    func callFailed(_ spec: ServerSpec, _ error: RunError) async {
        guard error.code == .unreachable || error.code == .protocolError || error.code == .unauthorized,
            let upstream = upstreams[spec.name]
        else { return }
        await discard(spec.name, ifOpening: upstream.opening)
    }

    /// Closes and forgets the session of `name` (its definition was removed, or its tokens revoked).
    func discard(_ name: String) async {
        guard let upstream = upstreams.removeValue(forKey: name) else { return }
        upstream.task.cancel()
        relay.loginEnded(for: name)
        await upstream.pool.closeAll()
    }

    /// Cancels every opening (and login) and closes every session (shutdown).
    func closeAll() async {
        let all = Array(upstreams.values)
        upstreams = [:]
        for upstream in all { upstream.task.cancel() }
        await withTaskGroup(of: Void.self) { group in
            for upstream in all { group.addTask { await upstream.pool.closeAll() } }
        }
    }

    private func discard(_ name: String, ifOpening opening: Opening) async {
        // Re-read after the caller's await: another request may have replaced it already.
        guard let current = upstreams[name], current.opening === opening else { return }
        upstreams[name] = nil
        current.task.cancel()
        await current.pool.closeAll()
    }

    /// The opening ended: a login URL is stale; a failure other than a timeout drops the pool.
    private func openingEnded(_ name: String, _ opening: Opening, error: (any Error)?) async {
        relay.loginEnded(for: name)
        guard let error else { return }
        if RunError.wrap(error).code != .timeout { await discard(name, ifOpening: opening) }
    }

    private func upstream(for spec: ServerSpec) throws -> Upstream {
        if let upstream = upstreams[spec.name] { return upstream }
        let server = try ServerAccess.resolve(
            spec, secrets: settings.secrets, environment: settings.environment, masker: logger.masker,
            login: (ui: relay, redirectTarget: relay))
        let pool = SessionPool(opener: MCPSessionOpener(), logger: logger)
        let opening = Opening()
        let name = spec.name
        // Owned task: the server's opening, which a browser login may keep waiting for minutes;
        // kept in `upstreams` and cancelled by `discard` and `closeAll`.
        let task = Task {
            do {
                let value = try await LoginRelay.$mayStartLogin.withValue(true) {
                    try await pool.sessionAndTools(for: server)
                }
                opening.finish(.success(value))
                await self.openingEnded(name, opening, error: nil)
            } catch {
                let wrapped = RunError.wrap(error).adding(ErrorContext(server: name))
                opening.finish(.failure(wrapped))
                await self.openingEnded(name, opening, error: wrapped)
            }
        }
        let upstream = Upstream(pool: pool, server: server, opening: opening, task: task)
        upstreams[spec.name] = upstream
        return upstream
    }
}

/// The outcome of one server's opening, awaited by any number of requests, each of which may
/// stop waiting (cancellation) without ending the opening. State behind a `Locked`: it is set
/// from the opening's task and read by waiters' cancellation handlers, which are synchronous.
final class Opening: Sendable {
    typealias Value = (any ToolSession, [ToolDescription])

    private struct State {
        var result: Result<Value, any Error>?
        var waiters: [Int: CheckedContinuation<Value, any Error>] = [:]
        var nextID = 0
    }

    private let state = Locked(State())  // see the type's comment

    /// Records the outcome and resumes every waiter.
    func finish(_ result: Result<Value, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value, any Error>] in
            state.result = result
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// The outcome, once there is one.
    /// - Throws: the opening's error; `CancellationError` when the waiting task is cancelled.
    func value() async throws -> Value {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                let ready = state.withLock { state -> Result<Value, any Error>? in
                    if let result = state.result { return result }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }
}
