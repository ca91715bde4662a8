import Basics
import MCPClient
import Results
import Runner
import Testing

private let server = """
    servers:
      s: { url: "https://example.test/mcp" }

    """

@Suite("Step execution", .timeLimit(.minutes(1)))
struct StepExecutionTests {
    @Test("steps run in file order and each sees the text and json of the steps before it")
    func fileOrderAndEarlierResults() async throws {
        let recorder = Recorder()
        let tools = [
            FakeTool.returning(
                "first", ["content": [["type": "text", "text": "hello"]], "structuredContent": ["id": 42]]),
            FakeTool.text("second", #"{"items": ["x", "y"]}"#),
            FakeTool.returning("third", textResult("done")),
        ]
        let report = try await run(
            server + """
                steps:
                  - id: a
                    server: s
                    tool: first
                  - id: b
                    server: s
                    tool: second
                    arguments: { greeting: "${{ steps.a.text }}", id: "${{ steps.a.json.id }}" }
                  - id: c
                    server: s
                    tool: third
                    arguments:
                      second: ${{ steps.b.json.items[1] }}
                      text: "${{ steps.b.text }}"
                      status: ${{ steps.a.status }}
                """, servers: ["s": FakeServer(tools: tools)], recorder: recorder)
        #expect(report.status == .succeeded)
        let calls = await recorder.calls
        #expect(calls.map(\.tool) == ["first", "second", "third"])
        #expect(calls[1].arguments == ["greeting": "hello", "id": 42], "structuredContent is steps.a.json")
        #expect(
            calls[2].arguments == ["second": "y", "text": #"{"items": ["x", "y"]}"#, "status": "succeeded"],
            "text content that is JSON is parsed into steps.b.json")
        let events = await recorder.events.filter { $0.hasPrefix("start:") || $0.hasPrefix("end:") }
        #expect(events == ["start:first", "end:first", "start:second", "end:second", "start:third", "end:third"])
    }

    @Test("a step whose if is false is skipped and calls nothing")
    func falseConditionSkips() async throws {
        let recorder = Recorder()
        let report = try await run(
            server + """
                steps:
                  - id: a
                    server: s
                    tool: count
                  - id: b
                    if: ${{ steps.a.json.n > 5 }}
                    server: s
                    tool: never
                  - id: c
                    if: ${{ steps.a.json.n == 3 }}
                    server: s
                    tool: count
                """,
            servers: ["s": FakeServer(tools: [.text("count", #"{"n": 3}"#), .text("never", "no")])],
            recorder: recorder)
        #expect(report.status == .succeeded)
        #expect(try report.step("b").status == .skipped)
        #expect(try report.step("b").error == nil)
        #expect(try report.step("c").status == .succeeded)
        #expect(await recorder.calls.map(\.tool) == ["count", "count"])
    }

    @Test("outputs are evaluated over result and saved as steps.<id>.outputs for later steps")
    func outputsOverResult() async throws {
        let recorder = Recorder()
        let report = try await run(
            server + """
                steps:
                  - id: search
                    server: s
                    tool: search
                    outputs:
                      total: ${{ result.structuredContent.total }}
                      first: ${{ result.structuredContent.issues[0].key }}
                  - id: report
                    server: s
                    tool: echo
                    arguments: { line: "${{ steps.search.outputs.first }} of ${{ steps.search.outputs.total }}" }
                outputs:
                  total: ${{ steps.search.outputs.total }}
                  keys: ${{ map(steps.search.json.issues, 'key') }}
                """,
            servers: [
                "s": FakeServer(tools: [
                    .returning(
                        "search",
                        [
                            "content": [],
                            "structuredContent": ["total": 2, "issues": [["key": "ENG-1"], ["key": "ENG-2"]]],
                        ]),
                    .text("echo", "ok"),
                ])
            ], recorder: recorder)
        #expect(report.status == .succeeded)
        #expect(try report.step("search").outputs == ["total": 2, "first": "ENG-1"])
        #expect(await recorder.calls.last?.arguments == ["line": "ENG-1 of 2"])
        #expect(report.outputs == ["total": 2, "keys": ["ENG-1", "ENG-2"]])
        #expect(report.document.outputs == ["total": 2, "keys": ["ENG-1", "ENG-2"]])
    }

    @Test("a false expect fails the step, naming the expectation")
    func falseExpectFails() async throws {
        let recorder = Recorder()
        let report = try await run(
            server + """
                steps:
                  - id: a
                    server: s
                    tool: count
                    expect: ${{ result.structuredContent.n > 5 }}
                """,
            servers: ["s": FakeServer(tools: [.returning("count", ["content": [], "structuredContent": ["n": 3]])])],
            recorder: recorder)
        let step = try report.step("a")
        #expect(step.status == .failed)
        #expect(step.result?["structuredContent"] == ["n": 3], "the result is kept")
        let error = try #require(step.error)
        #expect(error.code == .expectFailed)
        #expect(error.message == "expectation 'result.structuredContent.n > 5' is not met")
        #expect(report.status == .failed)
    }

    @Test("a true expect lets the step succeed")
    func trueExpectPasses() async throws {
        let report = try await run(
            server + """
                steps:
                  - id: a
                    server: s
                    tool: count
                    expect: ${{ result.structuredContent.n == 3 }}
                """,
            servers: ["s": FakeServer(tools: [.returning("count", ["content": [], "structuredContent": ["n": 3]])])],
            recorder: Recorder())
        #expect(try report.step("a").status == .succeeded)
        #expect(report.status == .succeeded)
    }

    @Test("a result with isError fails the step with the tool's text in the message")
    func toolErrorFails() async throws {
        let recorder = Recorder()
        let report = try await run(
            server + """
                steps:
                  - id: divide
                    server: s
                    tool: divide
                    arguments: { a: 1, b: 0 }
                """,
            servers: [
                "s": FakeServer(tools: [.returning("divide", textResult("division by zero\ntrace…", isError: true))])
            ],
            recorder: recorder)
        let step = try report.step("divide")
        #expect(step.status == .failed)
        #expect(step.attempts == 1)
        #expect(step.result?["isError"] == true)
        let error = try #require(step.error)
        #expect(error.code == .toolError)
        #expect(error.message == "tool 'divide' returned an error: division by zero")
        #expect(error.context.step == "divide")
        #expect(report.status == .failed)
        #expect(report.document.status == .failed)
    }

    @Test("continue-on-error lets the run go on past a failed step and succeed")
    func continueOnError() async throws {
        let recorder = Recorder()
        let report = try await run(
            server + """
                steps:
                  - id: bad
                    server: s
                    tool: broken
                    continue-on-error: true
                  - id: after
                    server: s
                    tool: fine
                    arguments: { previous: "${{ steps.bad.status }}" }
                """,
            servers: [
                "s": FakeServer(tools: [.returning("broken", textResult("nope", isError: true)), .text("fine", "ok")])
            ], recorder: recorder)
        #expect(try report.step("bad").status == .failed)
        #expect(try report.step("after").status == .succeeded)
        #expect(await recorder.calls.last?.arguments == ["previous": "failed"])
        #expect(report.status == .succeeded)
        #expect(report.document.status == .succeeded)
        #expect(report.document.error == nil)
    }

    @Test("a failed step stops the run: later steps are skipped with a 'not run' error")
    func failureStopsRun() async throws {
        let recorder = Recorder()
        let report = try await run(
            server + """
                steps:
                  - id: a
                    server: s
                    tool: fine
                  - id: b
                    server: s
                    tool: broken
                  - id: c
                    server: s
                    tool: fine
                  - id: d
                    server: s
                    tool: fine
                """,
            servers: [
                "s": FakeServer(tools: [
                    .text("fine", "ok"),
                    .failing(
                        "broken",
                        ClientError(code: .rpc(code: -32603, message: "boom"), message: "internal error: boom")),
                ])
            ], recorder: recorder)
        #expect(report.status == .failed)
        #expect(try report.step("a").status == .succeeded)
        #expect(try report.step("b").status == .failed)
        #expect(try report.step("b").error?.message == "internal error: boom")
        #expect(report.error?.code == .rpcError)
        #expect(report.error?.failure.rpcCode == -32603)
        #expect(report.document.error?.step == "b")
        #expect(report.document.error?.code == .rpcError)
        for id in ["c", "d"] {
            let step = try report.step(id)
            #expect(step.status == .skipped)
            #expect(step.attempts == 0)
            #expect(step.error?.message == "not run: step 'b' failed")
            #expect(step.error?.code == .notRun)
        }
        #expect(await recorder.calls.map(\.tool) == ["fine", "broken"])
    }

    @Test("arguments that do not match the tool's input schema fail the step before any call")
    func schemaMismatchFailsBeforeCall() async throws {
        let recorder = Recorder()
        let schema: JSONValue = [
            "type": "object", "properties": ["n": ["type": "integer"]], "required": ["n"],
        ]
        let report = try await run(
            server + """
                steps:
                  - id: a
                    server: s
                    tool: take
                    arguments: { n: "five" }
                """,
            servers: ["s": FakeServer(tools: [.returning("take", schema: schema, textResult("ok"))])],
            recorder: recorder)
        let step = try report.step("a")
        #expect(step.status == .failed)
        #expect(
            step.error?.message
                == "arguments do not match tool 'take' input schema at '/n' (schema /properties/n/type): expected integer, got string"
        )
        #expect(step.arguments == ["n": "five"], "the arguments are reported as evaluated")
        #expect(await recorder.calls.isEmpty)
        #expect(report.status == .failed)
    }

    struct SchemaCase: Sendable, CustomTestStringConvertible {
        var arguments: String
        var schemaPath: String
        var message: String
        var testDescription: String { "\(arguments) fails at \(schemaPath)" }
    }

    static let schemaCases = [
        SchemaCase(arguments: "{ n: '5' }", schemaPath: "/properties/n/type", message: "expected integer, got string"),
        SchemaCase(arguments: "{ mode: fast }", schemaPath: "/required", message: "missing required property 'n'"),
        SchemaCase(
            arguments: "{ n: 1, mod: fast }", schemaPath: "/additionalProperties",
            message: "unexpected property 'mod' (did you mean 'mode'?)"),
        SchemaCase(
            arguments: "{ n: 1, mode: medium }", schemaPath: "/properties/mode/enum",
            message: #""medium" is not one of ["fast","slow"]"#),
        SchemaCase(arguments: "{ n: 1.5 }", schemaPath: "/properties/n/type", message: "expected integer, got number"),
        SchemaCase(
            arguments: "{ n: 1, tags: [a, 2] }", schemaPath: "/properties/tags/items/type",
            message: "expected string, got integer"),
    ]

    @Test("each kind of schema mismatch names its schema path and records no call", arguments: schemaCases)
    func schemaMismatchTable(_ example: SchemaCase) async throws {
        let recorder = Recorder()
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "n": ["type": "integer"], "mode": ["type": "string", "enum": ["fast", "slow"]],
                "tags": ["type": "array", "items": ["type": "string"]],
            ],
            "required": ["n"], "additionalProperties": false,
        ]
        let report = try await run(
            server + """
                steps:
                  - id: a
                    server: s
                    tool: take
                    arguments: \(example.arguments)
                """,
            servers: ["s": FakeServer(tools: [.returning("take", schema: schema, textResult("ok"))])],
            recorder: recorder)
        let message = try #require(try report.step("a").error?.message)
        #expect(message.contains("(schema \(example.schemaPath)): \(example.message)"), "\(message)")
        #expect(await recorder.calls.isEmpty)
    }

    @Test("arguments that match the schema are sent as evaluated, with their types")
    func matchingArgumentsAreSent() async throws {
        let recorder = Recorder()
        let schema: JSONValue = [
            "type": "object", "properties": ["n": ["type": "integer"], "mode": ["enum": ["fast", "slow"]]],
            "required": ["n"], "additionalProperties": false,
        ]
        let report = try await run(
            server + """
                inputs:
                  n: { type: integer, default: 7 }
                steps:
                  - id: a
                    server: s
                    tool: take
                    arguments: { n: "${{ inputs.n * 2 }}", mode: "fast" }
                """,
            servers: ["s": FakeServer(tools: [.returning("take", schema: schema, textResult("ok"))])],
            recorder: recorder)
        #expect(report.status == .succeeded)
        #expect(await recorder.calls.map(\.arguments) == [["n": 14, "mode": "fast"]])
    }

    @Test("retry makes up to 'attempts' calls and records how many it took")
    func retrySucceedsOnThirdAttempt() async throws {
        let recorder = Recorder()
        let flaky = FakeTool("flaky") { call, _ in
            if call.attempt < 3 {
                throw ClientError(code: .timedOut, message: "'tools/call' got no response within 10ms")
            }
            return textResult("third time lucky")
        }
        let report = try await run(
            server + """
                steps:
                  - id: a
                    server: s
                    tool: flaky
                    retry: { attempts: 3, backoff: 0 }
                """, servers: ["s": FakeServer(tools: [flaky])], recorder: recorder)
        let step = try report.step("a")
        #expect(step.status == .succeeded)
        #expect(step.attempts == 3)
        #expect(step.record.attempts == 3)
        #expect(step.result == textResult("third time lucky"))
        #expect(await recorder.calls.count == 3)
        #expect(
            report.encodedDocument.contains(#""attempts" : 3"#) || report.encodedDocument.contains(#""attempts": 3"#))
    }

    @Test("a step that fails every attempt reports the last error and all attempts")
    func retryExhausted() async throws {
        let recorder = Recorder()
        let report = try await run(
            server + """
                defaults: { retry: { attempts: 2, backoff: 0 } }
                steps:
                  - id: a
                    server: s
                    tool: down
                """,
            servers: [
                "s": FakeServer(tools: [.failing("down", ClientError(code: .closed, message: "the connection closed"))])
            ],
            recorder: recorder)
        let step = try report.step("a")
        #expect(step.status == .failed)
        #expect(step.attempts == 2, "defaults.retry applies")
        #expect(step.error?.message == "the connection closed")
        #expect(await recorder.calls.count == 2)
    }

    @Test("an unauthorized error is not retried and ends the run as an authorization failure")
    func unauthorizedIsNotRetried() async throws {
        let recorder = Recorder()
        let report = try await run(
            server + """
                steps:
                  - id: a
                    server: s
                    tool: secret
                    retry: { attempts: 3, backoff: 0 }
                """,
            servers: [
                "s": FakeServer(tools: [
                    .failing("secret", ClientError(code: .unauthorized(401), message: "the server refused the token"))
                ])
            ], recorder: recorder)
        let step = try report.step("a")
        #expect(step.status == .failed)
        #expect(step.attempts == 1)
        #expect(await recorder.calls.count == 1)
        #expect(report.error?.code == .unauthorized)
        #expect(report.status == .failed)
    }

    @Test("a tool the server does not offer fails the step, suggesting the nearest name")
    func unknownTool() async throws {
        let recorder = Recorder()
        let report = try await run(
            server + """
                steps:
                  - id: a
                    server: s
                    tool: serach
                """, servers: ["s": FakeServer(tools: [.text("search", "ok")])], recorder: recorder)
        let error = try #require(try report.step("a").error)
        #expect(error.message == "server 's' has no tool 'serach'")
        #expect(error.hint == "did you mean 'search'?")
        #expect(await recorder.calls.isEmpty)
    }
}
