import Basics
import Foundation
import TestSupport
import Testing

/// Writes `text` to `name` in a new temporary folder and returns its path.
private func write(_ text: String, name: String = "flow.yaml") throws -> String {
    let path = try temporaryDirectory("hardening") + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A workflow whose one step calls a stdio server that is never started (`validate` and
/// `--dry-run` need none), with `step` appended to the step and `top` before `servers:`.
private func workflow(step: String = "", top: String = "", server: String = "") -> String {
    """
    \(top)
    servers:
      s:
        transport: stdio
        command: /nonexistent/never-started
    \(server)
    steps:
      - id: a
        server: s
        tool: t
    \(step)
    """
}

/// `validate FILE` and `run FILE --dry-run` both exit 2 without a signal, and stderr names
/// `path:position` with `fragment` there.
private func expectRefused(_ text: String, at position: String, _ fragment: String) async throws {
    let path = try write(text)
    for arguments in [["validate", path], ["run", path, "--dry-run"]] {
        let run = try await runMCPRun(arguments)
        #expect(run.signal == nil && run.exitCode == 2, "\(arguments[0]): \(run)")
        let block = run.stderr.components(separatedBy: "\(path):\(position):").dropFirst().first ?? ""
        #expect(block.prefix(400).contains(fragment), "\(arguments[0]): expected '\(fragment)' at \(position): \(run)")
    }
}

@Suite("Hostile and overflowing input", .timeLimit(.minutes(3)))
struct HardeningInputTests {
    @Test(
        "an expression too tall or too long for the evaluator is refused at its file:line:col, not a crash",
        arguments: [
            (Array(repeating: "1", count: 8000).joined(separator: " + "), "more than 10000 tokens"),
            (Array(repeating: "1", count: 2000).joined(separator: " + "), "nested more than 256 levels"),
            (Array(repeating: "true", count: 2000).joined(separator: " || "), "nested more than 256 levels"),
            (String(repeating: "(", count: 3000) + "1" + String(repeating: ")", count: 3000), "nests too deeply"),
            (String(repeating: "!", count: 3000) + "true", "nests too deeply"),
            ("inputs" + String(repeating: ".a", count: 3000), "nested more than 256 levels"),
        ])
    func tallExpressions(expression: String, fragment: String) async throws {
        // Brackets and prefix operators are refused at the first one too deep: the 201st.
        let column = fragment == "nests too deeply" ? 215 : 15
        try await expectRefused(
            workflow(step: "    arguments:\n      n: '${{ \(expression) }}'"), at: "12:\(column)", fragment)
    }

    @Test("a chain just under the limit runs in --dry-run")
    func chainUnderLimit() async throws {
        let chain = Array(repeating: "1", count: 256).joined(separator: " + ")
        let path = try write(workflow(step: "    arguments:\n      n: '${{ \(chain) }}'"))
        let run = try await runMCPRun(["run", path, "--dry-run"])
        #expect(run.exitCode == 0, "\(run)")
        #expect(try run.json()["steps"]?[0]?["arguments"]?["n"] == 256, "\(run)")
    }

    @Test("deeply nested YAML flow collections are refused at their location, not a crash")
    func deepYAML() async throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        try await expectRefused(
            workflow(step: "    arguments:\n      n: \(deep)"), at: "12:518", "nested more than 512")
        let deepMapping = String(repeating: "{a: ", count: 50_000) + "1" + String(repeating: "}", count: 50_000)
        try await expectRefused(
            workflow(step: "    arguments:\n      n: \(deepMapping)"), at: "12:2042", "nested more than 512")
    }

    @Test("a value nested deeper than 512 levels by a template is refused by run, shown as written by --dry-run")
    func nestedBeyondTheLimit() async throws {
        let inner = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        let inputs = try write(#"{"x": \#(inner)}"#, name: "inputs.json")
        let wrapped = String(repeating: "[", count: 20) + "'${{ inputs.x }}'" + String(repeating: "]", count: 20)
        let text = """
            inputs:
              x: { type: array }
            steps:
              - id: fits
                server: fixture
                tool: echo
                arguments: { text: 'n=${{ length(inputs.x) }}' }
              - id: deep
                server: fixture
                tool: echo
                arguments:
                  text: \(wrapped)
                  ok: '${{ inputs.x }}'
            """
        let path = try write(text)
        let never = #"{"fixture": {"transport": "stdio", "command": "/nonexistent/never-started"}}"#
        let plan = try await runMCPRun(
            ["run", path, "--dry-run", "--inputs", inputs], environment: ["MCP_SERVERS": never])
        #expect(plan.signal == nil && plan.exitCode == 0, "\(plan)")
        let planned = try plan.json()["steps"]?[1]?["arguments"]
        #expect(planned?["ok"]?.nestingDepth == 500, "\(plan)")
        #expect(planned?["text"]?.nestingDepth == 20, "a value too deep is shown as written: \(plan)")
        try await withFixture(.stdio) { servers in
            let run = try await runMCPRun(
                ["run", path, "--inputs", inputs, "-o", "-"], environment: ["MCP_SERVERS": servers])
            #expect(run.signal == nil && run.exitCode == 1, "\(run)")
            let message = try run.json().step("deep")?["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("would nest more than 512 levels"), "\(run)")
        }
    }

    @Test("a 100,000-deep --inputs file is refused with its location, not a crash")
    func deepInputs() async throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let inputs = try write(#"{"x": \#(deep)}"#, name: "inputs.json")
        let path = try write(workflow(top: "inputs:\n  x: { type: array }"))
        let run = try await runMCPRun(["run", path, "--dry-run", "--inputs", inputs])
        #expect(run.signal == nil && run.exitCode == 2, "\(run)")
        #expect(run.stderr.contains("\(inputs):1:"), "\(run)")
        #expect(run.stderr.contains("nested more than 512"), "\(run)")
    }

    @Test("a 100,000-deep JSON text from a server is read as text, and fromJSON of it is a step error")
    func deepServerResult() async throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let text = """
            steps:
              - id: a
                server: fixture
                tool: echo
                arguments: { text: '\(deep)' }
              - id: b
                server: fixture
                tool: echo
                arguments: { text: '${{ toJSON(steps.a.json) }} ${{ length(steps.a.text) }}' }
              - id: c
                server: fixture
                tool: echo
                arguments: { text: '${{ fromJSON(steps.a.text) }}' }
            """
        let path = try write(text)
        try await withFixture(.stdio) { servers in
            let run = try await runMCPRun(["run", path, "-o", "-"], environment: ["MCP_SERVERS": servers])
            #expect(run.signal == nil && run.exitCode == 1, "\(run)")
            let results = try run.json()
            #expect(results.step("a")?["status"] == "succeeded", "\(run)")
            #expect(results.step("b")?["result"]?["content"]?[0]?["text"] == "null 200000", "\(run)")
            #expect(results.step("c")?["status"] == "failed", "\(run)")
        }
    }

    @Test(
        "a number that becomes a duration, a count or a port is range-checked at its location",
        arguments: [
            ("    retry: { attempts: 3, backoff: 9223372036854775000 }", "", "", "11:36", "from 0 to 3600000 ms"),
            ("    retry: { attempts: 9223372036854775807 }", "", "", "11:24", "from 1 to 100"),
            ("    timeout: 9223372036854775807", "", "", "11:14", "from 1 to 86400000 ms"),
            ("", "concurrency: 9223372036854775807", "", "1:14", "from 1 to 1000"),
            ("", "defaults: { timeout: 0 }", "", "1:22", "from 1 to 86400000 ms"),
            ("", "", "    timeout: -5", "6:14", "from 1 to 86400000 ms"),
            ("", "", "    timeout: 1e300", "6:14", "from 1 to 86400000 ms, not 1e300"),
            ("", "", "    oauth: { redirectPort: 0 }", "6:28", "from 1 to 65535"),
            ("    foreach: '[1, 2]'\n    concurrency: 99999", "", "", "12:18", "from 1 to 1000"),
        ])
    func ranges(step: String, top: String, server: String, position: String, fragment: String) async throws {
        try await expectRefused(workflow(step: step, top: top, server: server), at: position, fragment)
    }

    @Test(
        "collection keys, null required scalars and server templates are validate errors at file:line:col",
        arguments: [
            ("    arguments:\n      ? [a, b]\n      : x", "", "12:9", "a mapping key must be a plain value"),
            ("    arguments: { {a: 1}: x, {b: 2}: y }", "", "11:18", "a mapping key must be a plain value"),
            ("    resource: null", "", "11:15", "resource must be a string, not null"),
            ("", "    env: { A: '${{ steps.a.text }}' }", "6:20", "unknown name 'steps'"),
            ("", "    args: ['${{ nope }}']", "6:17", "unknown name 'nope'"),
            ("", "    env:\n      B: 'x${{ inputs.undeclared }}'", "7:16", "undeclared input 'undeclared'"),
            ("", "    headers: { 'X Bad': v }", "6:16", "contains a space"),
            ("", "    cwd: '${{ env.HOME }}/srv'", "6:10", "cwd is not templated"),
            ("", "    headers: { X-A: \"v\\r\\nInjected: 1\" }", "6:21", "contains a carriage return"),
        ])
    func validateChecks(step: String, server: String, position: String, fragment: String) async throws {
        try await expectRefused(workflow(step: step, server: server), at: position, fragment)
    }

    @Test("tool: null is a validate error at its value")
    func nullTool() async throws {
        let text = "servers:\n  s: { transport: stdio, command: x }\nsteps:\n  - server: s\n    tool: null\n"
        try await expectRefused(text, at: "5:11", "tool must be a string, not null")
    }

    @Test("the secrets file example in docs/workflow-format.md gives its values without quotes or comment")
    func docsSecretsExample() async throws {
        let docs = try String(contentsOfFile: repoPath("docs/workflow-format.md"), encoding: .utf8)
        let example = try #require(
            docs.components(separatedBy: "```sh\n# .secrets.env").dropFirst().first?.components(separatedBy: "```")
                .first)
        let secrets = try write("# .secrets.env" + example, name: "secrets.env")
        #expect(example.contains(#"ATLASSIAN_API_TOKEN="fake-api-token"      #"#), "the docs' example changed")
        let path = try write(
            workflow(
                step: """
                        arguments:
                          exact: '${{ secrets.ATLASSIAN_API_TOKEN == ''fake-api-token'' }}'
                          length: '${{ length(secrets.ATLASSIAN_API_TOKEN) }}'
                          email: '${{ secrets.ATLASSIAN_EMAIL == ''someone@example.com'' }}'
                          token: '${{ secrets.EXAMPLE_TOKEN == ''fake-token-0000'' }}'
                    """))
        let run = try await runMCPRun(["run", path, "--dry-run", "--secrets", secrets])
        #expect(run.exitCode == 0, "\(run)")
        let arguments = try run.json()["steps"]?[0]?["arguments"]
        #expect(arguments == ["exact": true, "length": 14, "email": true, "token": true], "\(run)")
    }

    @Test("a CRLF secrets file with quotes, export and comments gives the values written")
    func crlfSecrets() async throws {
        let secrets = try write(
            "\u{FEFF}# comment\r\nexport A='lit # eral' # c\r\nB=\"x\\ny\"\r\nC = plain value # c\r\n", name: "s.env")
        let path = try write(
            workflow(
                step: """
                        arguments:
                          a: '${{ secrets.A == ''lit # eral'' }}'
                          b: '${{ secrets.B == format(''x{0}y'', fromJSON(''"\\n"'')) }}'
                          c: '${{ secrets.C == ''plain value'' }}'
                    """))
        let run = try await runMCPRun(["run", path, "--dry-run", "--secrets", secrets])
        #expect(run.exitCode == 0, "\(run)")
        #expect(try run.json()["steps"]?[0]?["arguments"] == ["a": true, "b": true, "c": true], "\(run)")
    }

    @Test("a secrets file line that is not dotenv is an error naming file:line:col")
    func badSecretsLine() async throws {
        let secrets = try write("A=1\nB=\"unterminated\nC=3\n", name: "s.env")
        let path = try write(workflow())
        let run = try await runMCPRun(["run", path, "--dry-run", "--secrets", secrets])
        #expect(run.exitCode == 2, "\(run)")
        #expect(run.stderr.contains("\(secrets):2:3:"), "\(run)")
        #expect(run.stderr.contains("has no closing \""), "\(run)")
    }

    @Test("a foreach over more than 10,000 elements fails the step before any call; 10,000 is allowed")
    func foreachCap() async throws {
        let path = try write(
            workflow(
                step: """
                        foreach: ${{ fromJSON(inputs.list) }}
                        arguments: { n: '${{ item }}' }
                    """,
                top: "inputs:\n  list: { type: string }"))
        let over = "[" + Array(repeating: "0", count: 10_001).joined(separator: ",") + "]"
        let run = try await runMCPRun(["run", path, "--input", "list=\(over)"])
        #expect(run.signal == nil && run.exitCode == 1, "\(run)")
        #expect(run.stderr.contains("\(path):9:5: step 'a': server 's': 'foreach' gave 10001 elements"), "\(run)")
        #expect(try run.json().step("a")?["error"]?["code"] == "expression_error", "\(run)")
        let limit = "[" + Array(repeating: "0", count: 10_000).joined(separator: ",") + "]"
        let allowed = try await runMCPRun(["run", path, "--input", "list=\(limit)"])
        #expect(allowed.exitCode == 4, "the server is never there, so the first call fails: \(allowed)")
        #expect(!allowed.stderr.contains("'foreach' gave"), "\(allowed)")
    }
}
