import Basics
import Foundation
import TestSupport
import Testing

@testable import MCPClient

/// The fixture `tools.py` over stdio (MCP 2025-11-25, Transports, stdio).
@Suite("ServerSession over stdio against tools.py", .timeLimit(.minutes(4)))
struct StdioSessionTests {
    func config(environment: [String: Secret] = [:], timeout: Duration = .seconds(30)) throws -> ServerConfig {
        let (command, arguments) = try fixtureServerCommand("tools.py")
        return ServerConfig(
            name: "tools",
            endpoint: .stdio(command: command, arguments: arguments, environment: environment, directory: nil),
            requestTimeout: timeout)
    }

    func withSession<R>(
        environment: [String: Secret] = [:], _ body: (ServerSession) async throws -> R
    ) async throws -> R {
        let session = try await ServerSession.open(try config(environment: environment), logger: .silent)
        do {
            let result = try await body(session)
            await session.close()
            return result
        } catch {
            await session.close()
            throw error
        }
    }

    @Test("the common session behaviours hold over stdio")
    func common() async throws {
        try await withSession { session in try await SessionChecks.all(session) }
    }

    @Test("the child's environment is allow-listed: a parent variable is invisible, a configured one is seen")
    func environmentAllowListed() async throws {
        // A variable this process surely has and the child must not inherit. (Never setenv here:
        // changing the environment while other tests spawn processes corrupts their copy of it;
        // Process.run crashed on that once.)
        let parentOnly = "MCP_RUN_VENV"
        try #require(ProcessInfo.processInfo.environment[parentOnly] != nil, "tests run with MCP_RUN_VENV set")
        try await withSession(environment: ["FROM_CONFIG": Secret("configured")]) { session in
            let parent = try await session.callTool("env", arguments: ["name": .string(parentOnly)], timeout: nil)
            #expect(parent["structuredContent"]?["value"] == .null)
            let configured = try await session.callTool("env", arguments: ["name": "FROM_CONFIG"], timeout: nil)
            #expect(configured["structuredContent"]?["value"] == "configured")
            let path = try await session.callTool("env", arguments: ["name": "PATH"], timeout: nil)
            #expect(path["structuredContent"]?["value"]?.stringValue?.isEmpty == false)
        }
    }

    @Test("a command that cannot start is .unreachable with a hint")
    func unreachable() async throws {
        let config = ServerConfig(
            name: "nothing",
            endpoint: .stdio(command: "mcp-run-no-such-command", arguments: [], environment: [:], directory: nil))
        let error = await #expect(throws: ClientError.self) { try await ServerSession.open(config, logger: .silent) }
        #expect(error?.code == .unreachable)
        #expect(error?.hint != nil)
        #expect(error?.context.server == "nothing")
    }

    @Test("a child that exits fails the session with .closed naming the status and its stderr")
    func childExits() async throws {
        let python = try fixtureServerCommand("tools.py").command
        let config = ServerConfig(
            name: "dies",
            endpoint: .stdio(
                command: python,
                arguments: ["-c", "import sys; sys.stderr.write('boom: no config\\n'); sys.exit(3)"],
                environment: [:], directory: nil))
        let error = await #expect(throws: ClientError.self) { try await ServerSession.open(config, logger: .silent) }
        #expect(error?.code == .closed)
        #expect(error?.message.contains("status 3") == true)
        #expect(error?.message.contains("boom: no config") == true)
        #expect(error?.context.server == "dies")
    }

    @Test("close() ends the child process: stdin closed, SIGTERM only after the grace period, never SIGKILL")
    func closeEndsChild() async throws {
        let (command, arguments) = try fixtureServerCommand("tools.py")
        let transport = try await StdioTransport.start(
            command: command, arguments: arguments, environment: [:], directory: nil, serverName: "tools",
            logger: .silent)
        let session = try await ServerSession.open(transport: transport, name: "tools", logger: .silent)
        let pid = try await session.callTool("env", arguments: ["name": "PPID"], timeout: nil)
        #expect(pid["structuredContent"] != nil)
        await session.close()
        // Closing stdin ends a well-behaved server (exit 0); on a loaded machine its exit may
        // outlast the 2 s grace and meet SIGTERM. SIGKILL would mean it ignored both.
        let status = await transport.exitStatus
        #expect(status == .exited(0) || status == .signaled(15), "\(String(describing: status))")
        await session.close()
    }

    @Test("the stdio trace shows messages both ways under -v")
    func traces() async throws {
        let lines = Locked<[String]>([])
        let logger = Logger(level: .verbose) { line in lines.withLock { $0.append(line) } }
        let session = try await ServerSession.open(try config(), logger: logger)
        _ = try await session.callTool("echo", arguments: ["text": "traced"], timeout: nil)
        await session.close()
        let all = lines.value
        #expect(all.contains { $0.contains("→") && $0.contains("tools/call") })
        #expect(all.contains { $0.contains("←") && $0.contains("traced") })
    }
}
