import Basics
import HTTP
import MCPClient
import Results
import Runner
import Testing
import WorkflowModel

/// How long any one wait in these tests may take before the test fails instead of hanging.
///
/// A deadline only: nothing here is ordered by time. Ordering comes from `Recorder.waitUntil`.
let deadline = Duration.seconds(5)

/// One `tools/call` the fake received.
struct FakeCall: Sendable {
    var server: String
    var tool: String
    var arguments: JSONValue
    /// 1 for the first call of this tool on this server, 2 for the second, …
    var attempt: Int
    /// The request timeout the runner asked for.
    var timeout: Duration?
    /// The progress token the runner sent, if any.
    var progressToken: JSONValue? = nil
    /// Sends a notification as the server would, on the session's read loop.
    var notify: @Sendable (ServerNotification) -> Void = { _ in }
    /// Sends `elicitation/create` with these params and returns the runner's answer.
    var elicit: @Sendable (JSONValue) -> JSONValue = { _ in ["action": "decline"] }
}

/// A scripted tool: its schema and what a call does.
struct FakeTool: Sendable {
    var name: String
    var inputSchema: JSONValue
    var respond: @Sendable (FakeCall, Recorder) async throws -> JSONValue

    init(
        _ name: String, schema: JSONValue = ["type": "object"],
        respond: @escaping @Sendable (FakeCall, Recorder) async throws -> JSONValue
    ) {
        self.name = name
        self.inputSchema = schema
        self.respond = respond
    }

    /// A tool that always answers `result`.
    static func returning(_ name: String, schema: JSONValue = ["type": "object"], _ result: JSONValue) -> FakeTool {
        FakeTool(name, schema: schema) { _, _ in result }
    }

    /// A tool answering its text content.
    static func text(_ name: String, _ text: String) -> FakeTool {
        returning(name, textResult(text))
    }

    /// A tool that always throws `error`.
    static func failing(_ name: String, _ error: ClientError) -> FakeTool {
        FakeTool(name) { _, _ in throw error }
    }

    /// A tool whose call stays in flight until the test notes `release:<name>`, then answers `result`.
    static func held(_ name: String, _ result: JSONValue? = nil) -> FakeTool {
        FakeTool(name) { _, recorder in
            try await recorder.waitUntil { $0.contains("release:\(name)") }
            return result ?? textResult(name)
        }
    }
}

/// A scripted server: its tools, or the error opening it fails with.
struct FakeServer: Sendable {
    var tools: [FakeTool]
    var openError: ClientError? = nil
}

/// Everything the fakes saw, and a log of events tests can wait on.
///
/// Tests order work with `note(_:)` and `waitUntil(_:)`: a held tool waits for the test's
/// `release:<tool>` event, the test waits for the fake's `start:<tool>` event.
actor Recorder {
    private(set) var events: [String] = []
    private(set) var calls: [FakeCall] = []
    private(set) var opens: [String] = []
    private(set) var closes: [String] = []
    private(set) var listings: [String] = []
    private(set) var openedHeaders: [String: [HTTPHeader]] = [:]
    private(set) var inFlight = 0
    private(set) var maxInFlight = 0

    private struct Waiter {
        var predicate: @Sendable ([String]) -> Bool
        var continuation: CheckedContinuation<Bool, Never>
    }
    private var waiters: [Int: Waiter] = [:]
    private var nextWaiter = 0

    /// Appends an event and wakes the waits it satisfies.
    func note(_ event: String) {
        events.append(event)
        for (id, waiter) in waiters where waiter.predicate(events) {
            waiters[id] = nil
            waiter.continuation.resume(returning: true)
        }
    }

    func opened(_ server: ResolvedServer) {
        opens.append(server.name)
        openedHeaders[server.name] = server.config.headers
        note("open:\(server.name)")
    }

    func closed(_ server: String) { closes.append(server) }

    func listed(_ server: String) { listings.append(server) }

    /// Records a call's start and returns its attempt number.
    func begin(_ server: String, _ tool: String, _ arguments: JSONValue, timeout: Duration?) -> FakeCall {
        let attempt = calls.filter { $0.server == server && $0.tool == tool }.count + 1
        let call = FakeCall(server: server, tool: tool, arguments: arguments, attempt: attempt, timeout: timeout)
        calls.append(call)
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        note("start:\(tool)")
        return call
    }

    func end(_ tool: String) {
        inFlight -= 1
        note("end:\(tool)")
    }

    /// Suspends until `predicate` holds for the events; false when the waiting task is cancelled.
    private func suspend(until predicate: @escaping @Sendable ([String]) -> Bool) async -> Bool {
        let id = nextWaiter
        nextWaiter += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if predicate(events) {
                    continuation.resume(returning: true)
                } else if Task.isCancelled {
                    continuation.resume(returning: false)
                } else {
                    waiters[id] = Waiter(predicate: predicate, continuation: continuation)
                }
            }
        } onCancel: {
            // The handler is synchronous and the waiter lives on the actor: hop there to resume it.
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        waiters.removeValue(forKey: id)?.continuation.resume(returning: false)
    }

    /// Waits until `predicate` holds for the events, at most `deadline`.
    ///
    /// - Throws: `TimeoutError` past the deadline, `CancellationError` when cancelled.
    nonisolated func waitUntil(_ predicate: @escaping @Sendable ([String]) -> Bool) async throws {
        try await withTimeout(deadline) {
            guard await self.suspend(until: predicate) else { throw CancellationError() }
        }
    }
}

/// A session answering from a `FakeServer` script and recording into a `Recorder`.
struct FakeSession: ToolSession {
    var server: String
    var script: FakeServer
    var recorder: Recorder
    var events: SessionEvents = .none
    /// Runs before each `tools/list` is answered (a test holds the listing here); nil: nothing.
    var beforeListing: (@Sendable () async throws -> Void)? = nil

    func listTools() async throws -> [ToolDescription] {
        try await beforeListing?()
        await recorder.listed(server)
        return script.tools.map {
            ToolDescription(
                name: $0.name, description: nil, inputSchema: $0.inputSchema,
                raw: ["name": .string($0.name), "inputSchema": $0.inputSchema])
        }
    }

    func callTool(
        _ name: String, arguments: JSONValue, timeout: Duration?, progressToken: JSONValue?, acceptsTasks: Bool
    ) async throws -> JSONValue {
        guard let tool = script.tools.first(where: { $0.name == name }) else {
            throw ClientError(code: .rpc(code: -32602, message: "unknown tool"), message: "unknown tool '\(name)'")
        }
        var call = await recorder.begin(server, name, arguments, timeout: timeout)
        call.progressToken = progressToken
        call.notify = events.notification
        let elicitation = events.elicitation
        call.elicit = { params in elicitation?(params) ?? ["action": "decline"] }
        do {
            let result = try await tool.respond(call, recorder)
            await recorder.end(name)
            return result
        } catch {
            await recorder.end(name)
            throw error
        }
    }

    func readResource(_ uri: String, timeout: Duration?) async throws -> JSONValue {
        await recorder.note("read:\(uri)")
        return ["contents": [["uri": .string(uri), "mimeType": "application/json", "text": #"{"from": "resource"}"#]]]
    }

    func getPrompt(_ name: String, arguments: JSONValue, timeout: Duration?) async throws -> JSONValue {
        await recorder.note("prompt:\(name):\(arguments.serialized())")
        return ["messages": [["role": "user", "content": ["type": "text", "text": .string("prompt \(name)")]]]]
    }

    func close() async {
        await recorder.closed(server)
    }
}

/// Opens `FakeSession`s for the scripted servers; an unscripted server is unreachable.
struct FakeOpener: SessionOpener {
    var servers: [String: FakeServer]
    var recorder: Recorder

    func open(_ server: ResolvedServer, logger: Logger, events: SessionEvents) async throws -> any ToolSession {
        await recorder.opened(server)
        guard let script = servers[server.name] else {
            throw ClientError(code: .unreachable, message: "no fake server named '\(server.name)'")
        }
        if let error = script.openError { throw error }
        return FakeSession(server: server.name, script: script, recorder: recorder, events: events)
    }
}

/// `{"content": [{"type": "text", "text": …}], "isError": false}`.
func textResult(_ text: String, isError: Bool = false) -> JSONValue {
    ["content": [["type": "text", "text": .string(text)]], "isError": .bool(isError)]
}

/// Loads workflow text as `flow.yaml`, recording the loader's problems when it fails.
func loadWorkflow(_ text: String) throws -> Workflow {
    do {
        return try WorkflowLoader.load(text: text, file: "flow.yaml")
    } catch {
        Issue.record("the workflow does not load: \(error.problems.map(\.message))")
        throw error
    }
}

/// Options for a test run: a fixed run id and a silent logger.
func testOptions(
    inputs: [String: InputValue] = [:], secrets: [String: Secret] = [:], environment: [String: String] = [:],
    only: [String] = [], observer: @escaping @Sendable (RunEvent) -> Void = { _ in }
) -> RunOptions {
    RunOptions(
        inputs: inputs, secrets: secrets, environment: environment, only: only, runID: "run-1", logger: .silent,
        observer: observer)
}

/// A workflow's first lines declaring the one fake HTTP server `s`; its `steps:` follow.
let serverSHeader = "servers:\n  s: { url: \"https://example.test/mcp\" }\nsteps:\n"

/// Loads `yaml` and runs it against the fake `servers`, within the deadline.
func run(
    _ yaml: String, servers: [String: FakeServer], recorder: Recorder, options: RunOptions = testOptions()
) async throws -> RunReport {
    let workflow = try loadWorkflow(yaml)
    let runner = WorkflowRunner(
        workflow: workflow, options: options, opener: FakeOpener(servers: servers, recorder: recorder))
    return try await withTimeout(deadline) { await runner.run() }
}

extension RunReport {
    /// The step report with `id`.
    func step(_ id: String) throws -> StepReport {
        try #require(steps.first { $0.id == id }, "no step '\(id)' in \(steps.map(\.id))")
    }

    /// The results document as the CLI would print it.
    var encodedDocument: String {
        String(decoding: ResultsWriter.encode(document, masker: masker), as: UTF8.self)
    }
}
