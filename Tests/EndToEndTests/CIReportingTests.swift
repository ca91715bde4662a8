import Basics
import Foundation
import TestSupport
import Testing

/// Failures that reach a person in CI (contract §5, issue #12): `validate --format github`
/// annotations, `run --summary PATH` and `$GITHUB_STEP_SUMMARY`.
@Suite("CI reporting (annotations and summaries)", .timeLimit(.minutes(3)))
struct CIReportingTests {
    static func servers() throws -> String { try serversJSON(name: "fixture", transport: .stdio, url: nil) }

    /// A workflow in a new folder whose second step fails with `message` and whose third is
    /// skipped.
    static func failingWorkflow(message: String) throws -> String {
        try write(
            """
            name: nightly
            steps:
              - id: fine
                server: fixture
                tool: echo
                arguments: { text: ok }
              - id: broken
                server: fixture
                tool: fail
                arguments: { message: \(JSONValue.string(message).serialized()) }
              - id: after
                server: fixture
                tool: echo
                arguments: { text: never }
            """)
    }

    /// Writes `text` as `flow.yaml` in a new temporary folder and returns its path.
    static func write(_ text: String) throws -> String {
        let path = try temporaryDirectory("ci-reporting") + "/flow.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("validate --format github prints one escaped annotation per problem on stdout, the human lines on stderr")
    func githubAnnotations() async throws {
        let path = try temporaryDirectory("annotations") + "/flow.yaml"
        try """
        steps:
          - id: a
            server: 'x%y,z'
            tool: t
            timeout: -5
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await runMCPRun(["validate", path, "--format", "github"])
        #expect(run.exitCode == 2, "\(run)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let file = path.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
        #expect(lines.count == 2, "\(run)")
        #expect(
            lines.first?.hasPrefix("::error file=\(file),line=3,col=13,title=mcp-run::step 'a': ") == true, "\(run)")
        #expect(lines.first?.contains("unknown server 'x%25y,z'") == true, "the message's % is escaped: \(run)")
        #expect(lines.last?.hasPrefix("::error file=\(file),line=5,col=14,") == true, "\(run)")
        #expect(lines.last?.contains("(hint: ") == true, "\(run)")
        #expect(run.stderr.contains("\(path):3:13: step 'a': uses unknown server 'x%y,z'"), "\(run)")
        let plain = try await runMCPRun(["validate", path])
        #expect(plain.stdout.isEmpty && plain.exitCode == 2, "\(plain)")
    }

    @Test("--summary writes a Markdown table of the steps; server text is masked, on one line and escaped")
    func summaryFile() async throws {
        // A tool error's first line is the step's message.
        let flow = try Self.failingWorkflow(message: "bad | row <b>x</b> \u{1B}[31m [link](http://x)\nsecond line")
        let summary = try temporaryDirectory("summary") + "/out/summary.md"
        let run = try await runMCPRun(
            ["run", flow, "--summary", summary, "-o", "/dev/null"], environment: ["MCP_SERVERS": try Self.servers()])
        #expect(run.exitCode == 1, "\(run)")
        let text = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(text.hasPrefix("### mcp-run: nightly failed\n"), "\(text)")
        #expect(text.contains("exit 1."), "\(text)")
        #expect(text.contains("| step | status | duration | attempts | error |"), "\(text)")
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| step") }
        #expect(rows.count == 3, "\(text)")
        #expect(rows.first?.hasPrefix("| fine | succeeded | ") == true, "\(text)")
        #expect(rows.dropFirst().first?.hasPrefix("| broken | failed | ") == true, "\(text)")
        #expect(rows.dropFirst().first?.contains("`tool_error` tool 'fail' returned an error") == true, "\(text)")
        #expect(rows.last?.hasPrefix("| after | skipped | ") == true, "\(text)")
        #expect(rows.last?.contains("`not_run`") == true, "\(text)")
        #expect(text.contains("bad \\| row &lt;b&gt;x&lt;/b&gt;"), "pipe and HTML escaped: \(text)")
        #expect(text.contains("\\[link\\](http://x)"), "no link: \(text)")
        #expect(!text.contains("\u{1B}"), "a control character reached the summary")
        #expect(rows.allSatisfy { $0.split(separator: "|", omittingEmptySubsequences: false).count >= 7 })
    }

    @Test("a secret echoed in an error is masked in the summary")
    func summaryMasksSecrets() async throws {
        let secret = "planted-summary-secret"
        let flow = try Self.write(
            """
            name: masked
            steps:
              - id: broken
                server: fixture
                tool: fail
                arguments: { message: "token ${{ secrets.TOKEN }} refused" }
            """)
        let summary = try temporaryDirectory("summary-secret-out") + "/summary.md"
        let run = try await runMCPRun(
            ["run", flow, "--summary", summary, "-o", "/dev/null"],
            environment: ["MCP_SERVERS": try Self.servers(), "TOKEN": secret])
        #expect(run.exitCode == 1, "\(run)")
        let text = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(text.contains("token \\*\\*\\* refused"), "\(text)")
        #expect(!text.contains(secret), "\(text)")
    }

    @Test("inside GitHub Actions the summary is appended to $GITHUB_STEP_SUMMARY; elsewhere it is not written")
    func gitHubStepSummary() async throws {
        let folder = try temporaryDirectory("step-summary")
        let stepSummary = folder + "/step_summary.md"
        try "earlier step's summary\n".write(toFile: stepSummary, atomically: true, encoding: .utf8)
        let flow = fixture("workflows/sequential.yaml")
        let environment = ["MCP_SERVERS": try Self.servers(), "GITHUB_STEP_SUMMARY": stepSummary]
        let outside = try await runMCPRun(["run", flow, "-o", "/dev/null"], environment: environment)
        #expect(outside.exitCode == 0, "\(outside)")
        #expect(try String(contentsOfFile: stepSummary, encoding: .utf8) == "earlier step's summary\n")
        var inside = environment
        inside["GITHUB_ACTIONS"] = "true"
        let run = try await runMCPRun(["run", flow, "-o", "/dev/null"], environment: inside)
        #expect(run.exitCode == 0, "\(run)")
        let text = try String(contentsOfFile: stepSummary, encoding: .utf8)
        #expect(text.hasPrefix("earlier step's summary\n### mcp-run: sequential succeeded\n"), "\(text)")
    }

    @Test("an unusable --summary path is exit 2 before any server is contacted")
    func unusableSummaryPath() async throws {
        let folder = try temporaryDirectory("summary-folder")
        let run = try await runMCPRun(
            ["run", fixture("workflows/sequential.yaml"), "--summary", folder],
            environment: ["MCP_SERVERS": #"{"fixture": {"transport": "stdio", "command": "/nonexistent"}}"#])
        #expect(run.exitCode == 2, "\(run)")
        #expect(run.stderr.contains("'\(folder)': it is a folder"), "\(run)")
        #expect(run.stderr.contains("'--summary'"), "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
    }
}
