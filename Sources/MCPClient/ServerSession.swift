import Basics
import HTTP

/// One MCP session with one server: the connection's only actor (STYLE.md §5).
///
/// It owns the pending-request table, the next request id and the negotiated protocol version.
/// `open` starts the transport, starts the session's two owned tasks — a read loop that routes
/// incoming messages and a writer that sends answers to server requests and
/// `notifications/cancelled` from a task that is never itself cancelled — and settles the
/// protocol version: `server/discover` for the modern, stateless protocol (MCP 2026-07-28), or
/// `initialize` + `notifications/initialized` (MCP 2025-11-25, Lifecycle), as `VersionPolicy`
/// and the server's answers say. A modern session may also own a `subscriptions/listen` stream
/// and its task (`ServerSession+Subscriptions`). `close()` ends the stream first, then both
/// tasks, and awaits them; the runner's pool calls it on every exit path.
///
/// Requests run concurrently; each is registered in the table before it is sent, so a fast reply
/// cannot be lost, and each is bounded by its timeout. A timeout or a cancelled caller sends
/// `notifications/cancelled` to the server (MCP 2025-11-25, Cancellation).
package actor ServerSession {
    /// The version offered in `initialize`.
    package static let offeredProtocolVersion = "2025-11-25"
    /// The versions accepted from the server (contract §8), newest first.
    package static let supportedProtocolVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    /// The versions mcp-run speaks, newest first: the modern one, then the legacy ones.
    package static var knownProtocolVersions: [String] { [MCPWire.modernProtocolVersion] + supportedProtocolVersions }
    /// The most `input_required` rounds one request goes through (MCP 2026-07-28, Multi
    /// Round-Trip Requests): a server that keeps asking fails the request there.
    package static let maxInputRounds = 10
    /// The requests whose work may log or report progress: calls, reads and prompts.
    static let requestScopedMethods: Set<String> = [MCPMethod.toolsCall, MCPMethod.resourcesRead, MCPMethod.promptsGet]
    /// `clientInfo.name`.
    package static let clientName = "mcp-run"
    /// `clientInfo.version`.
    package static let clientVersion = "0.1.0"

    /// The config's name, for errors and traces.
    package nonisolated let name: String
    /// The version spoken: the modern one `server/discover` settled, or the one the server
    /// chose in `initialize`.
    package private(set) var protocolVersion = ""
    /// Whether the session speaks the modern, stateless protocol (MCP 2026-07-28).
    package var isModern: Bool { modernVersion != nil }
    /// The server's `serverInfo` (null before `initialize` completes).
    package private(set) var serverInfo: JSONValue = .null
    /// The server's `capabilities`.
    package private(set) var serverCapabilities: JSONValue = [:]

    let transport: any Transport
    let logger: Logger
    let observer: (@Sendable (ServerNotification) -> Void)?
    /// Answers `elicitation/create` from its params; nil declines every request.
    private let elicitation: (@Sendable (JSONValue) -> JSONValue)?
    let requestTimeout: Duration
    let outbox: AsyncStream<JSONRPCMessage>.Continuation
    private let outboxStream: AsyncStream<JSONRPCMessage>
    private var nextID = 0
    /// The modern version every request declares in `_meta`; nil in a legacy session.
    private(set) var modernVersion: String?
    /// The `x-mcp-header` parameters of each listed tool, for its calls' `Mcp-Param-*` headers.
    private var toolHeaderParameters: [String: [ModernHeaders.Parameter]] = [:]
    /// Where this session's lists are cached across runs, and for whom; nil: never cached.
    private var listCache: (cache: ListCache, identity: ListCache.Identity)?
    private var waiting: [RequestID: AsyncThrowingStream<JSONValue, any Error>.Continuation] = [:]
    private var readTask: Task<Void, Never>?
    private var writeTask: Task<Void, Never>?
    private(set) var ended: ClientError?
    private(set) var isClosed = false
    /// The `subscriptions/listen` stream open for the server's list changes, if any
    /// (`ServerSession+Subscriptions`).
    var subscription: Subscription?

    private init(
        transport: any Transport, name: String, requestTimeout: Duration, logger: Logger,
        observer: (@Sendable (ServerNotification) -> Void)?, elicitation: (@Sendable (JSONValue) -> JSONValue)?
    ) {
        self.elicitation = elicitation
        self.transport = transport
        self.name = name
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.observer = observer
        (outboxStream, outbox) = AsyncStream<JSONRPCMessage>.makeStream()
    }

    /// Starts the server's transport and initializes the session.
    ///
    /// - Parameters:
    ///   - config: the resolved server.
    ///   - logger: traces every JSON-RPC message at `-v` (never header values).
    ///   - observer: receives `notifications/message`, `notifications/progress` and other server
    ///     notifications, on the session's read loop; it must return quickly.
    ///   - elicitation: answers `elicitation/create` (its params → the result object), on the
    ///     read loop; it must return quickly. Without it, every elicitation is declined.
    /// - Throws: `ClientError`: `.unreachable` (cannot start or connect), `.unauthorized`,
    ///   `.unsupportedVersion` (naming both versions), `.protocolViolation`, `.timedOut`, `.closed`.
    package static func open(
        _ config: ServerConfig, logger: Logger, observer: (@Sendable (ServerNotification) -> Void)? = nil,
        elicitation: (@Sendable (JSONValue) -> JSONValue)? = nil
    ) async throws(ClientError) -> ServerSession {
        let transport = try await makeTransport(config, logger: logger)
        return try await open(
            transport: transport, name: config.name, requestTimeout: config.requestTimeout, logger: logger,
            observer: observer, elicitation: elicitation, versions: versionPolicy(config),
            listCache: config.listCache.map { ($0, ListCache.identity(of: config)) },
            listensForChanges: config.listensForChanges)
    }

    /// How a session with `config` picks its version (contract §8): the pinned one; else modern
    /// first over Streamable HTTP (and the negotiated `sse` transport), falling back to the
    /// handshake on the signals the spec names; the handshake on stdio and legacy HTTP+SSE.
    static func versionPolicy(_ config: ServerConfig) -> VersionPolicy {
        if let pinned = config.protocolVersion { return .pinned(pinned) }
        switch config.endpoint {
        case .http(_, .streamableHTTP), .http(_, .negotiate), .stdio: return .dualEra
        case .http(_, .legacySSE): return .legacy
        }
    }

    /// How `open` picks the protocol version.
    package enum VersionPolicy: Sendable, Equatable {
        /// Modern first (`server/discover`), the legacy handshake on the spec's fallback signals.
        case dualEra
        /// The legacy handshake only, offering `offeredProtocolVersion`.
        case legacy
        /// Exactly this version: `server/discover` for the modern one (no fallback), else the
        /// handshake offering it and accepting nothing else.
        case pinned(String)
    }

    /// Initializes a session over an already started transport (tests use an in-memory one).
    ///
    /// With `listensForChanges`, a modern session whose server advertises `tools.listChanged`
    /// opens a `subscriptions/listen` stream and waits (briefly) for its acknowledgement before
    /// returning (`listenForChanges`). On failure the transport is closed before the error is thrown.
    /// - Throws: as `open(_:logger:observer:)`; never for the listen stream.
    package static func open(
        transport: any Transport, name: String, requestTimeout: Duration = .seconds(60), logger: Logger,
        observer: (@Sendable (ServerNotification) -> Void)? = nil,
        elicitation: (@Sendable (JSONValue) -> JSONValue)? = nil, versions: VersionPolicy = .legacy,
        listCache: (cache: ListCache, identity: ListCache.Identity)? = nil, listensForChanges: Bool = false
    ) async throws(ClientError) -> ServerSession {
        let session = ServerSession(
            transport: transport, name: name, requestTimeout: requestTimeout, logger: logger, observer: observer,
            elicitation: elicitation)
        await session.useListCache(listCache)
        await session.start()
        do {
            try await session.settleVersion(versions)
        } catch {
            await session.close()
            throw error
        }
        if listensForChanges { await session.listenForChanges() }
        return session
    }

    static func makeTransport(_ config: ServerConfig, logger: Logger) async throws(ClientError) -> any Transport {
        switch config.endpoint {
        case .stdio(let command, let arguments, let environment, let directory):
            return try await StdioTransport.start(
                command: command, arguments: arguments, environment: environment, directory: directory,
                serverName: config.name, logger: logger)
        case .http(let url, .streamableHTTP):
            logger.trace("[\(config.name)] transport: streamable-http")
            return StreamableHTTPTransport(
                url: url, headers: config.headers, serverName: config.name, logger: logger,
                authorization: config.authorization)
        case .http(let url, .negotiate):
            // Negotiated by the first message, `initialize` (contract §2): see NegotiatingHTTPTransport.
            return NegotiatingHTTPTransport(
                url: url, headers: config.headers, serverName: config.name, requestTimeout: config.requestTimeout,
                logger: logger, authorization: config.authorization)
        case .http(let url, .legacySSE):
            let transport: LegacySSETransport
            do {
                transport = try await LegacySSETransport.connect(
                    url: url, headers: config.headers, serverName: config.name,
                    requestTimeout: config.requestTimeout, logger: logger, authorization: config.authorization)
            } catch let error as ClientError {
                throw error.adding(ErrorContext(server: config.name))
            } catch {
                throw ClientError(
                    code: .cancelled, message: "connecting to the server was cancelled",
                    context: ErrorContext(server: config.name), underlying: error)
            }
            logger.trace("[\(config.name)] transport: legacy http+sse")
            return transport
        }
    }

    /// The transport in use, for the results document: `stdio`, `streamable-http` or `http-sse`
    /// (for `transport: sse`, what negotiation chose; `sse` before `initialize` settled it).
    package var transportName: String {
        get async {
            switch transport {
            case is StdioTransport: "stdio"
            case is StreamableHTTPTransport: "streamable-http"
            case is LegacySSETransport: "http-sse"
            case let negotiating as NegotiatingHTTPTransport: await negotiating.chosenName ?? "sse"
            default: "custom"
            }
        }
    }

    /// Starts the owned read loop and writer.
    private func start() {
        let incoming = transport.incoming
        // Unstructured: the session's own read loop, cancelled and awaited by close().
        readTask = Task(executorPreference: EventLoop.preferred) { [weak self] in
            for await event in incoming {
                guard let self else { return }
                await self.handle(event)
            }
            await self?.transportFinished()
        }
        let outboxStream = self.outboxStream
        let transport = self.transport
        let logger = self.logger
        let name = self.name
        // Unstructured: the session's own writer, ended by finishing the outbox in close() and awaited there.
        writeTask = Task(executorPreference: EventLoop.preferred) {
            for await message in outboxStream {
                do {
                    try await transport.send(message)
                } catch {
                    logger.trace("[\(name)] could not send \(message.method ?? "a response"): \(error)")
                }
            }
        }
    }

    // MARK: - Lifecycle

    /// Keeps this session's lists (and its discovery result) in `cache` under `identity`.
    private func useListCache(_ listCache: (cache: ListCache, identity: ListCache.Identity)?) {
        self.listCache = listCache
    }

    /// Speaks the version `policy` asks for: modern or legacy (MCP 2026-07-28, Versioning).
    private func settleVersion(_ policy: VersionPolicy) async throws(ClientError) {
        switch policy {
        case .legacy:
            try await initialize()
        case .pinned(let version) where version == MCPWire.modernProtocolVersion:
            logger.trace("[\(name)] protocol: \(version) (pinned): server/discover")
            _ = try await discover(mayFallBack: false)
        case .pinned(let version):
            logger.trace("[\(name)] protocol: \(version) (pinned): initialize")
            try await initialize(offering: version, pinned: true)
        case .dualEra:
            logger.trace("[\(name)] protocol: trying \(MCPWire.modernProtocolVersion) (server/discover) first")
            if let legacy = try await discover(mayFallBack: true) {
                do throws(ClientError) {
                    try await initialize(offering: legacy)
                } catch {
                    // A modern server that answered the probe too late (a stdio server slow to
                    // start, past `maxStdioProbe`) has since started serving 2026-07-28 and
                    // refuses the handshake with UnsupportedProtocolVersion: probe once more.
                    guard Self.refusesHandshakeAsModern(error) else { throw error }
                    logger.trace(
                        "[\(name)] the server refused 'initialize' with error \(MCPWire.ModernError.unsupportedProtocolVersion): it speaks \(MCPWire.modernProtocolVersion) after all; sending '\(MCPMethod.serverDiscover)' again"
                    )
                    _ = try await discover(mayFallBack: false)
                }
            }
        }
    }

    /// `server/discover`, the modern probe (MCP 2026-07-28, Discovery; Versioning, Backward
    /// Compatibility). Returns nil once the session speaks the modern version, else the legacy
    /// version to offer in `initialize`: on a 4xx without a modern error, a JSON-RPC error that
    /// is not one of the protocol's own, or a result that is not a discovery result (these only
    /// with `mayFallBack`), or an
    /// `UnsupportedProtocolVersionError` whose `supported` lists only legacy versions.
    /// An `UnsupportedProtocolVersionError` that lists the modern version is retried once; the
    /// protocol's other errors (header mismatch, missing capability) abort, never downgrade.
    /// - Throws: `ClientError`, as `open`.
    ///
    /// A discovery result cached by an earlier run for its `ttlMs` (MCP 2026-07-28, Caching:
    /// `server/discover` is cacheable) settles the version without the probe.
    private func discover(mayFallBack: Bool) async throws(ClientError) -> String? {
        let method = MCPMethod.serverDiscover
        var retried = false
        modernVersion = MCPWire.modernProtocolVersion
        if let cached = cachedList(method)?.first, let discovered = MCPWire.DiscoverResult(cached),
            discovered.supportedVersions.contains(MCPWire.modernProtocolVersion)
        {
            settleModern(discovered)
            return nil
        }
        while true {
            modernVersion = MCPWire.modernProtocolVersion
            let result: JSONValue
            do throws(ClientError) {
                result = try await request(method, nil, timeout: probeTimeout)
            } catch {
                modernVersion = nil
                switch error.code {
                case .rpc(MCPWire.ModernError.unsupportedProtocolVersion, _, let data):
                    let supported = MCPWire.supportedVersions(inErrorData: data)
                    if supported.contains(MCPWire.modernProtocolVersion), !retried {
                        retried = true
                        logger.trace(
                            "[\(name)] the server refused version \(MCPWire.modernProtocolVersion) but lists it among \(supported.quotedList); retrying once"
                        )
                        continue
                    }
                    if mayFallBack, let legacy = Self.supportedProtocolVersions.first(where: supported.contains) {
                        logger.trace(
                            "[\(name)] the server supports \(supported.quotedList): using the initialize handshake with \(legacy)"
                        )
                        return legacy
                    }
                    throw unsupported(supported, underlying: error)
                case .rpc(let code, let message, _) where MCPWire.ModernError.isModern(code):
                    throw ClientError(
                        code: .protocolViolation,
                        message:
                            "the server speaks MCP \(MCPWire.modernProtocolVersion) but refused '\(method)' with error \(code): \(message)",
                        hint:
                            "the server and mcp-run disagree about the request; report it to the server's maintainers",
                        context: context(method), underlying: error)
                case .rpc(let code, let message, _) where mayFallBack:
                    logger.trace(
                        "[\(name)] '\(method)' answered error \(code) (\(message)): a legacy server; falling back to the initialize handshake"
                    )
                    return Self.offeredProtocolVersion
                case .timedOut where mayFallBack && !(transport is any HTTPTransport):
                    // stdio: a legacy server may stay silent on a method it does not know before
                    // `initialize` (MCP 2026-07-28, stdio, Backward Compatibility).
                    logger.trace(
                        "[\(name)] '\(method)' got no answer within \(probeTimeout.humanReadable): a legacy server; falling back to the initialize handshake"
                    )
                    return Self.offeredProtocolVersion
                case .protocolViolation where mayFallBack && (400..<500).contains(error.httpStatus ?? 0):
                    logger.trace(
                        "[\(name)] '\(method)' answered HTTP \(error.httpStatus ?? 0) without a modern error: a legacy server; falling back to the initialize handshake"
                    )
                    return Self.offeredProtocolVersion
                default:
                    throw initializeFailure(error, method: method)
                }
            }
            guard let discovered = MCPWire.DiscoverResult(result) else {
                modernVersion = nil
                if mayFallBack {
                    // A lenient legacy server answers any method, this one too, with a result
                    // that is not a discovery result: not a modern answer.
                    logger.trace(
                        "[\(name)] the '\(method)' result has no supportedVersions: a legacy server; falling back to the initialize handshake"
                    )
                    return Self.offeredProtocolVersion
                }
                throw ClientError(
                    code: .protocolViolation, message: "the '\(method)' result has no supportedVersions list",
                    hint:
                        "the server is not following MCP \(MCPWire.modernProtocolVersion); report it to its maintainers",
                    context: context(method))
            }
            let hints = MCPWire.cacheHints(result)
            keepList(
                [result], method: method,
                hints: ListHints(ttlMilliseconds: hints.ttlMilliseconds, isPublic: hints.isPublic))
            settleModern(discovered)
            return nil
        }
    }

    /// Whether `error` (from `initialize`) is the modern protocol's UnsupportedProtocolVersion:
    /// the server serves 2026-07-28 and not the handshake.
    static func refusesHandshakeAsModern(_ error: ClientError) -> Bool {
        for candidate in [error, error.underlying as? ClientError].compactMap({ $0 }) {
            if case .rpc(MCPWire.ModernError.unsupportedProtocolVersion, _, _) = candidate.code { return true }
        }
        return false
    }

    /// Speaks the modern version with the server `discovered` describes.
    private func settleModern(_ discovered: MCPWire.DiscoverResult) {
        modernVersion = MCPWire.modernProtocolVersion
        protocolVersion = MCPWire.modernProtocolVersion
        serverInfo = discovered.serverInfo
        serverCapabilities = discovered.capabilities
        if logger.isTracing {
            logger.trace(
                "[\(name)] protocol \(protocolVersion) (modern, no handshake); the server supports \(discovered.supportedVersions.quotedList); server \(serverInfo.serialized())"
            )
        }
    }

    /// How long the modern probe waits on stdio before taking the server for a legacy one that
    /// ignores it: the request timeout, at most `maxStdioProbe`. Over HTTP, the request timeout.
    private var probeTimeout: Duration {
        transport is any HTTPTransport ? requestTimeout : min(requestTimeout, Self.maxStdioProbe)
    }
    /// The longest stdio probe (a silent legacy server costs a run this much once).
    package static let maxStdioProbe: Duration = .seconds(10)

    /// The error for a server whose versions and mcp-run's have none in common (exit 4).
    private func unsupported(_ supported: [String], underlying: ClientError) -> ClientError {
        ClientError(
            code: .unsupportedVersion(supported.first ?? "none"),
            message:
                "the server supports protocol versions \(supported.quotedList), but mcp-run speaks \(Self.knownProtocolVersions.quotedList)",
            hint: "use a server that supports one of mcp-run's versions, or pin one it supports with `protocolVersion`",
            context: context(MCPMethod.serverDiscover), underlying: underlying)
    }

    private func initialize(
        offering offered: String = ServerSession.offeredProtocolVersion, pinned: Bool = false
    ) async throws(ClientError) {
        let params = MCPWire.initializeParams(
            protocolVersion: offered, clientName: Self.clientName, clientVersion: Self.clientVersion)
        let result: JSONValue
        do throws(ClientError) {
            result = try await request(MCPMethod.initialize, params, timeout: nil)
        } catch {
            if pinned, case .rpc(MCPWire.ModernError.unsupportedProtocolVersion, _, let data) = error.code {
                // A modern server refusing the pinned handshake: say which versions it speaks.
                let supported = MCPWire.supportedVersions(inErrorData: data)
                throw ClientError(
                    code: .unsupportedVersion(supported.first ?? "none"),
                    message:
                        "the server refused the initialize handshake at '\(offered)' (pinned with `protocolVersion`): it supports \(supported.isEmpty ? "other versions" : supported.quotedList)",
                    hint: "pin a version the server supports, or remove `protocolVersion`",
                    context: context(MCPMethod.initialize), underlying: error)
            }
            throw initializeFailure(error)
        }
        guard let initialized = MCPWire.InitializeResult(result) else {
            throw ClientError(
                code: .protocolViolation, message: "the initialize result has no protocolVersion",
                context: context(MCPMethod.initialize))
        }
        guard Self.supportedProtocolVersions.contains(initialized.protocolVersion),
            !pinned || initialized.protocolVersion == offered
        else {
            let chosen = initialized.protocolVersion
            throw ClientError(
                code: .unsupportedVersion(chosen),
                message:
                    "the server chose protocol version '\(chosen)', but mcp-run offered '\(offered)'"
                    + (pinned ? " (pinned with `protocolVersion`)" : ""),
                hint: pinned
                    ? "pin a version the server supports ('\(chosen)'), or remove `protocolVersion`"
                    : "mcp-run speaks \(Self.supportedProtocolVersions.quotedList); use a server that supports one of them",
                context: context(MCPMethod.initialize))
        }
        protocolVersion = initialized.protocolVersion
        serverInfo = initialized.serverInfo
        serverCapabilities = initialized.capabilities
        await transport.didInitialize(protocolVersion: initialized.protocolVersion)
        try await notify(MCPMethod.initialized, params: nil)
        if logger.isTracing {
            logger.trace("[\(name)] initialized: protocol \(protocolVersion), server \(serverInfo.serialized())")
        }
    }

    /// A JSON-RPC error or a timeout answering `initialize` as the connection failure it is
    /// (contract §6: exit 4, never a step failure): `.rpc` becomes `.protocolViolation` (keeping
    /// `rpcData`, with the `.rpc` error as `underlying`) and `.timedOut` becomes `.unreachable`.
    /// Other codes are kept.
    private func initializeFailure(_ error: ClientError, method: String = MCPMethod.initialize) -> ClientError {
        let failure: (code: ClientError.Code, message: String, hint: String)
        switch error.code {
        case .rpc(let code, let message, _):
            failure = (
                .protocolViolation, "the server answered '\(method)' with error \(code): \(message)",
                "the server refused to start a session; check its logs, and that it speaks MCP \(Self.supportedProtocolVersions.quotedList)"
            )
        case .timedOut:
            failure = (
                .unreachable, "the server did not answer '\(method)' within \(requestTimeout.humanReadable)",
                "check that the server is an MCP server and that it starts; raise the server's `timeout` if it is slow to start"
            )
        default:
            return error
        }
        return ClientError(
            code: failure.code, message: failure.message, hint: failure.hint, context: context(method),
            underlying: error)
    }

    /// Ends the session: pending requests fail with `.closed`, queued answers are flushed (up to
    /// 2 s), the transport is closed (stdio: staged shutdown; HTTP: DELETE), and the owned tasks
    /// are awaited. Idempotent; suspends for at most about 8 s.
    package func close() async {
        guard !isClosed else { return }
        isClosed = true
        // Before the outbox is finished: over stdio, its notifications/cancelled goes out first.
        let listening = endSubscription(because: "the run is over")
        failPending(ClientError(code: .closed, message: "the session was closed", context: context(nil)))
        outbox.finish()
        if let writeTask {
            let finished = (try? await withTimeout(.seconds(2)) { await writeTask.value }) != nil
            if !finished { writeTask.cancel() }
        }
        if let listening {
            // Cancelled (HTTP) or answered by `failPending` (stdio): it ends at once; bounded all the same.
            if (try? await withTimeout(.seconds(2)) { await listening.value }) == nil { listening.cancel() }
        }
        await transport.close()
        readTask?.cancel()
        await readTask?.value
        readTask = nil
        writeTask = nil
    }

    // MARK: - Requests

    /// The most pages one listing follows (contract §8, Lists): a server that keeps sending new
    /// cursors fails the listing here instead of being paged forever.
    package static let maxListPages = 100
    /// The most items one listing collects, whatever the pages' sizes.
    package static let maxListItems = 10_000

    /// Lists every tool, following `nextCursor` (MCP 2025-11-25, Tools; Pagination) within the
    /// limits of `listAll`; in a modern session with a list cache, a list still fresh from an
    /// earlier listing is used instead (`cachedList`), unless `fresh`.
    /// - Throws: `ClientError` (`.rpc` for a JSON-RPC error, `.protocolViolation` for a malformed
    ///   page or a listing over `maxListPages`/`maxListItems`, `.timedOut` when the whole listing
    ///   outlasts the request timeout, `.closed`).
    package func listTools(fresh: Bool = false) async throws(ClientError) -> [ToolDescription] {
        var tools: [ToolDescription]
        if !fresh, let cached = cachedList(MCPMethod.toolsList),
            let decoded = try? MCPWire.toolsPage(MCPWire.toolsResult(cached)).tools
        {
            tools = decoded
        } else {
            let listed = try await listAll(MCPMethod.toolsList, noun: "tools") {
                result throws(JSONRPCDecodingError) in
                let page = try MCPWire.toolsPage(result)
                return (page.tools, page.nextCursor)
            }
            keepList(listed.items.map(\.raw), method: MCPMethod.toolsList, hints: listed.hints)
            tools = listed.items
        }
        guard sendsModernHeaders else { return tools }
        // Modern Streamable HTTP (MCP 2026-07-28): a tool whose `x-mcp-header` annotations break
        // the spec's rules is left out of the list, with a warning; the others' are kept for
        // their calls' `Mcp-Param-*` headers.
        var kept: [ToolDescription] = []
        for tool in tools {
            do {
                let parameters = try ModernHeaders.parameters(in: tool.inputSchema)
                toolHeaderParameters[tool.name] = parameters.isEmpty ? nil : parameters
                kept.append(tool)
            } catch {
                toolHeaderParameters[tool.name] = nil
                logger.warning(
                    "server '\(name)': left out tool '\(TerminalText.neutralized(tool.name))': \(error.reason)")
            }
        }
        tools = kept
        return tools
    }

    /// The `method` list cached by an earlier listing and still fresh, when this session is
    /// modern and has a list cache: the credential's own list first, then a public one (MCP
    /// 2026-07-28, Caching, `cacheScope`). Legacy sessions never use the cache: their results
    /// carry no caching hints.
    func cachedList(_ method: String) -> [JSONValue]? {
        guard let (cache, identity) = listCache, let version = modernVersion else { return nil }
        for credential in [identity.credential, "public"].compactMap({ $0 }) {
            let key = ListCache.Key(
                server: identity.server, credential: credential, protocolVersion: version, method: method)
            if let hit = cache.read(key) {
                let what = method == MCPMethod.serverDiscover ? "result" : "list"
                logger.trace(
                    "[\(name)] \(method): using the cached \(what) (\(credential == "public" ? "public" : "this credential's"), fresh for another \(hit.freshFor.humanReadable)); --no-cache lists afresh"
                )
                return hit.items
            }
        }
        return nil
    }

    /// Keeps a `method` list for its `ttlMs` when this session is modern and has a list cache:
    /// under the credential's key, or the public key for a `cacheScope: "public"` list. A list
    /// that is immediately stale (`ttlMs` 0 or absent) is not kept, and a write that fails is
    /// only traced.
    func keepList(_ items: [JSONValue], method: String, hints: ListHints) {
        guard let (cache, identity) = listCache, let version = modernVersion, hints.ttlMilliseconds > 0,
            let credential = hints.isPublic ? "public" : identity.credential
        else { return }
        let key = ListCache.Key(
            server: identity.server, credential: credential, protocolVersion: version, method: method)
        do throws(ListCacheError) {
            try cache.write(items, for: key, ttlMilliseconds: hints.ttlMilliseconds)
            logger.trace(
                "[\(name)] \(method): cached the \(method == MCPMethod.serverDiscover ? "result" : "list") for \(Duration.milliseconds(min(hints.ttlMilliseconds, ListCache.maxTTLMilliseconds)).humanReadable) (\(hints.isPublic ? "public" : "private") scope)"
            )
        } catch {
            logger.trace("[\(name)] \(method): the list was not cached: \(error.message)")
        }
    }

    /// Drops the `method` list cached for this session's credential, and the public one (the
    /// server said the list changed); returns whether there was one.
    func forgetCachedList(_ method: String) -> Bool {
        guard let (cache, identity) = listCache, let version = modernVersion else { return false }
        var removed = false
        for credential in [identity.credential, "public"].compactMap({ $0 }) {
            let key = ListCache.Key(
                server: identity.server, credential: credential, protocolVersion: version, method: method)
            if cache.remove(key) { removed = true }
        }
        return removed
    }

    /// The caching hints of a whole listing: the shortest `ttlMs` of its pages, and public only
    /// when every page is.
    package struct ListHints: Sendable, Equatable {
        /// How long the whole list stays fresh, in milliseconds.
        package var ttlMilliseconds: Int
        /// Whether every page's `cacheScope` is `"public"`.
        package var isPublic: Bool
    }

    /// Whether requests carry the modern HTTP headers (a modern session over HTTP).
    private var sendsModernHeaders: Bool { modernVersion != nil && transport is any HTTPTransport }

    /// Follows a paginated list (`tools/list`, and any other `*/list` with `cursor`/`nextCursor`)
    /// to its end (contract §8, Lists).
    ///
    /// Every server-driven loop has a cap (issue #8): at most `maxListPages` pages and
    /// `maxListItems` items, all within one request timeout (not one per page). An absent or
    /// empty `nextCursor` ends the list, and so does a cursor the server already sent (a server
    /// that loops), which is traced.
    func listAll<Item>(
        _ method: String, noun: String,
        page decode: (JSONValue) throws(JSONRPCDecodingError) -> (items: [Item], nextCursor: String?)
    ) async throws(ClientError) -> (items: [Item], hints: ListHints) {
        let clock = ContinuousClock()
        let end = clock.now + requestTimeout
        var items: [Item] = []
        var cursor: String?
        var seen: Set<String> = []
        var pages = 0
        var hints = ListHints(ttlMilliseconds: .max, isPublic: true)
        while true {
            if pages == Self.maxListPages || items.count > Self.maxListItems {
                let what = pages == Self.maxListPages ? "\(Self.maxListPages) pages" : "\(Self.maxListItems) \(noun)"
                throw ClientError(
                    code: .protocolViolation,
                    message:
                        "the server's '\(method)' was still sending a nextCursor after \(what) (\(items.count) \(noun) in \(pages) pages); mcp-run stops paging there",
                    hint: "the server pages its list without end; report it to its maintainers",
                    context: context(method))
            }
            let left = end - clock.now
            let result: JSONValue
            do throws(ClientError) {
                guard left > .zero else { throw ClientError.timedOut(method, after: requestTimeout, server: name) }
                result = try await request(method, MCPWire.listParams(cursor: cursor), timeout: left)
            } catch  where error.code == .timedOut && pages > 0 {
                throw ClientError(
                    code: .timedOut,
                    message:
                        "listing the server's \(noun) ('\(method)') did not finish within \(requestTimeout.humanReadable) (\(pages) pages, \(items.count) \(noun) so far)",
                    hint:
                        "raise the server's `timeout` if it has that many \(noun), or report the slow listing to its maintainers",
                    context: context(method), underlying: error)
            }
            pages += 1
            let page: (items: [Item], nextCursor: String?)
            do {
                page = try decode(result)
            } catch {
                throw ClientError(
                    code: .protocolViolation, message: error.message, context: context(method), underlying: error)
            }
            items += page.items
            let pageHints = MCPWire.cacheHints(result)
            hints.ttlMilliseconds = min(hints.ttlMilliseconds, pageHints.ttlMilliseconds)
            hints.isPublic = hints.isPublic && pageHints.isPublic
            guard let next = page.nextCursor, !next.isEmpty else { break }
            guard seen.insert(next).inserted else {
                logger.trace(
                    "[\(name)] '\(method)' repeated the cursor '\(RetryingExchange.printable(next))'; the list ends there"
                )
                break
            }
            cursor = next
        }
        return (items, hints)
    }

    /// Calls a tool and returns its result object (MCP 2025-11-25, Tools, Calling Tools).
    ///
    /// A result with `isError: true` is returned, not thrown. With an observer, the request
    /// carries a progress token so the server may send `notifications/progress` (`progressToken`
    /// when given, else the request id). In a modern session the call answers `input_required`
    /// rounds (`requestAnsweringInput`) and carries the tool's `Mcp-Param-*` headers.
    /// - Parameter timeout: this call's limit; nil for the server's `requestTimeout`.
    /// - Throws: `ClientError`: `.rpc` (JSON-RPC error response, such as an unknown tool),
    ///   `.timedOut` (after sending `notifications/cancelled`), `.cancelled`, `.closed`,
    ///   `.protocolViolation`.
    package func callTool(
        _ name: String, arguments: JSONValue, timeout: Duration?, progressToken: JSONValue? = nil,
        acceptsTasks: Bool = true
    ) async throws(ClientError)
        -> JSONValue
    {
        var params = MCPWire.callToolParams(name: name, arguments: arguments)
        if let progressToken { params = MCPWire.addingProgressToken(progressToken, to: params) ?? params }
        let wantsProgress = progressToken == nil && observer != nil
        let headers = parameterHeaders(tool: name, arguments: arguments)
        let limit = timeout ?? requestTimeout
        let end = ContinuousClock.now + limit
        let result: JSONValue
        do {
            result = try await requestAnsweringInput(
                MCPMethod.toolsCall, params, timeout: timeout, wantsProgress: wantsProgress, headers: headers,
                acceptsTasks: acceptsTasks)
        } catch  where sendsModernHeaders && error.code.rpcCode == MCPWire.ModernError.headerMismatch {
            // The tool's `x-mcp-header` parameters may have changed: list the tools once, then
            // call again with the headers that list declares (MCP 2026-07-28, Client Behavior).
            logger.trace("[\(self.name)] '\(name)' got a header mismatch; listing the tools again, then retrying once")
            _ = try await listTools(fresh: true)
            let headers =
                parameterHeaders(tool: name, arguments: arguments)
            result = try await requestAnsweringInput(
                MCPMethod.toolsCall, params, timeout: timeout, wantsProgress: wantsProgress, headers: headers,
                acceptsTasks: acceptsTasks)
        }
        guard MCPWire.TaskState.isTaskHandle(result) else { return result }
        guard acceptsTasks, modernVersion != nil else {
            throw ClientError(
                code: .protocolViolation,
                message: "the server answered '\(name)' with a task, but mcp-run did not declare the Tasks extension",
                hint: "a server must not create a task for a client that did not ask; report it to its maintainers",
                context: context(MCPMethod.toolsCall))
        }
        return try await awaitTask(result, tool: name, limit: limit, end: end, progressToken: progressToken)
    }

    /// The `Mcp-Param-*` headers of a call of `tool` with `arguments` (none for a tool not listed
    /// or declaring none).
    private func parameterHeaders(tool: String, arguments: JSONValue) -> [HTTPHeader] {
        guard let parameters = toolHeaderParameters[tool] else { return [] }
        return ModernHeaders.parameterHeaders(parameters, arguments: arguments).map { HTTPHeader($0.name, $0.value) }
    }

    /// A request that may be answered `input_required` (MCP 2026-07-28, Multi Round-Trip
    /// Requests): each answer's input requests are answered (elicitation from the workflow's
    /// rules, roots with an empty list) and the request is sent again, with a new id, the
    /// responses and the server's `requestState` echoed exactly, until a complete result, at
    /// most `maxInputRounds` times and all within one timeout.
    private func requestAnsweringInput(
        _ method: String, _ params: JSONValue?, timeout: Duration?, wantsProgress: Bool = false,
        headers: [HTTPHeader] = [], acceptsTasks: Bool = false
    ) async throws(ClientError) -> JSONValue {
        guard modernVersion != nil else {
            return try await request(method, params, timeout: timeout, wantsProgress: wantsProgress, headers: headers)
        }
        let clock = ContinuousClock()
        let limit = timeout ?? requestTimeout
        let end = clock.now + limit
        var sent = params
        var round = 0
        while true {
            let left = round == 0 ? limit : end - clock.now
            guard left > .zero else { throw ClientError.timedOut(method, after: limit, server: name) }
            let result: JSONValue
            do throws(ClientError) {
                result = try await request(
                    method, sent, timeout: left, wantsProgress: wantsProgress, headers: headers,
                    acceptsTasks: acceptsTasks)
            } catch  where error.code == .timedOut && round > 0 {
                throw ClientError.timedOut(method, after: limit, server: name)
            }
            let asked: MCPWire.InputRequired?
            do {
                asked = try MCPWire.InputRequired(result)
            } catch {
                throw ClientError(
                    code: .protocolViolation, message: error.message, context: context(method), underlying: error)
            }
            guard let asked else { return result }
            round += 1
            guard round <= Self.maxInputRounds else {
                throw ClientError(
                    code: .protocolViolation,
                    message: "the server still asked for input after \(Self.maxInputRounds) rounds of '\(method)'",
                    hint:
                        "the server keeps asking; check the workflow's `elicitation` rules, or report it to its maintainers",
                    context: context(method))
            }
            var responses: [String: JSONValue] = [:]
            for input in asked.requests {
                responses[input.key] = try inputResponse(input.method, input.params, for: method)
            }
            logger.trace(
                "[\(name)] '\(method)' needs input (round \(round)): answered \(asked.requests.map(\.key).quotedList)"
                    + (asked.requestState == nil ? "" : ", echoing its requestState"))
            sent = MCPWire.retryParams(params, inputResponses: responses, requestState: asked.requestState)
        }
    }

    /// The answer to one input request of an `input_required` result.
    func inputResponse(
        _ asked: String, _ params: JSONValue, for method: String
    ) throws(ClientError)
        -> JSONValue
    {
        switch asked {
        case MCPMethod.elicitationCreate: return elicitation?(params) ?? MCPWire.declineElicitationResult
        case MCPMethod.rootsList: return MCPWire.emptyRootsResult
        default:
            throw ClientError(
                code: .protocolViolation,
                message:
                    "the server asked for '\(TerminalText.neutralized(asked))' to complete '\(method)', which mcp-run does not answer",
                hint: "mcp-run answers elicitation and roots only; the server must not ask for more",
                context: context(method))
        }
    }

    /// Reads a resource (MCP 2025-11-25, Resources, Reading Resources); returns the result object.
    /// - Throws: `ClientError`, as `callTool`.
    package func readResource(_ uri: String, timeout: Duration?) async throws(ClientError) -> JSONValue {
        try await requestAnsweringInput(MCPMethod.resourcesRead, MCPWire.readResourceParams(uri: uri), timeout: timeout)
    }

    /// Gets a prompt (MCP 2025-11-25, Prompts, Getting a Prompt); returns the result object.
    /// - Throws: `ClientError`, as `callTool`.
    package func getPrompt(
        _ name: String, arguments: JSONValue, timeout: Duration?
    ) async throws(ClientError)
        -> JSONValue
    {
        try await requestAnsweringInput(
            MCPMethod.promptsGet, MCPWire.getPromptParams(name: name, arguments: arguments), timeout: timeout)
    }

    /// Sends a request and awaits its result (STYLE.md §5).
    ///
    /// Registers the reply slot before sending; the send and the wait both run under
    /// `withTimeout` (a Streamable HTTP send reads its response stream inline), whose
    /// `RequestDeadline` stops counting while an OAuth login is waited for. A timeout or a
    /// cancelled caller queues `notifications/cancelled` on the writer, whose task is not
    /// cancelled, so the notice reaches the wire either way.
    /// - Throws: `ClientError` with `context.server` and `context.method` set.
    package func request(
        _ method: String, _ params: JSONValue?, timeout: Duration?, wantsProgress: Bool = false,
        headers: [HTTPHeader] = [], acceptsTasks: Bool = false
    ) async throws(ClientError) -> JSONValue {
        if let ended { throw ended.adding(context(method)) }
        guard !isClosed else {
            throw ClientError(code: .closed, message: "the session was closed", context: context(method))
        }
        let (id, reply) = reserveRequest()
        defer { waiting[id] = nil }
        var sentParams = params
        if let modernVersion {
            // The log messages a legacy server sends unasked are asked for (deprecated in
            // 2026-07-28, but kept in the step's log as contract §8 says).
            let logLevel = observer != nil && Self.requestScopedMethods.contains(method) ? "debug" : nil
            sentParams = MCPWire.addingModernMeta(
                to: sentParams, protocolVersion: modernVersion, clientName: Self.clientName,
                clientVersion: Self.clientVersion, logLevel: logLevel,
                acceptsTasks: acceptsTasks || MCPWire.TaskMethod.contains(method))
        }
        if wantsProgress { sentParams = MCPWire.addingProgressToken(id.jsonValue, to: sentParams) }
        let message = JSONRPCMessage.request(id: id, method: method, params: sentParams)
        trace("→", message)
        let transport = self.transport
        let limit = timeout ?? requestTimeout
        // A login the request has to wait for (OAuth) does not count against its limit.
        let deadline = RequestDeadline(limit)
        do {
            return try await RequestDeadline.$current.withValue(deadline) {
                try await withTimeout(deadline) {
                    // An answer the transport hands back is routed here, on this task, so the
                    // wait below finds it without a trip through the read loop.
                    let answer =
                        headers.isEmpty
                        ? try await transport.sendReturningAnswer(message)
                        : try await transport.sendReturningAnswer(message, headers: headers)
                    if let answer {
                        await self.handle(.message(answer))
                    }
                    for try await value in reply { return value }
                    throw CancellationError()
                }
            }
        } catch let error as TimeoutError {
            sendCancelled(id, method: method, reason: "timed out after \(error.duration.humanReadable)")
            throw ClientError.timedOut(method, after: limit, server: name)
        } catch is CancellationError {
            sendCancelled(id, method: method, reason: "the client cancelled the request")
            throw ClientError(
                code: .cancelled, message: "'\(method)' was cancelled", context: context(method),
                underlying: CancellationError())
        } catch let error as ClientError {
            throw error.adding(context(method))
        } catch {
            throw ClientError(
                code: .closed, message: "'\(method)' failed: \(error)", context: context(method), underlying: error)
        }
    }

    /// A new request id and the slot its answer (or error) is routed to, registered before the
    /// request is sent so a fast reply cannot be lost; the caller removes it (`releaseRequest`).
    func reserveRequest() -> (id: RequestID, reply: AsyncThrowingStream<JSONValue, any Error>) {
        nextID += 1
        let id = RequestID.number(nextID)
        let (reply, slot) = AsyncThrowingStream<JSONValue, any Error>.makeStream()
        waiting[id] = slot
        return (id, reply)
    }

    /// Forgets request `id`'s slot; with `finishing`, its waiter sees the stream end unanswered.
    func releaseRequest(_ id: RequestID, finishing: Bool = false) {
        let slot = waiting.removeValue(forKey: id)
        if finishing { slot?.finish() }
    }

    /// Queues `notifications/cancelled` for request `id` on the writer (MCP 2025-11-25,
    /// Cancellation); `initialize` is never cancelled, as the spec requires, nor the
    /// `server/discover` probe (a legacy server has no session to cancel it in). A modern
    /// session over HTTP sends nothing: closing the request's response stream, which the
    /// cancelled exchange did, is the cancellation (MCP 2026-07-28, Streamable HTTP,
    /// Cancellation).
    private func sendCancelled(_ id: RequestID, method: String, reason: String) {
        guard method != MCPMethod.initialize, method != MCPMethod.serverDiscover, !isClosed, !sendsModernHeaders
        else { return }
        let notice = JSONRPCMessage.cancelled(id, reason: reason)
        trace("→", notice)
        outbox.yield(notice)
    }

    /// Sends a notification directly, bounded by the request timeout.
    private func notify(_ method: String, params: JSONValue?) async throws(ClientError) {
        let message = JSONRPCMessage.notification(method: method, params: params)
        trace("→", message)
        let transport = self.transport
        do {
            try await withTimeout(requestTimeout) { try await transport.send(message) }
        } catch let error as ClientError {
            throw error.adding(context(method))
        } catch is TimeoutError {
            throw ClientError.timedOut(method, after: requestTimeout, server: name)
        } catch {
            throw ClientError(code: .cancelled, message: "'\(method)' was cancelled", context: context(method))
        }
    }

    // MARK: - Incoming

    private func handle(_ event: TransportEvent) {
        switch event {
        case .message(let message):
            trace("←", message)
            route(message)
        case .malformed(let text):
            logger.trace("[\(name)] ignored: \(text)")
        case .ended(let error):
            let error = error.adding(context(nil))
            ended = error
            logger.trace("[\(name)] connection ended: \(error.message)")
            failPending(error)
        }
    }

    private func transportFinished() {
        guard ended == nil else { return }
        let error = ClientError(code: .closed, message: "the connection to the server ended", context: context(nil))
        ended = error
        failPending(error)
    }

    private func route(_ message: JSONRPCMessage) {
        switch message {
        case .response(let id, let result):
            guard let slot = waiting[id] else {
                logger.trace("[\(name)] ignored a response to unknown request \(id)")
                return
            }
            slot.yield(result)
            slot.finish()
        case .errorResponse(let id, let error):
            guard let id, let slot = waiting[id] else {
                logger.trace("[\(name)] ignored an error response (\(error.code) \(error.message))")
                return
            }
            slot.finish(
                throwing: ClientError(
                    code: .rpc(code: error.code, message: error.message, data: error.data),
                    message: "the server answered with error \(error.code): \(error.message)",
                    hint: error.code == JSONRPCError.methodNotFound
                        ? "the server does not support this request; check the tool, resource or prompt name" : nil))
        case .request(let id, let method, let params):
            outbox.yield(answer(to: id, method: method, params: params))
        case .notification(let method, let params):
            if let subscriptionID = MCPWire.subscriptionID(in: params) {
                receive(method, params, onSubscription: subscriptionID)
                return
            }
            if method == MCPMethod.cancelled {
                let cancelled = MCPWire.cancelledRequestID(params)
                if let cancelled, cancelled == subscription?.id {
                    serverEndedSubscription(cancelled)
                    return
                }
                logger.trace("[\(name)] the server cancelled request \(cancelled.map { "\($0)" } ?? "?")")
                return
            }
            listChanged(method)
            observer?(MCPWire.notification(method: method, params: params))
        }
    }

    /// The answer to a server-to-client request (contract §8).
    private func answer(to id: RequestID, method: String, params: JSONValue?) -> JSONRPCMessage {
        let answer: JSONRPCMessage
        switch method {
        case MCPMethod.ping:
            answer = .response(id: id, result: MCPWire.pingResult)
        case MCPMethod.rootsList:
            answer = .response(id: id, result: MCPWire.emptyRootsResult)
        case MCPMethod.elicitationCreate:
            answer = .response(id: id, result: elicitation?(params ?? [:]) ?? MCPWire.declineElicitationResult)
        default:
            answer = .errorResponse(
                id: id,
                error: JSONRPCError(code: JSONRPCError.methodNotFound, message: "mcp-run does not support '\(method)'"))
        }
        trace("→", answer)
        return answer
    }

    private func failPending(_ error: ClientError) {
        for slot in waiting.values { slot.finish(throwing: error) }
        waiting.removeAll()
    }

    func context(_ method: String?) -> ErrorContext { ErrorContext(server: name, method: method) }

    func trace(_ direction: String, _ message: JSONRPCMessage) {
        guard logger.isTracing else { return }
        // Masked before the cut, so a secret straddling it is not left half shown.
        let text = logger.masker.mask(message.jsonValue.serialized())
        let shown = text.utf8.count > 4096 ? String(text.prefix(4096)) + "… (\(text.utf8.count) bytes)" : text
        logger.trace("[\(name)] \(direction) \(shown)")
    }
}
