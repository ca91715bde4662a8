import Basics
import MCPClient
import Results
import Runner
import Testing
import WorkflowModel

@Suite("error codes", .timeLimit(.minutes(1)))
struct ErrorCodeTests {
    static let servers: [String: FakeServer] = [
        "s": FakeServer(tools: [
            .text("echo", "ok"),
            .returning("bad", textResult("no good", isError: true)),
            .returning(
                "strict", schema: ["type": "object", "properties": ["n": ["type": "integer"]]], textResult("ok")),
            .failing(
                "rpc",
                ClientError(
                    code: .rpc(code: -32000, message: "quota", data: ["retryIn": 60]),
                    message: "the server answered with error -32000: quota")),
            .failing("slow", ClientError.timedOut("tools/call", after: .seconds(1), server: "s")),
        ])
    ]

    struct CodeCase: Sendable, CustomTestStringConvertible {
        var step: String
        var code: ErrorCode
        var testDescription: String { "\(code.rawValue)" }
    }

    static let codeCases: [CodeCase] = [
        CodeCase(step: "tool: bad", code: .toolError),
        CodeCase(step: "tool: echo\n    expect: ${{ false }}", code: .expectFailed),
        CodeCase(step: "tool: strict\n    arguments: { n: 'x' }", code: .schemaMismatch),
        CodeCase(step: "tool: nope", code: .unknownTool),
        CodeCase(step: "tool: echo\n    arguments: ${{ 'text' }}", code: .invalidArguments),
        CodeCase(step: "tool: echo\n    arguments:\n      a: ${{ fromJSON('nope') }}", code: .expressionError),
        CodeCase(step: "tool: echo\n    foreach: ${{ 3 }}", code: .expressionError),
        CodeCase(step: "tool: rpc", code: .rpcError),
        CodeCase(step: "tool: slow", code: .timeout),
    ]

    @Test("each kind of step failure has its code, in the step's error and the run's", arguments: codeCases)
    func codes(_ example: CodeCase) async throws {
        let report = try await run(
            serverSHeader + """
                  - id: a
                    server: s
                    \(example.step)
                  - id: b
                    server: s
                    tool: echo
                """, servers: Self.servers, recorder: Recorder())
        #expect(try report.step("a").error?.code == example.code)
        #expect(report.document.error?.code == example.code)
        #expect(report.document.error?.step == "a")
        #expect(report.document.steps[1].error?.code == .notRun)
    }

    @Test("a later step reads a failed step's error code as steps.<id>.error.code")
    func codeInExpressions() async throws {
        let recorder = Recorder()
        let report = try await run(
            serverSHeader + """
                  - id: a
                    server: s
                    tool: slow
                    continue-on-error: true
                  - id: b
                    server: s
                    tool: echo
                    needs: [a]
                    arguments: { text: "${{ steps.a.error.code }}" }
                """, servers: Self.servers, recorder: recorder)
        #expect(report.status == .succeeded)
        #expect(await recorder.calls.first { $0.tool == "echo" }?.arguments == ["text": "timeout"])
    }

    @Test("a JSON-RPC error keeps its code and data as the server sent them")
    func rpcCodeAndData() async throws {
        let report = try await run(
            serverSHeader + """
                  - id: a
                    server: s
                    tool: rpc
                """, servers: Self.servers, recorder: Recorder())
        let json = try JSONValue.parse(report.encodedDocument)
        let expected: JSONValue = [
            "code": "rpc_error", "message": "the server answered with error -32000: quota", "hint": nil,
            "rpcCode": -32000, "data": ["retryIn": 60],
        ]
        #expect(json["steps"]?[0]?["error"] == expected)
        #expect(json["error"]?["rpcCode"] == -32000 && json["error"]?["data"] == ["retryIn": 60])
        #expect(json["error"]?["step"] == "a" && json["error"]?["server"] == "s")
    }

    @Test(
        "an initialize that errs is a protocol error and one that times out is unreachable",
        arguments: [
            // What ServerSession.open throws for each (MCPClient classifies them where it knows it
            // was `initialize`; the runner maps the codes and keeps the JSON-RPC code and data).
            (
                ClientError(
                    code: .protocolViolation, message: "the server answered 'initialize' with error -32600: no",
                    underlying: ClientError(code: .rpc(code: -32600, message: "no", data: ["why": 1]), message: "no")),
                ErrorCode.protocolError
            ),
            (
                ClientError(code: .unreachable, message: "the server did not answer 'initialize' within 1s"),
                ErrorCode.unreachable
            ),
        ])
    func initializeFailure(error: ClientError, code: ErrorCode) async throws {
        let report = try await run(
            serverSHeader + """
                  - id: a
                    server: s
                    tool: echo
                """, servers: ["s": FakeServer(tools: [], openError: error)], recorder: Recorder())
        #expect(report.error?.code == code)
        #expect(report.error?.message.contains("'initialize'") == true)
        if code == .protocolError {
            #expect(report.document.error?.failure.rpcCode == -32600)
            #expect(report.document.error?.failure.data == ["why": 1])
        }
    }

    struct NonFiniteCase: Sendable, CustomTestStringConvertible {
        var arguments: String
        var message: String
        var testDescription: String { arguments }
    }

    static let nonFiniteCases: [NonFiniteCase] = [
        NonFiniteCase(arguments: "{ n: '${{ 1e308 * 10 }}' }", message: "argument 'n' is Infinity"),
        NonFiniteCase(arguments: "{ n: '${{ 0 - 1e308 * 10 }}' }", message: "argument 'n' is -Infinity"),
        NonFiniteCase(arguments: "{ n: '${{ 1e999 }}' }", message: "argument 'n' is Infinity"),
        NonFiniteCase(arguments: "{ a: { b: [1, '${{ 1e999 - 1e999 }}'] } }", message: "argument 'a.b[1]' is NaN"),
        NonFiniteCase(arguments: "{ x: '${{ 0 - 1e999 }}' }", message: "argument 'x' is -Infinity"),
    ]

    @Test(
        "a number that is not finite in arguments fails the step before the call, naming it", arguments: nonFiniteCases)
    func nonFiniteArguments(_ example: NonFiniteCase) async throws {
        let recorder = Recorder()
        let report = try await run(
            serverSHeader + """
                  - id: a
                    server: s
                    tool: echo
                    arguments: \(example.arguments)
                """, servers: Self.servers, recorder: recorder)
        let error = try #require(try report.step("a").error)
        #expect(error.code == .invalidArguments)
        #expect(error.message == example.message + ", which JSON cannot carry")
        #expect(await recorder.calls.isEmpty, "nothing was sent")
        #expect(try report.step("a").attempts == 0)
        #expect(!report.encodedDocument.contains("null,\n            \"n\""))
    }

    @Test("an output that is not finite fails its step; a workflow output fails the run")
    func nonFiniteOutputs() async throws {
        let step = try await run(
            serverSHeader + """
                  - id: a
                    server: s
                    tool: echo
                    outputs:
                      big: ${{ 1e308 * 10 }}
                """, servers: Self.servers, recorder: Recorder())
        #expect(try step.step("a").error?.code == .expressionError)
        #expect(try step.step("a").error?.message == "output 'big' is Infinity, which JSON cannot carry")
        let workflow = try await run(
            serverSHeader + """
                  - id: a
                    server: s
                    tool: echo
                outputs:
                  big: ['${{ 1e308 * 10 }}']
                """, servers: Self.servers, recorder: Recorder())
        #expect(workflow.status == .failed)
        #expect(workflow.document.error?.code == .expressionError)
        #expect(workflow.document.error?.message == "workflow output 'big[0]' is Infinity, which JSON cannot carry")
        #expect(workflow.document.error?.step == nil)
        let json = try JSONValue.parse(workflow.encodedDocument)
        #expect(json["outputs"]?["big"] == ["Infinity"], "written as its name, never null")
    }

    @Test(
        "an input that is not finite is refused: given as text or in an inputs file",
        arguments: [
            ("days: { type: number }", ["days": InputValue.text("inf")], "input 'days' is Infinity"),
            ("days: { type: number }", ["days": InputValue.text("nan")], "input 'days' is NaN"),
            (
                "days: { type: array }", ["days": InputValue.json([1, .double(-.infinity)])],
                "input 'days[1]' is -Infinity"
            ),
            ("days: { type: object }", ["days": InputValue.json(["a": .double(.nan)])], "input 'days.a' is NaN"),
        ])
    func nonFiniteInputs(declaration: String, given: [String: InputValue], message: String) async throws {
        let report = try await run(
            "inputs:\n  \(declaration)\n" + serverSHeader + """
                  - id: a
                    server: s
                    tool: echo
                """, servers: Self.servers, recorder: Recorder(), options: testOptions(inputs: given))
        #expect(report.error?.code == .invalidInput)
        #expect(report.error?.message == message + ", which JSON cannot carry")
    }

    @Test("a hint naming an mcp-run command names the workflow file of a server declared there")
    func hintNamesTheFile() async throws {
        var options = testOptions()
        options.serverReference = ServerReference(workflowFile: "flows/my flow.yaml", serversFile: "s.json")
        let refused = ClientError(
            code: .unauthorized(401), message: "a login is needed",
            hint: "run 'mcp-run auth login s' on a machine with a browser")
        let report = try await run(
            serverSHeader + """
                  - id: a
                    server: s
                    tool: nope
                """, servers: ["s": FakeServer(tools: [], openError: refused)], recorder: Recorder(), options: options)
        #expect(
            report.error?.hint == "run 'mcp-run auth login s -f \"flows/my flow.yaml\"' on a machine with a browser")
        let unknown = try await run(
            serverSHeader + """
                  - id: a
                    server: s
                    tool: nope
                """, servers: ["s": FakeServer(tools: [.text("other", "x")])], recorder: Recorder(), options: options)
        #expect(unknown.error?.hint?.contains("mcp-run tools s -f \"flows/my flow.yaml\"'") == true)
    }

    @Test("a server reference quotes for the shell only where needed and adds the option its origin needs")
    func references() {
        let reference = ServerReference(workflowFile: "a.yaml", serversFile: "it's.json")
        #expect(reference.commandLine(for: "s", origin: .workflow) == "s -f a.yaml")
        #expect(reference.commandLine(for: "s", origin: .serversFile) == "s --servers \"it's.json\"")
        #expect(reference.commandLine(for: "s", origin: .environment) == "s")
        #expect(
            reference.commandLine(for: "https://h/mcp?a=1&b=$x", origin: .environment)
                == "\"https://h/mcp?a=1&b=\\$x\"")
    }
}
