import Basics
import HTTP
import MCPClient
import Results
import Runner
import Testing

private let echoServers = [
    "s": FakeServer(tools: [FakeTool("echo") { call, _ in textResult(call.arguments.serialized()) }])
]

@Suite("Inputs and secrets", .timeLimit(.minutes(1)))
struct InputsAndSecretsTests {
    static let typedInputs = """
        inputs:
          days: { type: integer, default: 1 }
          project: { type: string }
          ratio: { type: number, default: 0.5 }
          draft: { type: boolean, default: false }
        servers:
          s: { url: "https://example.test/mcp" }
        steps:
          - id: a
            server: s
            tool: echo
            arguments:
              days: ${{ inputs.days }}
              project: ${{ inputs.project }}
              ratio: ${{ inputs.ratio }}
              draft: ${{ inputs.draft }}
        """

    @Test("text inputs are converted to their declared types, and defaults fill the rest")
    func typedInputConversion() async throws {
        let recorder = Recorder()
        let report = try await run(
            Self.typedInputs, servers: echoServers, recorder: recorder,
            options: testOptions(inputs: ["days": .text("5"), "project": .text("ENG"), "draft": .text("true")]))
        #expect(report.status == .succeeded)
        #expect(report.inputs == ["days": 5, "project": "ENG", "ratio": 0.5, "draft": true])
        #expect(report.document.inputs == ["days": 5, "project": "ENG", "ratio": 0.5, "draft": true])
        #expect(await recorder.calls.first?.arguments == ["days": 5, "project": "ENG", "ratio": 0.5, "draft": true])
    }

    @Test("JSON inputs from an inputs file are taken as given when they fit the type")
    func jsonInputs() async throws {
        let recorder = Recorder()
        let report = try await run(
            Self.typedInputs, servers: echoServers, recorder: recorder,
            options: testOptions(inputs: ["days": .json(3), "project": .json("OPS"), "ratio": .json(2)]))
        #expect(report.status == .succeeded)
        #expect(report.inputs == ["days": 3, "project": "OPS", "ratio": 2, "draft": false])
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        var inputs: [String: InputValue]
        var message: String
        var testDescription: String { message }
    }

    static let badInputs = [
        BadInput(inputs: ["project": .text("ENG"), "dayz": .text("2")], message: "unknown input 'dayz'"),
        BadInput(inputs: ["days": .text("2")], message: "input 'project' is required"),
        BadInput(
            inputs: ["project": .text("ENG"), "days": .text("five")], message: "input 'days' must be of type 'integer'"),
        BadInput(
            inputs: ["project": .text("ENG"), "days": .text("1.5")], message: "input 'days' must be of type 'integer'"),
        BadInput(
            inputs: ["project": .text("ENG"), "draft": .text("yes")], message: "input 'draft' must be of type 'boolean'"
        ),
        BadInput(inputs: ["project": .json(5)], message: "input 'project' must be of type 'string'"),
    ]

    @Test(
        "a bad, unknown or missing input fails the run as invalid input before any server is opened",
        arguments: badInputs)
    func invalidInput(_ example: BadInput) async throws {
        let recorder = Recorder()
        let report = try await run(
            Self.typedInputs, servers: echoServers, recorder: recorder, options: testOptions(inputs: example.inputs))
        #expect(report.status == .failed)
        let error = try #require(report.error)
        #expect(error.code == .invalidInput)
        #expect(error.message == example.message)
        #expect(report.steps.allSatisfy { $0.status == .skipped })
        #expect(await recorder.opens.isEmpty)
        #expect(await recorder.calls.isEmpty)
    }

    @Test("an unknown input's error suggests the nearest declared name")
    func unknownInputHint() async throws {
        let report = try await run(
            Self.typedInputs, servers: echoServers, recorder: Recorder(),
            options: testOptions(inputs: ["project": .text("ENG"), "dayz": .text("2")]))
        #expect(report.error?.hint == "did you mean 'days'?")
    }

    static let secretWorkflow = """
        servers:
          s:
            url: "https://example.test/mcp"
            authType: bearer-token
            token: ${{ secrets.TOKEN }}
        steps:
          - id: a
            server: s
            tool: echo
            arguments: { key: "${{ secrets.API_KEY }}", note: "key=${{ secrets.API_KEY }};" }
        outputs:
          echoed: ${{ steps.a.text }}
        """

    @Test("secrets are read from the secrets file first, then from the environment")
    func secretsFromOptionsAndEnvironment() async throws {
        let recorder = Recorder()
        let report = try await run(
            Self.secretWorkflow, servers: echoServers, recorder: recorder,
            options: testOptions(
                secrets: ["API_KEY": Secret("k3y-from-file")],
                environment: ["API_KEY": "k3y-from-env", "TOKEN": "t0k3n-from-env"]))
        #expect(report.status == .succeeded)
        #expect(await recorder.calls.first?.arguments == ["key": "k3y-from-file", "note": "key=k3y-from-file;"])
        let headers = try #require(await recorder.openedHeaders["s"])
        #expect(headers.count == 1)
        #expect(headers.first?.name == "Authorization")
        guard case .secret(let value)? = headers.first?.value else {
            Issue.record("the bearer header must be a secret value")
            return
        }
        #expect(value.withRevealedValue { $0 } == "Bearer t0k3n-from-env")
    }

    @Test("a secret that is neither in the secrets file nor the environment fails the run before any server is opened")
    func missingSecret() async throws {
        let recorder = Recorder()
        let report = try await run(
            Self.secretWorkflow, servers: echoServers, recorder: recorder,
            options: testOptions(environment: ["API_KEY": "k3y-from-env"]))
        #expect(report.status == .failed)
        let error = try #require(report.error)
        #expect(error.code == .invalidInput)
        #expect(error.message == "secret 'TOKEN' is not set")
        #expect(await recorder.opens.isEmpty)
        #expect(await recorder.calls.isEmpty)
    }

    @Test("a secret guarded by default() may be missing")
    func guardedSecretMayBeMissing() async throws {
        let recorder = Recorder()
        let report = try await run(
            """
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: a
                server: s
                tool: echo
                arguments: { key: "${{ default(secrets.OPTIONAL, 'none') }}" }
            """, servers: echoServers, recorder: recorder)
        #expect(report.status == .succeeded)
        #expect(await recorder.calls.first?.arguments == ["key": "none"])
    }

    @Test("the results document never contains a secret's value, even when a tool echoes it back")
    func secretsAreMaskedInTheDocument() async throws {
        let fileSecret = "k3y-planted-in-file"
        let envSecret = "t0k3n-planted-in-env"
        let leaky = FakeServer(tools: [
            FakeTool("echo") { call, _ in
                let key = call.arguments["key"] ?? .null
                return [
                    "content": [["type": "text", "text": .string("you sent " + call.arguments.serialized())]],
                    "structuredContent": ["key": key, "nested": [["value": key]], (key.stringValue ?? ""): true],
                    "isError": false,
                ]
            }
        ])
        let recorder = Recorder()
        let report = try await run(
            Self.secretWorkflow, servers: ["s": leaky], recorder: recorder,
            options: testOptions(secrets: ["API_KEY": Secret(fileSecret)], environment: ["TOKEN": envSecret]))
        #expect(report.status == .succeeded)
        #expect(await recorder.calls.first?.arguments["key"] == .string(fileSecret), "the tool did get the secret")
        #expect(report.outputs["echoed"]?.stringValue?.contains(fileSecret) == true, "the output carries it unmasked")
        let document = report.encodedDocument
        #expect(!document.contains(fileSecret), "\(document)")
        #expect(!document.contains(envSecret))
        #expect(document.contains("***"))
    }

    @Test("a secret in a tool's error message is masked in the results document")
    func secretsAreMaskedInErrors() async throws {
        let secret = "k3y-in-an-error"
        let servers = [
            "s": FakeServer(tools: [
                FakeTool("echo") { call, _ in
                    textResult("bad key \(call.arguments["key"]?.stringValue ?? "")", isError: true)
                }
            ])
        ]
        let report = try await run(
            Self.secretWorkflow, servers: servers, recorder: Recorder(),
            options: testOptions(secrets: ["API_KEY": Secret(secret), "TOKEN": Secret("t0k3n-unused")]))
        #expect(report.status == .failed)
        // Masked where the message is cut from the tool's text, so a cut never leaves part of it.
        #expect(try report.step("a").error?.message.contains("bad key ***") == true)
        let document = report.encodedDocument
        #expect(!document.contains(secret), "\(document)")
        #expect(document.contains("bad key ***"))
    }

    @Test("workflow outputs are evaluated after the run over every step's results")
    func workflowOutputs() async throws {
        let report = try await run(
            """
            servers:
              s: { url: "https://example.test/mcp" }
            steps:
              - id: search
                server: s
                tool: search
              - id: none
                if: ${{ false }}
                server: s
                tool: search
            outputs:
              count: ${{ length(steps.search.json.issues) }}
              first: ${{ steps.search.json.issues[0] }}
              skipped: ${{ steps.none.status }}
              summary: "${{ length(steps.search.json.issues) }} issues in ${{ workflow.name }}"
            """,
            servers: ["s": FakeServer(tools: [.text("search", #"{"issues": ["ENG-1", "ENG-2", "ENG-3"]}"#)])],
            recorder: Recorder())
        #expect(report.status == .succeeded)
        #expect(report.outputs == ["count": 3, "first": "ENG-1", "skipped": "skipped", "summary": "3 issues in flow"])
        #expect(report.document.outputs == report.outputs)
    }
}
