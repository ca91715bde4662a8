import Foundation
import TestSupport
import Testing

/// The recipes of docs/deploy.md (issue #12) hold what they promise, as far as this machine can
/// check without Docker, a GitHub runner or a cluster: the workflow they run validates, the
/// systemd units pass `systemd-analyze verify`, and the GitHub Actions and Kubernetes examples
/// have the parts the docs describe. (Every YAML block is also parsed by `DocsSchemaTests`.)
@Suite("docs/deploy.md recipes", .timeLimit(.minutes(2)))
struct DeployDocsTests {
    /// The fenced blocks of docs/deploy.md whose info string is `language`.
    static func blocks(_ language: String) throws -> [String] {
        let text = try String(contentsOfFile: repoPath("docs/deploy.md"), encoding: .utf8)
        var blocks: [String] = []
        var current: [String]?
        for line in text.components(separatedBy: "\n") {
            if let lines = current {
                if line == "```" {
                    blocks.append(lines.joined(separator: "\n") + "\n")
                    current = nil
                } else {
                    current = lines + [line]
                }
            } else if line == "```" + language {
                current = []
            }
        }
        return blocks
    }

    @Test("the workflows the recipes run and the Dockerfile's example pass 'mcp-run validate'")
    func workflowsValidate() async throws {
        let text =
            try String(contentsOfFile: repoPath("docs/deploy.md"), encoding: .utf8)
            + String(contentsOfFile: repoPath("docs/Dockerfile"), encoding: .utf8)
        let named = Set(
            text.split(whereSeparator: { " /\"`()".contains($0) }).filter {
                $0.hasSuffix(".yaml") && FileManager.default.fileExists(atPath: repoPath("workflows/" + $0))
            }.map(String.init))
        #expect(named == ["jira-report-ci.yaml"], "\(named)")
        for file in named {
            let validated = try await runMCPRun(["validate", "workflows/" + file])
            #expect(validated.exitCode == 0, "\(validated)")
        }
    }

    @Test("the systemd service and timer pass 'systemd-analyze verify'")
    func systemdUnits() async throws {
        let units = try Self.blocks("ini")
        #expect(units.count == 2)
        let folder = try temporaryDirectory("systemd-units")
        // The binary under test stands in for /usr/local/bin/mcp-run, which the test may not write.
        let binary = try mcpRunBinary()
        var paths: [String] = []
        for unit in units {
            let name = try #require(unit.split(separator: "\n").first?.dropFirst(2))
            let path = folder + "/" + name
            try unit.replacingOccurrences(of: "/usr/local/bin/mcp-run", with: binary)
                .write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["jira-report.service", "jira-report.timer"])
        let verified = try await runProgram("/usr/bin/systemd-analyze", ["verify"] + paths)
        #expect(verified.exitCode == 0 && verified.stderr.isEmpty, "\(verified)")
    }

    @Test("the GitHub Actions example is scheduled, takes secrets, writes a summary and uploads the results")
    func githubActions() throws {
        let workflow = try #require(try Self.blocks("yaml").first { $0.contains("jobs:") })
        for part in [
            "schedule:", "${{ secrets.ATLASSIAN_API_TOKEN }}", "--summary summary.md", "actions/upload-artifact",
            "if: ${{ always() }}", "--non-interactive", "validate --format github",
        ] {
            #expect(workflow.contains(part), "'\(part)' missing:\n\(workflow)")
        }
    }

    @Test("the Kubernetes CronJob takes the token from a Secret; the token cache goes on a volume")
    func kubernetes() throws {
        let blocks = try Self.blocks("yaml")
        let cronJob = try #require(blocks.first { $0.contains("kind: CronJob") })
        for part in ["secretRef:", "name: atlassian", "concurrencyPolicy: Forbid", "MCP_RUN_NON_INTERACTIVE"] {
            #expect(cronJob.contains(part), "'\(part)' missing:\n\(cronJob)")
        }
        #expect(blocks.contains { $0.contains("kind: Secret") && $0.contains("ATLASSIAN_API_TOKEN") })
        #expect(blocks.contains { $0.contains("kind: PersistentVolumeClaim") })
        #expect(blocks.contains { $0.contains("MCP_RUN_HOME") && $0.contains("persistentVolumeClaim:") })
    }
}
