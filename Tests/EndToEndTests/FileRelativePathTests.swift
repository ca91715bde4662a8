import Basics
import Foundation
import TestSupport
import Testing

/// Contract §2, Paths: a relative path written in a file is taken from that file's folder; one
/// given on the command line from the current directory (issue #12: runs from anywhere).
@Suite("file-relative paths", .timeLimit(.minutes(2)))
struct FileRelativePathTests {
    /// A project folder: `bin/server` (a script that records its working directory, then runs the
    /// fixture server), `flows/` for workflows, `flows/data/` for the server's `cwd`.
    struct Project {
        var root: String
        var flows: String { root + "/flows" }
        /// Where `bin/server` writes the directory it was started in.
        var startedIn: String { root + "/bin/server.cwd" }
        var recordedDirectory: String? {
            (try? String(contentsOfFile: startedIn, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    static func project(_ label: String) throws -> Project {
        let root = try temporaryDirectory(label) + "/project"
        let files = FileManager.default
        for folder in ["bin", "flows/data", "flows/results"] {
            try files.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        let project = Project(root: root)
        let (python, arguments) = try fixtureServerCommand("tools.py")
        try writeExecutable(
            "#!/bin/sh\npwd > '\(project.startedIn)'\nexec '\(python)' \(arguments.map { "'\($0)'" }.joined(separator: " "))\n",
            to: root + "/bin/server")
        return project
    }

    static let workflow = """
        servers:
          local:
            command: ../bin/server
            cwd: data
        steps:
          - id: greet
            server: local
            tool: echo
            arguments: { text: from anywhere }
        output: results/out.json
        """

    @Test(
        "a workflow run from another folder starts its relative command and cwd and writes its relative output: from its own folder"
    )
    func workflowFromElsewhere() async throws {
        let project = try Self.project("relative-workflow")
        try Self.workflow.write(toFile: project.flows + "/nightly.yaml", atomically: true, encoding: .utf8)
        let elsewhere = try temporaryDirectory("relative-elsewhere")
        let run = try await runMCPRun(["run", project.flows + "/nightly.yaml"], workingDirectory: elsewhere)
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        let written = try JSONValue.parse(String(contentsOfFile: project.flows + "/results/out.json", encoding: .utf8))
        #expect(written.step("greet")?["status"] == "succeeded", "\(written)")
        #expect(project.recordedDirectory == project.flows + "/data")
        #expect(!FileManager.default.fileExists(atPath: elsewhere + "/results"))
    }

    @Test(
        "a workflow named by a relative path resolves its paths through that path, and -o stays in the current folder")
    func relativeWorkflowPath() async throws {
        let project = try Self.project("relative-path")
        try Self.workflow.write(toFile: project.flows + "/nightly.yaml", atomically: true, encoding: .utf8)
        let parent = (project.root as NSString).deletingLastPathComponent
        let run = try await runMCPRun(
            ["run", "project/flows/nightly.yaml", "-o", "here.json"], workingDirectory: parent)
        #expect(run.exitCode == 0, "\(run)")
        #expect(FileManager.default.fileExists(atPath: parent + "/here.json"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: project.flows + "/results/out.json"))
        #expect(project.recordedDirectory == project.flows + "/data")
    }

    @Test("a --servers file's relative command is taken from the servers file's folder, for tools and for a run")
    func serversFileFolder() async throws {
        let project = try Self.project("relative-servers")
        try """
        local:
          command: bin/server
        """.write(toFile: project.root + "/servers.yaml", atomically: true, encoding: .utf8)
        let elsewhere = try temporaryDirectory("relative-servers-elsewhere")
        let tools = try await runMCPRun(
            ["tools", "local", "--servers", project.root + "/servers.yaml"], workingDirectory: elsewhere)
        #expect(tools.exitCode == 0, "\(tools)")
        #expect(tools.stdout.contains("echo"), "\(tools)")
        // No cwd: the child runs where mcp-run was started.
        #expect(project.recordedDirectory == elsewhere)
    }

    @Test("workflows/demo.yaml runs from another folder, named by its absolute path (issue #12)")
    func demoFromElsewhere() async throws {
        let elsewhere = try temporaryDirectory("demo-elsewhere")
        let run = try await runMCPRun(["run", repoPath("workflows/demo.yaml")], workingDirectory: elsewhere)
        #expect(run.exitCode == 0, "\(run)")
        #expect(try run.json()["outputs"]?["total"] == 42, "\(run)")
    }

    @Test("the Paths example in docs/workflow-format.md validates")
    func docsExampleValidates() async throws {
        let docs = try String(contentsOfFile: repoPath("docs/workflow-format.md"), encoding: .utf8)
        let section = try #require(docs.components(separatedBy: "### Paths\n").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```yaml\n").dropFirst().first)
        let yaml = try #require(block.components(separatedBy: "```").first)
        let path = try temporaryDirectory("docs-paths") + "/nightly.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await runMCPRun(["validate", path])
        #expect(yaml.contains("output: results/nightly.json"))
        #expect(run.exitCode == 0, "\(run)")
    }

    @Test("a relative command that is missing names the path it was taken as")
    func missingCommandNamesResolvedPath() async throws {
        let project = try Self.project("relative-missing")
        try Self.workflow.replacingOccurrences(of: "../bin/server", with: "../bin/nope")
            .write(toFile: project.flows + "/nightly.yaml", atomically: true, encoding: .utf8)
        let run = try await runMCPRun(["run", project.flows + "/nightly.yaml", "-o", "-"], workingDirectory: "/")
        #expect(run.exitCode == 4, "\(run)")
        #expect(run.stderr.contains("cannot start '\(project.flows)/../bin/nope'"), "\(run)")
    }
}
