import Basics
import HTTP
import Testing

@testable import MCPClient

/// Awaiting a task against an in-process modern peer, for what fastmcp-tasks (the real peer of
/// `TaskTests`) never sends: a task to a client that did not declare the extension, a poll
/// answered with another task's id, a completed task without its result.
@Suite("awaiting a task against a double", .timeLimit(.minutes(1)))
struct TaskAwaitTests {
    /// A modern peer: discovery, then `tools/call` answered with a task handle for `t1` (whatever
    /// the capabilities say) and `tasks/get` answered with `poll`; anything else with `{}`.
    static func peer(poll: @escaping @Sendable () -> JSONValue) -> InProcessHTTPServer {
        InProcessHTTPServer { request, _ in
            switch request.message {
            case .request(let id, MCPMethod.serverDiscover, _):
                return VersionNegotiationTests.discovered(id)
            case .request(let id, MCPMethod.toolsCall, _):
                return InProcessHTTPServer.json(
                    .response(
                        id: id,
                        result: ["resultType": "task", "taskId": "t1", "status": "working", "pollIntervalMs": 10]))
            case .request(let id, MCPWire.TaskMethod.get, _):
                return InProcessHTTPServer.json(.response(id: id, result: poll()))
            case .request(let id, _, _):
                return InProcessHTTPServer.json(.response(id: id, result: [:]))
            default:
                return InProcessHTTPServer.response(202)
            }
        }
    }

    /// Calls `crunch` on a modern session with `server`; returns the error it throws, nil when it
    /// returns a result.
    static func failure(_ server: InProcessHTTPServer, acceptsTasks: Bool = true) async throws -> ClientError? {
        let session = try await VersionNegotiationTests.open(server)
        var failure: ClientError?
        do throws(ClientError) {
            _ = try await session.callTool("crunch", arguments: [:], timeout: .seconds(10), acceptsTasks: acceptsTasks)
        } catch {
            failure = error
        }
        await session.close()
        return failure
    }

    @Test("a task handed to a call that did not declare the extension is a protocol violation")
    func undeclared() async throws {
        let server = Self.peer { ["taskId": "t1", "status": "completed", "result": ["content": []]] }
        let error = try #require(try await Self.failure(server, acceptsTasks: false))
        #expect(error.code == .protocolViolation)
        #expect(error.message.contains("did not declare the Tasks extension"), "\(error)")
        let call = await server.requests.first { $0.message?.method == MCPMethod.toolsCall }
        guard case .request(_, _, let params)? = call?.message else {
            Issue.record("no tools/call")
            return
        }
        #expect(params?["_meta"]?["io.modelcontextprotocol/clientCapabilities"]?["extensions"] == nil)
        #expect(await !server.requests.contains { $0.message?.method == MCPWire.TaskMethod.get })
    }

    @Test("a poll answered with another task's id, or a completed task without a result, is a protocol violation")
    func malformedPolls() async throws {
        let otherTask = try #require(try await Self.failure(Self.peer { ["taskId": "t2", "status": "working"] }))
        #expect(otherTask.code == .protocolViolation)
        #expect(otherTask.message.contains("another task's id"), "\(otherTask)")
        let noResult = try #require(try await Self.failure(Self.peer { ["taskId": "t1", "status": "completed"] }))
        #expect(noResult.code == .protocolViolation)
        #expect(noResult.message.contains("no \"result\""), "\(noResult)")
    }

    @Test("the polls carry the task id as Mcp-Name and declare the extension")
    func pollHeaders() async throws {
        let server = Self.peer {
            ["taskId": "t1", "status": "completed", "result": ["content": [], "isError": false]]
        }
        let session = try await VersionNegotiationTests.open(server)
        let result = try await session.callTool("crunch", arguments: [:], timeout: .seconds(10))
        await session.close()
        #expect(result == ["content": [], "isError": false])
        let poll = try #require(await server.requests.first { $0.message?.method == MCPWire.TaskMethod.get })
        #expect(poll.header(MCPHeader.name) == "t1")
        #expect(poll.header(MCPHeader.method) == "tasks/get")
        guard case .request(_, _, let params) = poll.message else { throw ClientError.protocolViolation("no request") }
        #expect(
            params?["_meta"]?["io.modelcontextprotocol/clientCapabilities"]?["extensions"]
                == ["io.modelcontextprotocol/tasks": [:]])
    }
}
