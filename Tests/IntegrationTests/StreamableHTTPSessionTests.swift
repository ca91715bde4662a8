import Basics
import HTTP
import TestSupport
import Testing

@testable import MCPClient

/// The fixture `tools.py` over Streamable HTTP, in both response modes (MCP 2025-11-25,
/// Transports, Streamable HTTP).
///
/// One server per mode (with bearer auth on, so every request must carry the configured header)
/// serves all the checks: starting a Python server costs seconds on a loaded machine.
@Suite("ServerSession over Streamable HTTP against tools.py", .serialized, .timeLimit(.minutes(4)))
struct StreamableHTTPSessionTests {
    enum Mode: String, CaseIterable, Sendable {
        case json = "JSON responses"
        case sse = "SSE responses"

        var arguments: [String] {
            switch self {
            case .json: return ["--transport", "streamable-http", "--json-response", "--auth", "bearer"]
            case .sse: return ["--transport", "streamable-http", "--auth", "bearer"]
            }
        }
    }

    static let token = "t0k3n-fake-bearer"
    static var authorization: [HTTPHeader] {
        [HTTPHeader(name: "Authorization", value: .secret(Secret("Bearer \(token)")))]
    }

    @Test("a session does every client behaviour in each response mode", arguments: Mode.allCases)
    func everything(mode: Mode) async throws {
        try await withServer("tools.py", arguments: mode.arguments, environment: ["FIXTURE_TOKEN": Self.token]) {
            server in
            try await common(url: server.url())
            try await headersAndTrace(url: server.url())
            try await unauthorized(url: server.url())
            try await closeDeletesSession(url: server.url())
            if mode == .sse { try await notificationsOnStream(url: server.url()) }
        }
    }

    func withSession<R>(
        url: String, logger: Logger = .silent, observer: (@Sendable (ServerNotification) -> Void)? = nil,
        _ body: (ServerSession) async throws -> R
    ) async throws -> R {
        let config = ServerConfig(
            name: "tools", endpoint: .http(url: url, transport: .streamableHTTP), headers: Self.authorization,
            requestTimeout: .seconds(30))
        let session = try await ServerSession.open(config, logger: logger, observer: observer)
        do {
            let result = try await body(session)
            await session.close()
            return result
        } catch {
            await session.close()
            throw error
        }
    }

    /// initialize, tools, results, resources, prompts, concurrency, timeout + cancellation.
    func common(url: String) async throws {
        try await withSession(url: url) { session in try await SessionChecks.all(session) }
    }

    /// The configured headers reach the server; the trace shows messages but never header values.
    func headersAndTrace(url: String) async throws {
        let lines = Locked<[String]>([])
        let logger = Logger(level: .verbose) { line in lines.withLock { $0.append(line) } }
        try await withSession(url: url, logger: logger) { session in
            let who = try await session.callTool("whoami", arguments: [:], timeout: nil)
            #expect(who["structuredContent"]?["authorizationScheme"] == "Bearer")
        }
        #expect(lines.value.contains { $0.contains("tools/call") && $0.contains("whoami") })
        #expect(!lines.value.contains { $0.contains(Self.token) })
    }

    /// A 401 is `.unauthorized`, even when negotiating (never a fallback), and the wrong
    /// credential does not appear in the error.
    func unauthorized(url: String) async throws {
        let config = ServerConfig(
            name: "guarded", endpoint: .http(url: url, transport: .negotiate),
            headers: [HTTPHeader(name: "Authorization", value: .secret(Secret("Bearer wrong-token")))])
        let error = await #expect(throws: ClientError.self) { try await ServerSession.open(config, logger: .silent) }
        #expect(error?.code == .unauthorized(401))
        #expect(error?.context.server == "guarded")
        #expect(error.map { "\($0) \($0.hint ?? "")".contains("wrong-token") } == false)
    }

    /// close() DELETEs the session: its id is refused afterwards.
    func closeDeletesSession(url: String) async throws {
        let transport = StreamableHTTPTransport(
            url: url, headers: Self.authorization, serverName: "tools", logger: .silent)
        let session = try await ServerSession.open(transport: transport, name: "tools", logger: .silent)
        let sessionID = try #require(await transport.currentSessionID)
        _ = try await session.callTool("echo", arguments: ["text": "x"], timeout: nil)
        await session.close()
        let ping = JSONRPCMessage.request(id: .number(99), method: "ping", params: nil)
        let response = try await HTTPClient.shared.send(
            HTTPRequest(
                method: "POST", url: url,
                headers: Self.authorization + [
                    HTTPHeader(MCPHeader.accept, MCPHeader.acceptPost),
                    HTTPHeader(MCPHeader.contentType, MCPHeader.json),
                    HTTPHeader(MCPHeader.sessionID, sessionID),
                ], body: ping.serializedBytes, timeout: .seconds(10)))
        _ = try? await response.body.collect(limit: 1 << 20)
        #expect(response.status == 404)
    }

    /// Log and progress notifications on a POST's SSE stream reach the observer before the result.
    func notificationsOnStream(url: String) async throws {
        let seen = Locked<[ServerNotification]>([])
        try await withSession(url: url, observer: { note in seen.withLock { $0.append(note) } }) { session in
            let result = try await session.callTool(
                "log", arguments: ["message": "hello log", "level": "warning"], timeout: nil)
            #expect(result["content"]?[0]?["text"] == "logged")
            #expect(seen.value.contains { if case .log(_, _, let data) = $0 { data == "hello log" } else { false } })
            _ = try await session.callTool("progress", arguments: ["steps": 3, "interval_ms": 0], timeout: nil)
            let progress = seen.value.filter { if case .progress = $0 { true } else { false } }
            #expect(progress.count == 3)
        }
    }

    @Test("an unreachable URL is .unreachable")
    func unreachableURL() async throws {
        let config = ServerConfig(
            name: "nowhere", endpoint: .http(url: "http://127.0.0.1:9/mcp", transport: .streamableHTTP),
            requestTimeout: .seconds(10))
        let error = await #expect(throws: ClientError.self) { try await ServerSession.open(config, logger: .silent) }
        #expect(error?.code == .unreachable)
        #expect(error?.context.server == "nowhere")
    }
}
