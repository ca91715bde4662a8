import Basics
import Expressions
import Testing
import WorkflowModel

private func problems(_ text: String) -> [WorkflowError] {
    do {
        _ = try WorkflowLoader.load(text: text, file: "flow.yaml")
        return []
    } catch {
        return error.problems
    }
}

/// `line:col message` of each problem, for failure messages and `contains` checks.
private func summary(_ found: [WorkflowError]) -> [String] {
    found.map { "\($0.context.location?.line ?? 0):\($0.context.location?.column ?? 0) \($0.message)" }
}

/// A workflow with one server `s` and one step, with `serverExtra` added to the server's
/// mapping and `stepExtra` to the step's (each a YAML line or block, already indented).
private func workflow(
    server serverExtra: String = "", step stepExtra: String = "    tool: t", top: String = ""
)
    -> String
{
    """
    \(top)
    servers:
      s:
        url: https://example.com/mcp
    \(serverExtra)
    steps:
      - id: a
        server: s
    \(stepExtra)
    """
}

@Suite("Hardening of workflow loading")
struct HardeningTests {
    @Test(
        "a number that becomes a duration, a count or a port outside its range is an error naming the range",
        arguments: [
            (
                workflow(step: "    tool: t\n    retry: { attempts: 2, backoff: 9223372036854775000 }"), 10,
                "backoff must be from 0 to 3600000 ms"
            ),
            (
                workflow(step: "    tool: t\n    retry: { attempts: 1000000, backoff: 1 }"), 10,
                "attempts must be from 1 to 100"
            ),
            (workflow(step: "    tool: t\n    retry: { attempts: 0 }"), 10, "attempts must be from 1 to 100"),
            (workflow(step: "    tool: t\n    retry: { backoff: -1 }"), 10, "backoff must be from 0 to 3600000 ms"),
            (
                workflow(step: "    tool: t\n    timeout: 9223372036854775807"), 10,
                "timeout must be from 1 to 86400000 ms"
            ),
            (workflow(step: "    tool: t\n    timeout: 0"), 10, "timeout must be from 1 to 86400000 ms"),
            (workflow(step: "    tool: t\n    timeout: 99999999999999999999"), 10, "from 1 to 86400000 ms, not 9999"),
            (workflow(step: "    tool: t\n    retry: { backoff: 1e300 }"), 10, "from 0 to 3600000 ms, not 1e300"),
            (workflow(server: "    timeout: 100000000000"), 5, "timeout must be from 1 to 86400000 ms"),
            (workflow(server: "    oauth: { redirectPort: 70000 }"), 5, "redirectPort must be from 1 to 65535"),
            (workflow(top: "concurrency: 1000000"), 1, "concurrency must be from 1 to 1000"),
            (workflow(top: "defaults: { timeout: 99999999999 }"), 1, "defaults timeout must be from 1 to 86400000 ms"),
            (
                workflow(top: "defaults: { retry: { backoff: 9223372036854775807 } }"), 1,
                "backoff must be from 0 to 3600000 ms"
            ),
            (
                workflow(step: "    tool: t\n    foreach: '[1]'\n    concurrency: 5000"), 11,
                "concurrency must be from 1 to 1000"
            ),
        ])
    func outOfRange(text: String, line: Int, fragment: String) {
        let found = problems(text)
        #expect(
            found.contains { $0.context.location?.line == line && $0.message.contains(fragment) },
            "\(summary(found))")
    }

    @Test("the largest allowed numbers load")
    func largestAllowed() throws {
        let text = workflow(
            server: "    timeout: 86400000\n    oauth: { redirectPort: 65535 }",
            step: "    tool: t\n    timeout: 86400000\n    retry: { attempts: 100, backoff: 3600000 }",
            top: "concurrency: 1000")
        #expect(problems(text).isEmpty, "\(summary(problems(text)))")
    }

    @Test(
        "a mapping key that is a sequence or a mapping is an error at the key",
        arguments: [
            ("    tool: t\n    arguments:\n      ? [a, b]\n      : x", 11, 9),
            ("    tool: t\n    arguments: { {a: 1}: x, b: 2 }", 10, 18),
            ("    tool: t\n    arguments:\n      list:\n        - ? [a]\n          : 1", 12, 13),
            ("    tool: t\n    ? [tool]\n    : x", 10, 7),
        ])
    func collectionKeys(step: String, line: Int, column: Int) {
        let found = problems(workflow(step: step))
        #expect(
            found.contains {
                $0.context.location?.line == line && $0.context.location?.column == column
                    && $0.message.contains("a mapping key must be a plain value")
            }, "\(summary(found))")
    }

    @Test(
        "a required scalar given as null or empty is an error, not an absent key",
        arguments: [
            ("    tool: null", "tool must be a string, not null"),
            ("    tool: ~", "tool must be a string, not null"),
            ("    tool:", "tool must be a string, not null"),
            ("    tool: ''", "tool must not be empty"),
            ("    resource: null", "resource must be a string, not null"),
            ("    prompt: ~", "prompt must be a string, not null"),
            ("    tool: t\n    arguments: null", "arguments must be a mapping, not null"),
            ("    tool: t\n    arguments:", "arguments must be a mapping, not null"),
            ("    tool: t\n    arguments: [1]", "arguments must be a mapping, not a sequence"),
            ("    tool: t\n    arguments: text", "arguments must be a mapping, not 'text'"),
        ])
    func nullScalars(step: String, fragment: String) {
        let found = problems(workflow(step: step))
        #expect(found.contains { $0.message.contains(fragment) }, "\(summary(found))")
    }

    @Test("a step whose server or id is null is an error")
    func nullServerAndID() {
        let found = problems(
            "servers:\n  s: { url: 'https://e.com/m' }\nsteps:\n  - server: null\n    tool: t\n  - id: ~\n    server: s\n    tool: t\n"
        )
        #expect(found.contains { $0.message.contains("server must be a string, not null") }, "\(summary(found))")
        #expect(found.contains { $0.message.contains("step id must be a string, not null") }, "\(summary(found))")
    }

    @Test(
        "templates in a server definition are checked with the roots a server sees",
        arguments: [
            ("    headers: { X-A: '${{ steps.a.text }}' }", 4, "unknown name 'steps'"),
            ("    headers:\n      X-A: '${{ nope.x }}'", 5, "unknown name 'nope'"),
            ("    env: { A: '${{ inputs.missing }}' }", 4, "undeclared input 'missing'"),
            ("    transport: stdio\n    command: x\n    args: ['${{ item }}']", 6, "unknown name 'item'"),
            ("    authType: bearer-token\n    token: '${{ result.x }}'", 5, "unknown name 'result'"),
            (
                "    authType: basic\n    username: '${{ secrets.U }}'\n    password: '${{ stpes.x }}'", 6,
                "unknown name 'stpes'"
            ),
            ("    oauth: { clientId: '${{ index }}' }", 4, "unknown name 'index'"),
        ])
    func serverTemplates(server: String, line: Int, fragment: String) {
        let text = """
            servers:
              s:
                url: https://example.com/mcp
            \(server)
            steps:
              - id: a
                server: s
                tool: t
            """
        let found = problems(text)
        #expect(
            found.contains {
                $0.context.location?.line == line && $0.message.contains(fragment) && $0.context.server == "s"
            }, "\(summary(found))")
    }

    @Test("a server's url template is checked at its column")
    func serverURLTemplate() {
        let found = problems(
            "servers:\n  s:\n    url: 'https://${{ steps.a.text }}/mcp'\nsteps:\n  - id: a\n    server: s\n    tool: t\n"
        )
        #expect(
            found.contains {
                $0.context.location == SourceLocation(file: "flow.yaml", line: 3, column: 23)
                    && $0.message.contains("unknown name 'steps'")
            }, "\(summary(found))")
    }

    @Test("server templates that read secrets, env, declared inputs and workflow load")
    func serverTemplatesAllowed() {
        let text = """
            inputs:
              region: { type: string, default: eu }
            servers:
              s:
                url: 'https://${{ inputs.region }}.example.com/mcp'
                headers: { X-Run: '${{ workflow.runId }}', X-Home: '${{ env.HOME }}' }
                authType: bearer-token
                token: '${{ secrets.T }}'
            steps:
              - id: a
                server: s
                tool: t
            """
        #expect(problems(text).isEmpty, "\(summary(problems(text)))")
    }

    @Test(
        "a header name that is not a token, or a value with CR, LF or NUL, is an error",
        arguments: [
            ("    headers: { 'X Bad': v }", "contains a space"),
            ("    headers: { 'X:Bad': v }", "contains a colon"),
            ("    headers: { '': v }", "is empty"),
            ("    headers: { \"X\\tA\": v }", "contains a space"),
            ("    headers: { \"X\\u0001\": v }", "contains a control character"),
            ("    headers: { 'X(A)': v }", "contains '('"),
            ("    headers: { X-A: \"a\\r\\nInjected: 1\" }", "contains a carriage return"),
            ("    headers: { X-A: \"a\\nb\" }", "contains a line break"),
            ("    headers: { X-A: \"a\\0b\" }", "contains a NUL character"),
            ("    authType: api-key\n    apiKey: k\n    apiKeyHeader: 'X Key'", "contains a space"),
            ("    env: { 'A=B': v }", "cannot be a variable name"),
            ("    env: { A: \"x\\0y\" }", "contains a NUL character"),
        ])
    func headerRules(server: String, fragment: String) {
        let found = problems(workflow(server: server))
        #expect(found.contains { $0.message.contains(fragment) }, "\(summary(found))")
    }

    @Test(
        "a template in a key that is not templated is an error at its value",
        arguments: [
            ("    transport: stdio\n    command: '${{ env.PY }}'", "", "command is not templated"),
            ("    transport: stdio\n    command: x\n    cwd: '${{ env.HOME }}/srv'", "", "cwd is not templated"),
            (
                "    authType: api-key\n    apiKey: k\n    apiKeyHeader: 'X-${{ env.H }}'", "",
                "apiKeyHeader is not templated"
            ),
            ("", "    tool: '${{ inputs.tool }}'", "tool is not templated"),
        ])
    func untemplatedKeys(server: String, step: String, fragment: String) {
        let found = problems(workflow(server: server, step: step.isEmpty ? "    tool: t" : step))
        #expect(found.contains { $0.message.contains(fragment) }, "\(summary(found))")
    }

    @Test("a template may not build a value nested deeper than 512 levels; up to 512 evaluates")
    func templateDepth() throws {
        let workflow = try WorkflowLoader.load(
            text: "servers: { s: { url: 'https://e.com/m' } }\nsteps:\n  - id: a\n    server: s\n    tool: t\n"
                + "    arguments: { a: [['${{ inputs.x }}']] }\ninputs: { x: { type: array } }\n",
            file: "flow.yaml")
        let arguments = try #require(workflow.steps.first?.arguments)
        var value = JSONValue.array([])
        for _ in 1..<509 { value = .array([value]) }  // 509 levels, inside 3: 512
        let fits = EvaluationContext(variables: ["inputs": ["x": value]], now: { 0 })
        #expect(try arguments.evaluate(in: fits).value.nestingDepth == 512)
        let tooDeep = EvaluationContext(variables: ["inputs": ["x": .array([value])]], now: { 0 })
        #expect {
            try arguments.evaluate(in: tooDeep)
        } throws: { error in
            guard let error = error as? ExpressionError else { return false }
            return error.code == .tooDeep && error.context.location?.line == 6
                && error.message.contains("more than 512 levels")
        }
    }

    @Test("header names with every token character load")
    func tokenHeaderNames() {
        let found = problems(workflow(server: "    headers: { \"A1!#$%&'*+-.^_`|~\": v }"))
        #expect(found.isEmpty, "\(summary(found))")
    }

    @Test(
        "an expression too deep or too long for the evaluator is an error at its file:line:col",
        arguments: [(300, "nested more than 256 levels"), (8000, "more than 10000 tokens")])
    func deepExpression(terms: Int, fragment: String) {
        let chain = Array(repeating: "1", count: terms).joined(separator: " + ")
        let found = problems(workflow(step: "    tool: t\n    arguments:\n      n: '${{ \(chain) }}'"))
        #expect(
            found.contains {
                $0.context.location?.line == 11 && $0.context.location?.column == 15 && $0.message.contains(fragment)
            }, "\(summary(found).map { String($0.prefix(300)) })")
    }
}
