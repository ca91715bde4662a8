import Foundation

/// Runs the `mcp-run` binary under test with `arguments` and returns its exit status and output.
///
/// The binary is `$MCP_RUN_BINARY`, else `<repoRoot>/.build/debug/mcp-run`. stdout and stderr are
/// drained concurrently. At `deadline` the run gets SIGTERM, then SIGKILL after 2 s, and the
/// output has `timedOut == true` (a hang is reported, not waited out).
///
/// The environment is the test process's, minus the variables that would let the machine's own
/// configuration leak in (`MCP_SERVERS`, `MCP_RUN_HOME`, `XDG_CONFIG_HOME`, and `CI`, which a CI job sets), with `MCP_RUN_HOME`
/// set to a new temporary folder (an empty token cache), then `environment` on top: pass
/// `MCP_RUN_HOME` to share a cache between runs.
///
/// - Parameters:
///   - arguments: the arguments after the binary, e.g. `["run", path, "-o", "-"]`.
///   - environment: variables to add or override.
///   - stdin: text for stdin, then end-of-file; nil: stdin is `/dev/null` (never a terminal).
///   - workingDirectory: default: the repository root.
///   - deadline: how long the run may take.
/// - Returns: the output; a non-zero exit status is returned, not thrown.
/// - Throws: `TestSupportError` when the binary is missing or cannot be started.
func runMCPRunUngated(
    _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
    workingDirectory: String? = nil, deadline: Duration = .seconds(60)
) async throws -> RunOutput {
    let binary = try mcpRunBinary()
    var childEnvironment = ProcessInfo.processInfo.environment
    // `CI` too: a CI job sets it, and it makes mcp-run non-interactive; tests that want that set it.
    for name in ["MCP_SERVERS", "MCP_RUN_HOME", "XDG_CONFIG_HOME", "CI"] { childEnvironment[name] = nil }
    childEnvironment["MCP_RUN_HOME"] = try temporaryDirectory("mcp-run-home")
    childEnvironment.merge(environment) { _, new in new }
    return try await runToEnd(
        binary, arguments, environment: childEnvironment, stdin: stdin, workingDirectory: workingDirectory,
        deadline: deadline)
}

/// Runs `executable` with exactly `environment` (in `workingDirectory`, else the repository) until
/// it exits or `deadline` passes (then SIGTERM, and SIGKILL 2 s later: the output has `timedOut`),
/// and collects its output.
/// - Throws: `TestSupportError` when it cannot be started.
package func runToEnd(
    _ executable: String, _ arguments: [String], environment: [String: String], stdin: String? = nil,
    workingDirectory: String? = nil, deadline: Duration
) async throws -> RunOutput {
    let process = try await ChildProcess(
        executable: executable, arguments: arguments, environment: environment,
        workingDirectory: workingDirectory ?? repoRoot, stdin: stdin)
    var timedOut = false
    var termination = await process.waitForExit(timeout: deadline)
    if termination == nil {
        timedOut = true
        termination = await process.terminate(grace: .seconds(2))
    }
    // The streams close at exit, unless a grandchild (a stdio server) inherited one.
    _ = await process.waitForOutputClosed(timeout: .seconds(5))
    return RunOutput(
        commandLine: process.commandLine, exitCode: termination?.exitCode ?? -1, signal: termination?.signal,
        timedOut: timedOut, stdout: process.stdout, stderr: process.stderr)
}

/// Runs the `mcp-run` binary under test; see `runMCPRunUngated`. Runs pass through `mcpRunGate`
/// so that a parallel test run does not start more processes than the machine can serve.
package func runMCPRun(
    _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
    workingDirectory: String? = nil, deadline: Duration = .seconds(60)
) async throws -> RunOutput {
    try await mcpRunGate.run {
        try await runMCPRunUngated(
            arguments, environment: environment, stdin: stdin, workingDirectory: workingDirectory, deadline: deadline)
    }
}
