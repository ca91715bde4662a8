import Basics
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tool calls the server turns into tasks (the Tasks extension, `io.modelcontextprotocol/tasks`,
/// SEP-2663), through the binary against `fixtures/servers/tasks.py`: FastMCP with `fastmcp-tasks`,
/// the extension's real implementation, on the official Python SDK 2.3.0. The fixture prints
/// every request it receives (`SEEN <method> <taskId or name>`) on stderr, so what reached the
/// server (the polls, the `tasks/cancel`) is checked at the server.
@Suite("tasks end to end", .timeLimit(.minutes(3)))
struct TaskTests {
    /// A workflow whose server is the fixture at `url`, with `steps` (YAML, indented by two).
    static func workflow(url: String, steps: String) -> String {
        """
        name: tasks
        servers:
          jobs:
            url: \(url)
        steps:
        \(steps)
        """
    }

    /// Runs `steps` against a fresh fixture; returns the run, its document and the server's `SEEN` lines.
    static func run(
        _ steps: String, arguments: [String] = []
    ) async throws -> (RunOutput, JSONValue, [String]) {
        try await withServer("tasks.py", arguments: []) { server in
            try await withTemporaryDirectory("tasks") { directory in
                let path = directory + "/tasks.yaml"
                try workflow(url: server.url(), steps: steps).write(toFile: path, atomically: true, encoding: .utf8)
                let run = try await runMCPRun(
                    ["run", path, "-o", directory + "/results.json"] + arguments,
                    environment: ["MCP_RUN_HOME": directory])
                let document = try JSONValue.parse(
                    Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/results.json"))))
                return (run, document, Self.seen(server.stderr))
            }
        }
    }

    /// The server's `SEEN` lines, without the prefix: `<method> <taskId or name>`.
    static func seen(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").compactMap { line in
            line.hasPrefix("SEEN ") ? String(line.dropFirst("SEEN ".count)) : nil
        }
    }

    @Test("a task is awaited to completion: its result is the step's, its id recorded, each status shown")
    func completed() async throws {
        let (run, document, seen) = try await Self.run(
            """
              - id: sum
                server: jobs
                tool: crunch
                arguments: { n: 10, steps: 3, step_ms: 150 }
                outputs:
                  total: "${{ result.structuredContent.sum }}"
              - id: direct
                server: jobs
                tool: crunch
                task: false
                arguments: { n: 3, steps: 1, step_ms: 1 }
            """, arguments: ["--format", "jsonl"])
        #expect(run.exitCode == 0, "\(run)")
        let sum = try #require(document.step("sum"))
        #expect(sum["status"] == "succeeded")
        #expect(sum["outputs"]?["total"] == 55)
        let taskID = try #require(sum["taskId"]?.stringValue, "no taskId: \(sum)")
        // The server made a task of the call, and was polled for it by its id.
        #expect(seen.contains("tools/call crunch"))
        #expect(seen.contains("tasks/get \(taskID)"), "\(seen)")
        #expect(!seen.contains { $0.hasPrefix("tasks/cancel") })
        // `task: false` declares no Tasks extension: the server answers directly.
        let direct = try #require(document.step("direct"))
        #expect(direct["status"] == "succeeded")
        #expect(direct["taskId"] == nil)
        #expect(direct["result"]?["structuredContent"]?["sum"] == 6)
        // jsonl shows the task's statuses as they change, ending completed.
        let events = try run.jsonLines().filter { $0["event"] == "step.task" }
        #expect(events.allSatisfy { $0["step"] == "sum" && $0["taskId"]?.stringValue == taskID }, "\(events)")
        #expect(events.first?["status"] == "working")
        #expect(events.last?["status"] == "completed")
    }

    @Test("over stdio: a task is awaited to completion, and one past the timeout is cancelled and acknowledged")
    func stdio() async throws {
        try await withTemporaryDirectory("tasks-stdio") { directory in
            let (python, arguments) = try fixtureServerCommand("tasks.py")
            let path = directory + "/tasks.yaml"
            let servers = JSONValue.object([
                "jobs": [
                    "transport": "stdio", "command": .string(python),
                    "args": .array(arguments.map { .string($0) }),
                ]
            ])
            try """
            name: tasks-stdio
            steps:
              - id: sum
                server: jobs
                tool: crunch
                arguments: { n: 10, steps: 2, step_ms: 100 }
              - id: slow
                server: jobs
                tool: wait_forever
                timeout: 3000
            """.write(toFile: path, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(
                ["run", path, "-o", "-", "-v"],
                environment: ["MCP_RUN_HOME": directory, "MCP_SERVERS": servers.serialized()])
            #expect(run.exitCode == 1, "\(run)")
            let document = try run.json()
            #expect(document["servers"]?["jobs"]?["protocolVersion"] == "2026-07-28")
            #expect(document.step("sum")?["result"]?["structuredContent"]?["sum"] == 55)
            #expect(document.step("sum")?["taskId"]?.stringValue != nil)
            let slow = try #require(document.step("slow"))
            #expect(slow["error"]?["code"] == "timeout")
            let taskID = try #require(slow["taskId"]?.stringValue)
            // Traced once the server acknowledged the tasks/cancel.
            #expect(run.stderr.contains("task '\(taskID)' of 'wait_forever' cancelled (timed out)"), "\(run)")
        }
    }

    @Test("a task that needs input is answered from the workflow's elicitation rules with tasks/update")
    func inputRequired() async throws {
        let (run, document, seen) = try await Self.run(
            """
              - id: deploy
                server: jobs
                tool: approve
                arguments: { message: "Deploy now?" }
              - id: delete
                server: jobs
                tool: approve
                arguments: { message: "Delete everything?" }
            elicitation:
              - match: "Deploy"
                content: { confirm: true }
            """)
        #expect(run.exitCode == 0, "\(run)")
        let deploy = try #require(document.step("deploy"))
        #expect(deploy["result"]?["structuredContent"]?["action"] == "accept")
        #expect(deploy["result"]?["structuredContent"]?["content"]?["confirm"] == true)
        let deployID = try #require(deploy["taskId"]?.stringValue, "no taskId: \(deploy)")
        #expect(seen.filter { $0 == "tasks/update \(deployID)" }.count == 1, "\(seen)")
        // No rule matches: declined, as an elicitation request would be.
        #expect(document.step("delete")?["result"]?["structuredContent"]?["action"] == "decline")
    }

    @Test("a task past the step's timeout is cancelled with tasks/cancel; the step fails with timeout")
    func timedOut() async throws {
        let (run, document, seen) = try await Self.run(
            """
              - id: slow
                server: jobs
                tool: wait_forever
                timeout: 1500
            """)
        #expect(run.exitCode == 1, "\(run)")
        let slow = try #require(document.step("slow"))
        #expect(slow["status"] == "failed")
        #expect(slow["error"]?["code"] == "timeout")
        let taskID = try #require(slow["taskId"]?.stringValue, "no taskId: \(slow)")
        #expect(slow["error"]?["message"]?.stringValue?.contains("the task was cancelled") == true)
        #expect(seen.contains("tasks/cancel \(taskID)"), "\(seen)")
    }

    @Test(
        "a failed task fails the step with its JSON-RPC error; a tool error, or a task the server cancels, is a tool_error"
    )
    func failed() async throws {
        let (run, document, _) = try await Self.run(
            """
              - id: rejected
                server: jobs
                tool: reject
                arguments: { code: -32050, reason: quota exceeded }
                continue-on-error: true
              - id: exploded
                server: jobs
                tool: explode
                arguments: { reason: disk on fire }
                continue-on-error: true
              - id: abandoned
                server: jobs
                tool: give_up
                arguments: { reason: no capacity }
            """)
        #expect(run.exitCode == 1, "\(run)")
        let rejected = try #require(document.step("rejected"))
        #expect(rejected["status"] == "failed")
        #expect(rejected["error"]?["code"] == "rpc_error")
        #expect(rejected["error"]?["rpcCode"] == -32050)
        #expect(rejected["error"]?["data"]?["reason"] == "quota exceeded")
        #expect(rejected["error"]?["message"]?.stringValue?.contains("quota exceeded") == true)
        #expect(rejected["taskId"]?.stringValue != nil)
        let exploded = try #require(document.step("exploded"))
        #expect(exploded["error"]?["code"] == "tool_error")
        #expect(exploded["result"]?["isError"] == true)
        #expect(exploded["taskId"]?.stringValue != nil)
        #expect(run.stderr.contains("disk on fire"), "\(run)")
        // The server cancels the task on its own: the tool's work ended without a result.
        let abandoned = try #require(document.step("abandoned"))
        #expect(abandoned["error"]?["code"] == "tool_error")
        let abandonedID = try #require(abandoned["taskId"]?.stringValue)
        #expect(
            abandoned["error"]?["message"]?.stringValue?.contains("the server cancelled task '\(abandonedID)'") == true)
    }

    @Test("SIGINT while a task runs: the server gets tasks/cancel for it, the run exits 130 with the id recorded")
    func interrupted() async throws {
        try await withServer("tasks.py", arguments: []) { server in
            try await withTemporaryDirectory("tasks-sigint") { directory in
                let path = directory + "/tasks.yaml"
                let output = directory + "/results.json"
                try Self.workflow(
                    url: server.url(),
                    steps: """
                          - id: slow
                            server: jobs
                            tool: wait_forever
                            timeout: 120000
                        """
                ).write(toFile: path, atomically: true, encoding: .utf8)
                var environment = ProcessInfo.processInfo.environment
                environment["MCP_RUN_HOME"] = directory
                let process = try await ChildProcess(
                    executable: try mcpRunBinary(), arguments: ["run", path, "--format", "jsonl", "-o", output],
                    environment: environment, workingDirectory: repoRoot)
                let taskID = await process.waitForStdoutLine(timeout: .seconds(60)) { line -> String? in
                    guard line.contains("\"step.task\""), let event = try? JSONValue.parse(Array(line.utf8)) else {
                        return nil
                    }
                    return event["taskId"]?.stringValue
                }
                guard let taskID else {
                    _ = await process.terminate(grace: .seconds(1))
                    Issue.record("the call never became a task: \(process.stdout) \(process.stderr)")
                    return
                }
                process.send(signal: SIGINT)
                let ended = await process.waitForExit(timeout: .seconds(60))
                if ended == nil { _ = await process.terminate(grace: .seconds(1)) }
                #expect(ended?.exitCode == 130, "\(String(describing: ended)) \(process.stderr)")
                // The cancel is sent before the run ends, so the server has it by now (or within a moment).
                let cancelled = await server.process.waitForStderrLine(timeout: .seconds(30)) { line -> Bool? in
                    line == "SEEN tasks/cancel \(taskID)" ? true : nil
                }
                #expect(cancelled == true, "the server saw no tasks/cancel: \(Self.seen(server.stderr))")
                let document = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: output))))
                #expect(document["status"] == "cancelled")
                #expect(document.step("slow")?["status"] == "cancelled")
                #expect(document.step("slow")?["taskId"]?.stringValue == taskID)
            }
        }
    }

    @Test("validate refuses a 'task' that is not a boolean, and one on a step that is not a tool call")
    func validation() async throws {
        try await withTemporaryDirectory("tasks-validate") { directory in
            let path = directory + "/tasks.yaml"
            try Self.workflow(
                url: "http://127.0.0.1:9/mcp",
                steps: """
                      - id: a
                        server: jobs
                        tool: crunch
                        task: sometimes
                      - id: b
                        server: jobs
                        resource: file:///x
                        task: true
                    """
            ).write(toFile: path, atomically: true, encoding: .utf8)
            let run = try await runMCPRun(["validate", path], environment: ["MCP_RUN_HOME": directory])
            #expect(run.exitCode == 2, "\(run)")
            #expect(run.stderr.contains("tasks.yaml:9:"), "\(run)")
            #expect(run.stderr.contains("tasks.yaml:13:5: step 'b': has 'task' but no 'tool'"), "\(run)")
        }
    }

    @Test("workflows/long-job.yaml runs against fastmcp-tasks, its call awaited as a task")
    func example() async throws {
        try await withServer("tasks.py", arguments: []) { server in
            try await withTemporaryDirectory("tasks-example") { directory in
                let run = try await runMCPRun(
                    ["run", "workflows/long-job.yaml", "--input", "n=10"],
                    environment: ["MCP_RUN_HOME": directory, "JOBS_URL": server.url()])
                #expect(run.exitCode == 0, "\(run)")
                let results = try run.json()
                #expect(results["outputs"]?["sum"] == 55, "\(run)")
                let taskID = try #require(results.step("crunch")?["taskId"]?.stringValue, "\(run)")
                #expect(Self.seen(server.stderr).contains("tasks/get \(taskID)"))
            }
        }
    }
}
