import Foundation
import TestSupport

/// Runs a program the tests check mcp-run's output with (a shell, `man`, the install script),
/// with a deadline; a program that is not installed is an error naming the package to install.
///
/// - Parameters:
///   - executable: an absolute path.
///   - environment: added to the test process's environment.
///   - deadline: SIGTERM then (2 s later) SIGKILL after it; the output then has `timedOut`.
func runProgram(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
    workingDirectory: String? = nil, deadline: Duration = .seconds(30)
) async throws -> RunOutput {
    guard FileManager.default.isExecutableFile(atPath: executable) else {
        throw TestSupportError(
            "'\(executable)' is not installed", hint: "run scripts/setup (it installs zsh, fish and man-db)")
    }
    var childEnvironment = ProcessInfo.processInfo.environment
    childEnvironment.merge(environment) { _, new in new }
    return try await runToEnd(
        executable, arguments, environment: childEnvironment, stdin: stdin, workingDirectory: workingDirectory,
        deadline: deadline)
}
