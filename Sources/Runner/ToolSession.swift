import Basics
import MCPClient

/// What the runner needs from a connected server; `ServerSession` conforms, and tests use fakes.
package protocol ToolSession: Sendable {
    /// The server's tools, following pagination.
    func listTools() async throws -> [ToolDescription]
    /// Calls a tool; a result with `isError: true` is returned, not thrown.
    ///
    /// With a `progressToken`, the request carries it (`_meta.progressToken`), so the server's
    /// `notifications/progress` for this call name it.
    func callTool(
        _ name: String, arguments: JSONValue, timeout: Duration?, progressToken: JSONValue?
    ) async throws -> JSONValue
    /// Reads a resource.
    func readResource(_ uri: String, timeout: Duration?) async throws -> JSONValue
    /// Gets a prompt.
    func getPrompt(_ name: String, arguments: JSONValue, timeout: Duration?) async throws -> JSONValue
    /// Ends the session; idempotent.
    func close() async
    /// How the session is connected, for the results document: `transport`, `protocolVersion`.
    func connection() async -> JSONValue
}

extension ToolSession {
    /// Nothing known (test fakes).
    package func connection() async -> JSONValue { .null }
}

/// Opens sessions for named servers.
package protocol SessionOpener: Sendable {
    /// Connects to `server` and initializes an MCP session whose notifications and elicitation
    /// requests go to `events`.
    func open(_ server: ResolvedServer, logger: Logger, events: SessionEvents) async throws -> any ToolSession
}

/// Where a session sends what the server initiates; both closures run on the session's read
/// loop and must return quickly.
package struct SessionEvents: Sendable {
    /// Receives `notifications/message`, `notifications/progress` and other notifications.
    package var notification: @Sendable (ServerNotification) -> Void
    /// Answers `elicitation/create` (its params → the result object); nil declines.
    package var elicitation: (@Sendable (JSONValue) -> JSONValue)?

    /// Events that go nowhere: notifications are dropped, elicitations declined.
    package static let none = SessionEvents(notification: { _ in }, elicitation: nil)

    /// Creates the handlers.
    package init(
        notification: @escaping @Sendable (ServerNotification) -> Void,
        elicitation: (@Sendable (JSONValue) -> JSONValue)?
    ) {
        self.notification = notification
        self.elicitation = elicitation
    }
}

/// A server definition with every template evaluated, ready to connect.
package struct ResolvedServer: Sendable {
    package var name: String
    /// The connection config, auth headers included (secret-valued).
    package var config: ServerConfig
}

extension ServerSession: ToolSession {
    package func connection() async -> JSONValue {
        ["transport": .string(await transportName), "protocolVersion": .string(protocolVersion)]
    }

    package func callTool(
        _ name: String, arguments: JSONValue, timeout: Duration?, progressToken: JSONValue?
    ) async throws -> JSONValue {
        guard let progressToken else { return try await callTool(name, arguments: arguments, timeout: timeout) }
        let params = MCPWire.addingProgressToken(
            progressToken, to: MCPWire.callToolParams(name: name, arguments: arguments))
        return try await request(MCPMethod.toolsCall, params, timeout: timeout)
    }
}

/// Opens real MCP sessions.
package struct MCPSessionOpener: SessionOpener {
    /// Creates the opener.
    package init() {}

    package func open(_ server: ResolvedServer, logger: Logger, events: SessionEvents) async throws -> any ToolSession {
        try await ServerSession.open(
            server.config, logger: logger, observer: events.notification, elicitation: events.elicitation)
    }
}

/// One session per server for the whole run, opened when a step first needs it (contract §8).
///
/// An actor: concurrent steps asking for the same server wait for the one opening (and the one
/// `tools/list`), never start a second. `closeAll()` ends every session; the runner calls it on
/// every exit path. Waiters are resumed on every path, so none is left hanging; a waiter whose
/// task is cancelled is resumed at once with `CancellationError` and dropped from the list.
package actor SessionPool {
    private let opener: any SessionOpener
    private let logger: Logger
    private let events: @Sendable (String) -> SessionEvents
    /// Each server's session: being opened (with its waiters), open, or failed to open.
    private var entries: [String: Slot<any ToolSession>] = [:]
    /// Each server's tool list: being listed (with its waiters) or listed; a failed listing is forgotten.
    private var listings: [String: Slot<[ToolDescription]>] = [:]
    /// Each server as first resolved, so its OAuth token provider is built once per run.
    private var resolvedServers: [String: ResolvedServer] = [:]
    private var isClosed = false
    /// The id the next waiting task gets, so its cancellation finds its continuation.
    private var nextWaiterID = 0

    /// A pool using `opener` to connect; `events` gives each server's (by name) event handlers.
    package init(
        opener: any SessionOpener, logger: Logger,
        events: @escaping @Sendable (String) -> SessionEvents = { _ in .none }
    ) {
        self.opener = opener
        self.logger = logger
        self.events = events
    }

    /// The server named `name` as `resolve` resolves it, the first time it succeeds; later steps
    /// and `foreach` iterations get that same value, so the server's `TokenProvider` (its token,
    /// lock and discovery) is built once per run. A failure is not kept: the next step resolves
    /// again and meets the same error. (A server's templates read only run-wide roots, so a
    /// later resolution could not differ.)
    /// - Throws: whatever `resolve` throws.
    package func resolved(
        _ name: String, _ resolve: @Sendable () throws -> ResolvedServer
    ) throws -> ResolvedServer {
        if let server = resolvedServers[name] { return server }
        let server = try resolve()
        resolvedServers[name] = server
        return server
    }

    /// The session for `server`, opening it on first use; a failed opening is remembered and rethrown.
    package func session(for server: ResolvedServer) async throws -> any ToolSession {
        if isClosed { throw CancellationError() }
        switch entries[server.name] {
        case .ready(let session)?:
            return session
        case .failed(let error)?:
            throw error
        case .pending?:
            return try await wait(
                register: { id, continuation in self.entries[server.name]?.add(id, continuation) ?? false },
                cancel: { pool, id in pool.entries[server.name]?.remove(id) })
        case nil:
            entries[server.name] = .pending(Waiters())
            let result: Result<any ToolSession, any Error>
            do {
                result = .success(try await opener.open(server, logger: logger, events: events(server.name)))
            } catch {
                result = .failure(error)
            }
            // Re-read after the await: waiters may have joined, and closeAll() may have run.
            var waiters = Waiters<any ToolSession>()
            if case .pending(let current)? = entries[server.name] { waiters = current }
            switch result {
            case .success(let session) where isClosed:
                await session.close()
                waiters.resumeAll(with: .failure(CancellationError()))
                throw CancellationError()
            case .success(let session):
                entries[server.name] = .ready(session)
                waiters.resumeAll(with: .success(session))
                return session
            case .failure(let error):
                entries[server.name] = .failed(error)
                waiters.resumeAll(with: .failure(error))
                throw error
            }
        }
    }

    /// The server's tools, listed once per run and cached; concurrent callers share the one listing.
    package func tools(for server: ResolvedServer) async throws -> [ToolDescription] {
        let session = try await session(for: server)
        switch listings[server.name] {
        case .ready(let tools)?:
            return tools
        case .failed(let error)?:  // never stored: a failed listing is forgotten so a later step may retry
            throw error
        case .pending?:
            return try await wait(
                register: { id, continuation in self.listings[server.name]?.add(id, continuation) ?? false },
                cancel: { pool, id in pool.listings[server.name]?.remove(id) })
        case nil:
            listings[server.name] = .pending(Waiters())
            let result: Result<[ToolDescription], any Error>
            do {
                result = .success(try await session.listTools())
            } catch {
                result = .failure(error)
            }
            var waiters = Waiters<[ToolDescription]>()
            if case .pending(let current)? = listings[server.name] { waiters = current }
            switch result {
            case .success(let tools):
                listings[server.name] = .ready(tools)
                waiters.resumeAll(with: .success(tools))
                return tools
            case .failure(let error):
                listings[server.name] = nil  // a later step may try again
                waiters.resumeAll(with: .failure(error))
                throw error
            }
        }
    }

    /// Suspends until another task's opening or listing resumes this one, or this task is cancelled.
    ///
    /// Runs on the pool. `register` stores the continuation under the waiter's id (false when the
    /// work ended meanwhile, which cannot happen before the first suspension, but is handled);
    /// cancellation hops onto the pool, where `cancel` takes the continuation out of its list, so
    /// it is resumed exactly once (by the cancellation, or by the work if that came first).
    /// - Throws: `CancellationError` when the task is cancelled; otherwise what the work threw.
    private func wait<Value: Sendable>(
        register: (Int, CheckedContinuation<Value, any Error>) -> Bool,
        cancel: @escaping @Sendable (isolated SessionPool, Int) -> CheckedContinuation<Value, any Error>?
    ) async throws -> Value {
        nextWaiterID += 1
        let id = nextWaiterID
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled || !register(id, continuation) {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            // Unstructured: the cancellation handler is synchronous, and the waiter lists belong to the pool.
            Task { await self.cancelWaiter(id, cancel) }
        }
    }

    /// Resumes a cancelled waiter with `CancellationError`, if it is still waiting.
    private func cancelWaiter<Value: Sendable>(
        _ id: Int, _ cancel: @Sendable (isolated SessionPool, Int) -> CheckedContinuation<Value, any Error>?
    ) {
        cancel(self, id)?.resume(throwing: CancellationError())
    }

    /// The session for `server` and its tools, in one visit to the pool (a tool step needs both).
    package func sessionAndTools(for server: ResolvedServer) async throws -> (any ToolSession, [ToolDescription]) {
        let tools = try await tools(for: server)
        return (try await session(for: server), tools)
    }

    /// How each opened server is connected (`transport`, `protocolVersion`), by server name.
    package func connections() async -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for (name, entry) in entries {
            if case .ready(let session) = entry {
                let info = await session.connection()
                if !info.isNull { result[name] = info }
            }
        }
        return result
    }

    /// Closes every open session; sessions still opening are closed when their opening ends.
    package func closeAll() async {
        isClosed = true
        var sessions: [any ToolSession] = []
        for (name, entry) in entries {
            if case .ready(let session) = entry {
                sessions.append(session)
                entries[name] = .failed(CancellationError())
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for session in sessions { group.addTask { await session.close() } }
        }
    }
}

/// A piece of per-server work in the pool: pending (with the tasks waiting for it), done, or failed.
private enum Slot<Value: Sendable> {
    case pending(Waiters<Value>)
    case ready(Value)
    case failed(any Error)

    /// Adds a waiter to pending work; false when the work is no longer pending.
    mutating func add(_ id: Int, _ continuation: CheckedContinuation<Value, any Error>) -> Bool {
        guard case .pending(var waiters) = self else { return false }
        waiters.add(id, continuation)
        self = .pending(waiters)
        return true
    }

    /// Takes waiter `id` out of pending work; nil when it is not waiting (any more).
    mutating func remove(_ id: Int) -> CheckedContinuation<Value, any Error>? {
        guard case .pending(var waiters) = self else { return nil }
        let continuation = waiters.remove(id)
        self = .pending(waiters)
        return continuation
    }
}

/// The continuations of tasks waiting for one opening or listing, by waiter id.
private struct Waiters<Value: Sendable> {
    private var continuations: [Int: CheckedContinuation<Value, any Error>] = [:]

    mutating func add(_ id: Int, _ continuation: CheckedContinuation<Value, any Error>) {
        continuations[id] = continuation
    }

    /// Takes out the continuation of waiter `id`; nil when it was already resumed.
    mutating func remove(_ id: Int) -> CheckedContinuation<Value, any Error>? {
        continuations.removeValue(forKey: id)
    }

    /// Resumes every waiter with `result`.
    func resumeAll(with result: Result<Value, any Error>) {
        for continuation in continuations.values { continuation.resume(with: result) }
    }
}
