import Basics
import Testing

@testable import MCPClient

/// Reading the Tasks extension's task objects (SEP-2663) and the wire around them: what the
/// end-to-end tests against fastmcp-tasks cannot show, the malformed shapes a server could send.
@Suite("Tasks extension wire")
struct TaskWireTests {
    @Test("a task handle is told apart by resultType 'task' alone")
    func handle() {
        #expect(MCPWire.TaskState.isTaskHandle(["resultType": "task", "taskId": "t"]))
        #expect(!MCPWire.TaskState.isTaskHandle(["resultType": "complete", "taskId": "t"]))
        #expect(!MCPWire.TaskState.isTaskHandle(["content": [], "taskId": "t"]))
    }

    @Test("a task is read with its status, message, interval, result and input requests")
    func reads() throws {
        let working = try MCPWire.TaskState(
            ["taskId": "t1", "status": "working", "statusMessage": "step 1", "pollIntervalMs": 250])
        #expect(working.taskID == "t1" && working.status == .working && !working.status.isTerminal)
        #expect(working.statusMessage == "step 1")
        #expect(working.pollInterval == .milliseconds(250))
        let done = try MCPWire.TaskState(["taskId": "t1", "status": "completed", "result": ["content": []]])
        #expect(done.status.isTerminal && done.result == ["content": []])
        #expect(done.pollInterval == nil)
        let asking = try MCPWire.TaskState([
            "taskId": "t1", "status": "input_required",
            "inputRequests": [
                "b": ["method": "roots/list"], "a": ["method": "elicitation/create", "params": ["x": 1]],
            ],
        ])
        #expect(asking.inputRequests.map(\.key) == ["a", "b"])
        #expect(asking.inputRequests.first?.params == ["x": 1])
        // A negative interval is no interval: the client's default applies.
        #expect(try MCPWire.TaskState(["taskId": "t", "status": "working", "pollIntervalMs": -5]).pollInterval == nil)
    }

    @Test(
        "a malformed task is refused: no id, an unknown status, a completed task without a result, an input request without a method",
        arguments: [
            ["status": "working"],
            ["taskId": "", "status": "working"],
            ["taskId": "t", "status": "running"],
            ["taskId": "t", "status": "completed"],
            ["taskId": "t", "status": "completed", "result": "done"],
            ["taskId": "t", "status": "input_required", "inputRequests": ["a": ["params": [:]]]],
        ] as [JSONValue])
    func refuses(task: JSONValue) {
        #expect(throws: JSONRPCDecodingError.self) { try MCPWire.TaskState(task) }
    }

    @Test("the extension's methods carry the task id as Mcp-Name, and declare the extension in _meta")
    func headersAndMeta() {
        for method in [MCPWire.TaskMethod.get, MCPWire.TaskMethod.update, MCPWire.TaskMethod.cancel] {
            let headers = ModernHeaders.standard(
                method: method, params: MCPWire.taskParams("abc-1"), protocolVersion: "2026-07-28")
            #expect(headers.contains { $0.name == MCPHeader.name && $0.value == "abc-1" }, "\(method)")
        }
        let extensions = MCPWire.addingModernMeta(
            to: [:], protocolVersion: "2026-07-28", clientName: "c", clientVersion: "1", acceptsTasks: true)?["_meta"]?[
                "io.modelcontextprotocol/clientCapabilities"]?["extensions"]
        #expect(extensions == ["io.modelcontextprotocol/tasks": [:]])
        let without = MCPWire.addingModernMeta(
            to: [:], protocolVersion: "2026-07-28", clientName: "c", clientVersion: "1")?["_meta"]?[
                "io.modelcontextprotocol/clientCapabilities"]?["extensions"]
        #expect(without == nil)
    }
}
