import Basics
import Foundation
import Testing
import WorkflowModel

private func load(_ text: String, extraServers: [String: ServerSpec] = [:]) throws -> Workflow {
    try WorkflowLoader.load(text: text, file: "flow.yaml", extraServers: extraServers)
}

private func problems(_ text: String) -> [WorkflowError] {
    do {
        _ = try load(text)
        return []
    } catch let error as WorkflowProblems {
        return error.problems
    } catch {
        Issue.record("unexpected error \(error)")
        return []
    }
}

@Suite("WorkflowLoader")
struct WorkflowLoaderTests {
    @Test("reports every problem of one bad file in one pass, each at its file:line:col")
    func everyProblemInOnePass() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../EndToEndTests/Fixtures/workflows/invalid-everything.yaml").standardized
        let text = try String(contentsOf: url, encoding: .utf8)
        let found = problems(text)
        let lines = found.map { "\($0.context.location?.line ?? 0):\($0.context.location?.column ?? 0) \($0.message)" }
        func has(_ line: Int, _ fragment: String) -> Bool {
            found.contains { $0.context.location?.line == line && $0.message.contains(fragment) }
        }
        #expect(has(4, "unknown key 'lol'"), "\(lines)")
        #expect(has(9, "unknown key 'trasnport'"), "\(lines)")
        #expect(found.contains { $0.hint == "did you mean 'transport'?" }, "\(lines)")
        #expect(has(14, "timeout must be an integer"), "\(lines)")
        #expect(has(16, "step 'later', which runs after step 'first'"), "\(lines)")
        #expect(has(17, "unknown step 'nowhere'"), "\(lines)")
        #expect(has(20, "duplicate key 'server'"), "\(lines)")
        #expect(has(22, "must be true or false, not 'no'"), "\(lines)")
        #expect(has(24, "expected a value"), "malformed expression: \(lines)")
        #expect(has(26, "unknown server 'missing'"), "\(lines)")
        #expect(found.contains { if case .dependencyCycle = $0.code { return true } else { return false } }, "\(lines)")
        #expect(has(36, "alias"), "alias bomb: \(lines)")
        #expect(has(28, "cycle"), "\(lines)")
        #expect(found.allSatisfy { $0.context.location?.file == "flow.yaml" })
    }

    @Test("loads a valid workflow with typed templates and defaults")
    func loadsValid() throws {
        let workflow = try load(
            """
            inputs:
              days: { type: integer, default: 1 }
            servers:
              s: { url: "https://example.com/mcp", transport: streamable-http }
            steps:
              - id: a
                server: s
                tool: t
                arguments: { n: "${{ inputs.days * 50 }}", literal: on }
              - server: s
                tool: u
                if: steps.a.status == 'succeeded'
            """)
        #expect(workflow.name == "flow")
        #expect(workflow.steps.map(\.id) == ["a", "step-2"])
        #expect(workflow.steps[1].condition != nil)
        #expect(workflow.servers["s"]?.transport == .streamableHTTP)
        guard case .object(let members)? = workflow.steps[0].arguments else {
            Issue.record("arguments should hold a template")
            return
        }
        #expect(members["literal"]?.literalValue == .string("on"))
    }

    @Test("a step may refer only to steps it needs, once it declares needs")
    func needsScopesReferences() {
        let found = problems(
            """
            servers: { s: { url: "https://example.com/mcp" } }
            steps:
              - { id: a, server: s, tool: t }
              - { id: b, server: s, tool: t }
              - { id: c, server: s, tool: t, needs: [a], arguments: { x: "${{ steps.b.text }}" } }
            """)
        #expect(found.count == 1)
        #expect(found.first?.message.contains("may not have finished") == true)
    }

    @Test("servers from --servers and MCP_SERVERS count, the workflow's own win")
    func extraServers() throws {
        let extra = try WorkflowLoader.loadServers(
            text:
                #"{"remote": {"url": "https://example.com/mcp", "authType": "bearer-token", "token": "${{ secrets.T }}"}}"#,
            file: "servers.json", origin: .serversFile)
        let workflow = try load(
            """
            steps:
              - { server: remote, tool: t }
            """, extraServers: extra)
        #expect(workflow.servers["remote"]?.authType == .bearerToken)
    }

    @Test("a server definition's unknown key names the nearest known one, with its location")
    func serverUnknownKey() {
        let found = problems(
            """
            servers:
              s:
                url: https://example.com/mcp
                authtype: basic
            steps:
              - { server: s, tool: t }
            """)
        #expect(found.count == 1)
        #expect(found.first?.hint == "did you mean 'authType'?")
        #expect(found.first?.context.location == SourceLocation(file: "flow.yaml", line: 4, column: 5))
    }

    @Test("the schema lists every step key")
    func schemaListsKeys() {
        let schema = WorkflowSchema.document
        #expect(schema["$defs"]?["step"]?["properties"]?["continue-on-error"] != nil)
        #expect(schema["$defs"]?["server"]?["properties"]?["apiKeyHeader"] != nil)
    }
}
