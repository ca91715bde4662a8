import Basics
import MCPClient

/// What the runner needs from a connected server; `ServerSession` conforms, and tests use fakes.
package protocol ToolSession: Sendable {
    /// The server's tools, following pagination.
    func listTools() async throws -> [ToolDescription]
    /// Calls a tool; a result with `isError: true` is returned, not thrown.
    func callTool(_ name: String, arguments: JSONValue, timeout: Duration?) async throws -> JSONValue
    /// Reads a resource.
    func readResource(_ uri: String, timeout: Duration?) async throws -> JSONValue
    /// Gets a prompt.
    func getPrompt(_ name: String, arguments: JSONValue, timeout: Duration?) async throws -> JSONValue
    /// Ends the session; idempotent.
    func close() async
}

/// Opens sessions for named servers.
package protocol SessionOpener: Sendable {
    /// Connects to `server` and initializes an MCP session.
    func open(_ server: ResolvedServer, logger: Logger) async throws -> any ToolSession
}

/// A server definition with every template evaluated, ready to connect.
package struct ResolvedServer: Sendable {
    package var name: String
    package var config: ServerConfig
    /// The auth and `headers:` headers, sent on every HTTP request.
    package var headers: [ResolvedHeader]
}

extension ServerSession: ToolSession {}

/// Opens real MCP sessions.
package struct MCPSessionOpener: SessionOpener {
    /// Creates the opener.
    package init() {}

    package func open(_ server: ResolvedServer, logger: Logger) async throws -> any ToolSession {
        try await ServerSession.open(server.config, logger: logger)
    }
}

/// One session per server for the whole run, opened when a step first needs it (contract §8).
///
/// An actor: concurrent steps asking for the same server wait for the one opening, never start a
/// second. `closeAll()` ends every session; the runner calls it on every exit path.
package actor SessionPool {
    private enum Entry {
        case opening([CheckedContinuation<any ToolSession, any Error>])
        case open(any ToolSession, tools: [ToolDescription]?)
        case failed(any Error)
    }

    private let opener: any SessionOpener
    private let logger: Logger
    private var entries: [String: Entry] = [:]
    private var isClosed = false

    /// A pool using `opener` to connect.
    package init(opener: any SessionOpener, logger: Logger) {
        self.opener = opener
        self.logger = logger
    }

    /// The session for `server`, opening it on first use; a failed opening is remembered and rethrown.
    package func session(for server: ResolvedServer) async throws -> any ToolSession {
        switch entries[server.name] {
        case .open(let session, _)?:
            return session
        case .failed(let error)?:
            throw error
        case .opening(let waiters)?:
            return try await withCheckedThrowingContinuation { continuation in
                entries[server.name] = .opening(waiters + [continuation])
            }
        case nil:
            entries[server.name] = .opening([])
            do {
                let session = try await opener.open(server, logger: logger)
                // Re-read after the await: waiters may have joined.
                let waiters: [CheckedContinuation<any ToolSession, any Error>]
                if case .opening(let current)? = entries[server.name] { waiters = current } else { waiters = [] }
                if isClosed {
                    await session.close()
                    throw CancellationError()
                }
                entries[server.name] = .open(session, tools: nil)
                for waiter in waiters { waiter.resume(returning: session) }
                return session
            } catch {
                if case .opening(let waiters)? = entries[server.name] {
                    for waiter in waiters { waiter.resume(throwing: error) }
                }
                entries[server.name] = .failed(error)
                throw error
            }
        }
    }

    /// The server's tools, listed once per run and cached.
    package func tools(for server: ResolvedServer) async throws -> [ToolDescription] {
        let session = try await session(for: server)
        if case .open(_, let tools?)? = entries[server.name] { return tools }
        let tools = try await session.listTools()
        entries[server.name] = .open(session, tools: tools)
        return tools
    }

    /// Closes every open session.
    package func closeAll() async {
        isClosed = true
        let sessions = entries.values.compactMap { entry -> (any ToolSession)? in
            if case .open(let session, _) = entry { return session }
            return nil
        }
        entries = [:]
        await withTaskGroup(of: Void.self) { group in
            for session in sessions { group.addTask { await session.close() } }
        }
    }
}
