import Basics
import MCPClient

/// What the runner needs from a connected server; `ServerSession` conforms, and tests use fakes.
package protocol ToolSession: Sendable {
    /// The server's tools, following pagination; a list cached by an earlier run and still
    /// fresh may be returned instead, unless `fresh`.
    func listTools(fresh: Bool) async throws -> [ToolDescription]
    /// Calls a tool; a result with `isError: true` is returned, not thrown.
    ///
    /// With a `progressToken`, the request carries it (`_meta.progressToken`), so the server's
    /// `notifications/progress` for this call name it. With `acceptsTasks`, the call declares
    /// the Tasks extension, and a task the server makes of it is awaited within `timeout`.
    func callTool(
        _ name: String, arguments: JSONValue, timeout: Duration?, progressToken: JSONValue?, acceptsTasks: Bool
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
/// every exit path. Every waiter is resumed exactly once: by the work it waits for (on every
/// path, success or failure), or at once with `CancellationError` when its task is cancelled,
/// whichever comes first; the other finds it gone from `waiters`.
package actor SessionPool {
    private enum Entry {
        case opening
        case open(any ToolSession)
        case failed(any Error)
    }

    private enum Listing {
        case listing
        case listed([ToolDescription])
    }

    /// A task suspended until another task's opening or listing of `server` ends.
    private enum Waiter {
        case session(server: String, CheckedContinuation<any ToolSession, any Error>)
        case tools(server: String, CheckedContinuation<[ToolDescription], any Error>)

        func fail(_ error: any Error) {
            switch self {
            case .session(_, let continuation): continuation.resume(throwing: error)
            case .tools(_, let continuation): continuation.resume(throwing: error)
            }
        }
    }

    private let opener: any SessionOpener
    private let logger: Logger
    /// Where the sessions keep their lists across runs; nil lists afresh (`--no-cache`).
    private let listCache: ListCache?
    private let events: @Sendable (String) -> SessionEvents
    private var entries: [String: Entry] = [:]
    private var listings: [String: Listing] = [:]
    /// The tasks waiting for an opening or a listing, by waiter id (so a cancellation finds its own).
    private var waiters: [Int: Waiter] = [:]
    private var nextWaiterID = 0
    /// Each server as first resolved, so its OAuth token provider is built once per run.
    private var resolvedServers: [String: ResolvedServer] = [:]
    private var isClosed = false
    /// The servers that sent `notifications/tools/list_changed` since their tools were listed:
    /// set on the session's read loop (before the answer that follows the notification is
    /// delivered), read by the next `tools(for:)`, which lists them again (contract §8, Lists).
    private let changedToolLists = Locked<Set<String>>([])
    /// The tools already looked for by listing again (server and tool name), so a step naming a
    /// tool the server does not have re-lists once per run, not once per step.
    private var relistedFor: Set<[String]> = []
    /// The servers whose sessions listen for list changes (`subscriptions/listen`, MCP
    /// 2026-07-28): those the run sends more than one request.
    private let listening: Set<String>

    /// A pool using `opener` to connect; `events` gives each server's (by name) event handlers;
    /// `listCache` is where lists with caching hints are kept across runs (nil: never);
    /// `listening` names the servers whose sessions open a stream for their list changes.
    package init(
        opener: any SessionOpener, logger: Logger, listCache: ListCache? = nil, listening: Set<String> = [],
        events: @escaping @Sendable (String) -> SessionEvents = { _ in .none }
    ) {
        self.listening = listening
        self.listCache = listCache
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
    /// - Throws: the opening's error; `CancellationError` after `closeAll()` or when this task is
    ///   cancelled while it waits for another task's opening.
    package func session(for server: ResolvedServer) async throws -> any ToolSession {
        if isClosed { throw CancellationError() }
        switch entries[server.name] {
        case .open(let session)?:
            return session
        case .failed(let error)?:
            throw error
        case .opening?:
            return try await wait { .session(server: server.name, $0) }
        case nil:
            entries[server.name] = .opening
            var caching = server
            caching.config.listCache = listCache
            caching.config.listensForChanges = listening.contains(server.name)
            let result: Result<any ToolSession, any Error>
            do {
                result = .success(
                    try await opener.open(caching, logger: logger, events: observingListChanges(server.name)))
            } catch {
                result = .failure(error)
            }
            // After the await: waiters may have joined or left, and closeAll() may have run.
            switch result {
            case .success(let session) where isClosed:
                await session.close()
                resumeSessionWaiters(server.name, with: .failure(CancellationError()))
                throw CancellationError()
            case .success(let session):
                entries[server.name] = .open(session)
                resumeSessionWaiters(server.name, with: .success(session))
                return session
            case .failure(let error):
                entries[server.name] = .failed(error)
                resumeSessionWaiters(server.name, with: .failure(error))
                throw error
            }
        }
    }

    /// The server's tools, listed once per run and kept; concurrent callers share the one listing.
    /// The first listing may come from the list cache (an earlier run's, still fresh); a listing
    /// after `notifications/tools/list_changed` or for a missing tool is always fresh.
    /// - Throws: the listing's error (a later call lists again); `CancellationError` when this task
    ///   is cancelled while it waits for another task's listing.
    package func tools(for server: ResolvedServer) async throws -> [ToolDescription] {
        let session = try await session(for: server)
        let changed = changedToolLists.withLock { $0.remove(server.name) != nil }
        switch listings[server.name] {
        case .listed(let tools)? where !changed:
            return tools
        case .listing?:
            return try await wait { .tools(server: server.name, $0) }
        case .listed?, nil:
            if changed { logger.trace("[\(server.name)] the server's tool list changed: listing the tools again") }
            listings[server.name] = .listing
            let result: Result<[ToolDescription], any Error>
            do {
                result = .success(try await session.listTools(fresh: changed))
            } catch {
                result = .failure(error)
            }
            switch result {
            case .success(let tools):
                listings[server.name] = .listed(tools)
            case .failure:
                listings[server.name] = nil  // a later step may try again
            }
            resumeToolsWaiters(server.name, with: result)
            return try result.get()
        }
    }

    /// Suspends this task as a waiter (`wrap` files its continuation) until the work resumes it or
    /// the task is cancelled.
    ///
    /// Both bodies below run on the pool: the continuation's synchronously, here, before the first
    /// suspension; the cancellation's in a task that hops onto the pool. A task already cancelled
    /// is not filed at all; one cancelled later is taken out of `waiters` by `cancelWaiter`, unless
    /// the work took it out first. Either way it is resumed once.
    private func wait<Value: Sendable>(
        _ wrap: (CheckedContinuation<Value, any Error>) -> Waiter
    ) async throws -> Value {
        nextWaiterID += 1
        let id = nextWaiterID
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters[id] = wrap(continuation)
                }
            }
        } onCancel: {
            // Unstructured: the handler is synchronous, and the waiters belong to the pool.
            Task(executorPreference: EventLoop.preferred) { await self.cancelWaiter(id) }
        }
    }

    /// Resumes waiter `id` with `CancellationError` if it is still waiting.
    private func cancelWaiter(_ id: Int) {
        waiters.removeValue(forKey: id)?.fail(CancellationError())
    }

    /// Resumes (and forgets) every task waiting for the opening of `server`.
    private func resumeSessionWaiters(_ server: String, with result: Result<any ToolSession, any Error>) {
        for (id, waiter) in waiters {
            guard case .session(server, let continuation) = waiter else { continue }
            waiters[id] = nil
            continuation.resume(with: result)
        }
    }

    /// Resumes (and forgets) every task waiting for the listing of `server`'s tools.
    private func resumeToolsWaiters(_ server: String, with result: Result<[ToolDescription], any Error>) {
        for (id, waiter) in waiters {
            guard case .tools(server, let continuation) = waiter else { continue }
            waiters[id] = nil
            continuation.resume(with: result)
        }
    }

    /// The session for `server` and its tools, in one visit to the pool (a tool step needs both).
    /// When the list has no tool `needed`, it is listed again, once per run for that tool (the
    /// server may have added it without a `list_changed`), before the caller reports it unknown.
    package func sessionAndTools(
        for server: ResolvedServer, needing needed: String? = nil
    ) async throws -> (any ToolSession, [ToolDescription]) {
        var tools = try await tools(for: server)
        if let needed, !tools.contains(where: { $0.name == needed }),
            relistedFor.insert([server.name, needed]).inserted
        {
            logger.trace("[\(server.name)] no tool '\(needed)' in the tool list: listing the tools again")
            changedToolLists.withLock { _ = $0.insert(server.name) }
            tools = try await self.tools(for: server)
        }
        return (try await session(for: server), tools)
    }

    /// `events` for `server`, with `notifications/tools/list_changed` also noted for `tools(for:)`
    /// (a legacy session's, or one from a modern session's listen stream).
    private func observingListChanges(_ server: String) -> SessionEvents {
        var observed = events(server)
        let forward = observed.notification
        let changed = changedToolLists
        observed.notification = { notification in
            if case .other(let method, _) = notification, method == MCPMethod.toolsListChanged {
                changed.withLock { _ = $0.insert(server) }
            }
            forward(notification)
        }
        return observed
    }

    /// How each opened server is connected (`transport`, `protocolVersion`), by server name.
    package func connections() async -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for (name, entry) in entries {
            if case .open(let session) = entry {
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
            if case .open(let session) = entry {
                sessions.append(session)
                entries[name] = .failed(CancellationError())
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for session in sessions { group.addTask { await session.close() } }
        }
    }
}
