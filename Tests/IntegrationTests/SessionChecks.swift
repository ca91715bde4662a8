import Basics
import Foundation
import Testing

@testable import MCPClient

/// Behaviours every transport must show against the fixture `tools.py`.
enum SessionChecks {
    static func all(_ session: ServerSession) async throws {
        try await initialized(session)
        try await tools(session)
        try await toolResults(session)
        try await resourcesAndPrompts(session)
        try await concurrent(session)
        try await timeoutKeepsSessionUsable(session)
    }

    static func initialized(_ session: ServerSession) async throws {
        #expect(ServerSession.knownProtocolVersions.contains(await session.protocolVersion))
        #expect(await session.serverInfo["name"] == "mcp-run-fixture-tools")
    }

    static func tools(_ session: ServerSession) async throws {
        let tools = try await session.listTools()
        let names = Set(tools.map(\.name))
        #expect(names.isSuperset(of: ["echo", "add", "sleep", "large", "fail", "protocol_error", "env"]))
        let echo = try #require(tools.first { $0.name == "echo" })
        #expect(echo.inputSchema["properties"]?["text"] != nil)
    }

    static func toolResults(_ session: ServerSession) async throws {
        let echo = try await session.callTool("echo", arguments: ["text": "héllo ✓"], timeout: nil)
        #expect(echo["content"]?[0]?["text"] == "héllo ✓")
        #expect(echo["isError"] != true)

        let add = try await session.callTool("add", arguments: ["a": 2, "b": 40], timeout: nil)
        #expect(add["structuredContent"] == ["result": 42])

        let fail = try await session.callTool("fail", arguments: ["message": "nope"], timeout: nil)
        #expect(fail["isError"] == true)
        #expect(fail["content"]?[0]?["text"]?.stringValue?.contains("nope") == true)

        let error = await #expect(throws: ClientError.self) {
            try await session.callTool("protocol_error", arguments: ["code": -32042, "message": "bad"], timeout: nil)
        }
        #expect(error?.code == .rpc(code: -32042, message: "bad", data: ["fixture": true]))
        #expect(error?.context.method == "tools/call")

        let kb = 2048
        let large = try await session.callTool("large", arguments: ["kb": .integer(kb)], timeout: nil)
        let text = try #require(large["content"]?[0]?["text"]?.stringValue)
        #expect(text.utf8.count == kb * 1024)
        #expect(text.hasPrefix("0123456789abcdef"))
    }

    static func resourcesAndPrompts(_ session: ServerSession) async throws {
        let resource = try await session.readResource("fixture://greeting", timeout: nil)
        #expect(resource["contents"]?[0]?["uri"] == "fixture://greeting")
        #expect(resource["contents"]?[0]?["text"]?.stringValue?.isEmpty == false)
        let prompt = try await session.getPrompt("greet", arguments: ["name": "Ada"], timeout: nil)
        let messages = try #require(prompt["messages"]?.arrayValue)
        #expect(messages.first?["content"]?["text"]?.stringValue?.contains("Ada") == true)
    }

    static func concurrent(_ session: ServerSession) async throws {
        try await withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
            for index in 0..<20 {
                group.addTask {
                    let arguments: JSONValue =
                        index % 2 == 0 ? ["text": .string("n\(index)")] : ["a": .integer(index), "b": 1]
                    let tool = index % 2 == 0 ? "echo" : "add"
                    return (index, try await session.callTool(tool, arguments: arguments, timeout: nil))
                }
            }
            var seen = 0
            for try await (index, result) in group {
                if index % 2 == 0 {
                    #expect(result["content"]?[0]?["text"] == .string("n\(index)"))
                } else {
                    #expect(result["structuredContent"] == ["result": .integer(index + 1)])
                }
                seen += 1
            }
            #expect(seen == 20)
        }
    }

    static func timeoutKeepsSessionUsable(_ session: ServerSession) async throws {
        let error = await #expect(throws: ClientError.self) {
            try await session.callTool("sleep", arguments: ["ms": 5000], timeout: .milliseconds(200))
        }
        #expect(error?.code == .timedOut)
        let after = try await session.callTool("echo", arguments: ["text": "still here"], timeout: nil)
        #expect(after["content"]?[0]?["text"] == "still here")
    }
}
