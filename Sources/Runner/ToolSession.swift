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
/// every exit path. Waiters are resumed on every path, so none is left hanging.
package actor SessionPool {
    private enum Entry {
        case opening([CheckedContinuation<any ToolSession, any Error>])
        case open(any ToolSession)
        case failed(any Error)
    }

    private enum Listing {
        case listing([CheckedContinuation<[ToolDescription], any Error>])
        case listed([ToolDescription])
    }

    private let opener: any SessionOpener
    private let logger: Logger
    private let events: @Sendable (String) -> SessionEvents
    private var entries: [String: Entry] = [:]
    private var listings: [String: Listing] = [:]
    /// Each server as first resolved, so its OAuth token provider is built once per run.
    private var resolvedServers: [String: ResolvedServer] = [:]
    private var isClosed = false

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
        case .open(let session)?:
            return session
        case .failed(let error)?:
            throw error
        case .opening(let waiters)?:
            return try await withCheckedThrowingContinuation { continuation in
                entries[server.name] = .opening(waiters + [continuation])
            }
        case nil:
            entries[server.name] = .opening([])
            let result: Result<any ToolSession, any Error>
            do {
                result = .success(try await opener.open(server, logger: logger, events: events(server.name)))
            } catch {
                result = .failure(error)
            }
            // Re-read after the await: waiters may have joined, and closeAll() may have run.
            var waiters: [CheckedContinuation<any ToolSession, any Error>] = []
            if case .opening(let current)? = entries[server.name] { waiters = current }
            switch result {
            case .success(let session) where isClosed:
                await session.close()
                for waiter in waiters { waiter.resume(throwing: CancellationError()) }
                throw CancellationError()
            case .success(let session):
                entries[server.name] = .open(session)
                for waiter in waiters { waiter.resume(returning: session) }
                return session
            case .failure(let error):
                entries[server.name] = .failed(error)
                for waiter in waiters { waiter.resume(throwing: error) }
                throw error
            }
        }
    }

    /// The server's tools, listed once per run and cached; concurrent callers share the one listing.
    package func tools(for server: ResolvedServer) async throws -> [ToolDescription] {
        let session = try await session(for: server)
        switch listings[server.name] {
        case .listed(let tools)?:
            return tools
        case .listing(let waiters)?:
            return try await withCheckedThrowingContinuation { continuation in
                listings[server.name] = .listing(waiters + [continuation])
            }
        case nil:
            listings[server.name] = .listing([])
            let result: Result<[ToolDescription], any Error>
            do {
                result = .success(try await session.listTools())
            } catch {
                result = .failure(error)
            }
            var waiters: [CheckedContinuation<[ToolDescription], any Error>] = []
            if case .listing(let current)? = listings[server.name] { waiters = current }
            switch result {
            case .success(let tools):
                listings[server.name] = .listed(tools)
                for waiter in waiters { waiter.resume(returning: tools) }
                return tools
            case .failure(let error):
                listings[server.name] = nil  // a later step may try again
                for waiter in waiters { waiter.resume(throwing: error) }
                throw error
            }
        }
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
