import Foundation
import TestSupport
import Testing

/// The one-shot examples in docs/commands.md and the README that need no network (they start
/// the fixture server with `--stdio`) are run as written, by `sh`, from the repository root.
@Suite("docs/commands.md examples", .timeLimit(.minutes(2)))
struct CommandDocsExampleTests {
    /// Every `mcp-run …` line of `file` that starts the fixture server.
    static func examples(in file: String) throws -> [String] {
        let text = try String(contentsOfFile: repoPath(file), encoding: .utf8)
        return text.split(separator: "\n").map(String.init).filter {
            $0.hasPrefix("mcp-run ") && $0.contains("--stdio '.venv/bin/python fixtures/servers/tools.py'")
        }
    }

    @Test("each --stdio example runs as written and prints something")
    func run() async throws {
        let examples = try Self.examples(in: "docs/commands.md") + Self.examples(in: "README.md")
        #expect(examples.count >= 5, "\(examples)")
        // `mcp-run` on PATH is the binary under test.
        let bin = try temporaryDirectory("docs-examples-bin")
        try FileManager.default.createSymbolicLink(atPath: bin + "/mcp-run", withDestinationPath: try mcpRunBinary())
        var environment = ProcessInfo.processInfo.environment
        environment["MCP_RUN_HOME"] = try temporaryDirectory("docs-examples")
        environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        for example in examples {
            let process = try await ChildProcess(
                executable: "/bin/sh", arguments: ["-c", example], environment: environment,
                workingDirectory: repoRoot)
            var termination = await process.waitForExit(timeout: .seconds(30))
            if termination == nil { termination = await process.terminate(grace: .seconds(2)) }
            _ = await process.waitForOutputClosed(timeout: .seconds(5))
            #expect(termination?.exitCode == 0, "\(example)\n\(process.stdout)\n\(process.stderr)")
            #expect(!process.stdout.isEmpty, "\(example)")
        }
    }
}
