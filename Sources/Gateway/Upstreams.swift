import Basics
import MCPClient
import Runner
import WorkflowModel

/// One MCP session per upstream server, shared by every request that uses it.
///
/// An actor owning which `SessionPool` serves which server: the Runner's pool opens one session
/// per server and lets concurrent callers share it, but it lives for one run and keeps a failure
/// for good. A gateway lives long, so this actor gives each server a pool of its own and replaces
/// it when the server could not be reached or its definition was removed.
actor Upstreams {
    private struct Upstream {
        var pool: SessionPool
        var server: ResolvedServer
    }

    private let settings: GatewaySettings
    private let logger: Logger
    private var upstreams: [String: Upstream] = [:]

    init(settings: GatewaySettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// The session for `spec`'s server and its tools, opening it on first use.
    /// - Throws: `RunError` from resolving, connecting or listing.
    func sessionAndTools(for spec: ServerSpec) async throws -> (any ToolSession, [ToolDescription]) {
        let upstream = try upstream(for: spec)
        do {
            return try await upstream.pool.sessionAndTools(for: upstream.server)
        } catch {
            let wrapped = RunError.wrap(error).adding(ErrorContext(server: spec.name))
            if wrapped.code != .timeout { await discard(spec.name, ifPool: upstream.pool) }
            throw wrapped
        }
    }

    /// After a call failed with `error`: a server that could not be reached gets a new session next time.
    func callFailed(_ spec: ServerSpec, _ error: RunError) async {
        guard error.code == .unreachable || error.code == .protocolError || error.code == .unauthorized,
            let upstream = upstreams[spec.name]
        else { return }
        await discard(spec.name, ifPool: upstream.pool)
    }

    /// Closes and forgets the session of `name` (its definition was removed).
    func discard(_ name: String) async {
        guard let upstream = upstreams.removeValue(forKey: name) else { return }
        await upstream.pool.closeAll()
    }

    /// Closes every session (shutdown).
    func closeAll() async {
        let pools = upstreams.values.map(\.pool)
        upstreams = [:]
        await withTaskGroup(of: Void.self) { group in
            for pool in pools { group.addTask { await pool.closeAll() } }
        }
    }

    private func discard(_ name: String, ifPool pool: SessionPool) async {
        // Re-read after the caller's await: another request may have replaced it already.
        guard let current = upstreams[name], current.pool === pool else { return }
        upstreams[name] = nil
        await pool.closeAll()
    }

    private func upstream(for spec: ServerSpec) throws -> Upstream {
        if let upstream = upstreams[spec.name] { return upstream }
        let server = try ServerAccess.resolve(
            spec, secrets: settings.secrets, environment: settings.environment, masker: logger.masker)
        let upstream = Upstream(pool: SessionPool(opener: MCPSessionOpener(), logger: logger), server: server)
        upstreams[spec.name] = upstream
        return upstream
    }
}
