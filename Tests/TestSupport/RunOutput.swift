import Basics

/// What one run of the `mcp-run` binary produced.
///
/// Its `description` prints the command line, the exit status and both streams, so
/// `#expect(run.exitCode == 0, "\(run)")` explains a failure on its own.
package struct RunOutput: Sendable, CustomStringConvertible {
    /// The binary and its arguments, as run.
    package var commandLine: [String]
    /// The exit status; `128 + signal` when a signal ended it; `-1` when it could not be stopped.
    package var exitCode: Int32
    /// The signal that ended the run, if one did (SIGKILL after the deadline, for example).
    package var signal: Int32?
    /// Whether the run was still going at its deadline and was killed.
    package var timedOut: Bool
    /// Everything written to stdout.
    package var stdout: String
    /// Everything written to stderr.
    package var stderr: String

    /// Creates it (tests normally get one from `runMCPRun`).
    package init(
        commandLine: [String], exitCode: Int32, signal: Int32? = nil, timedOut: Bool = false,
        stdout: String, stderr: String
    ) {
        self.commandLine = commandLine
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.stdout = stdout
        self.stderr = stderr
    }

    /// stdout parsed as one JSON document (the results document of a run).
    ///
    /// - Throws: `TestSupportError` naming the parse error and carrying this whole output.
    package func json() throws -> JSONValue {
        do {
            return try JSONValue.parse(stdout)
        } catch {
            throw TestSupportError("stdout of the run is not JSON: \(error)", output: description)
        }
    }

    /// stdout as JSON Lines (`--format jsonl`): one JSON value per non-empty line.
    ///
    /// - Throws: `TestSupportError` naming the line that is not JSON.
    package func jsonLines() throws -> [JSONValue] {
        var values: [JSONValue] = []
        for (index, line) in stdout.split(separator: "\n").enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            do {
                values.append(try JSONValue.parse(String(line)))
            } catch {
                throw TestSupportError("stdout line \(index + 1) is not JSON: \(error)", output: description)
            }
        }
        return values
    }

    /// The command line, how it ended, and both streams.
    package var description: String {
        var status = "exit \(exitCode)"
        if let signal { status += " (signal \(signal))" }
        if timedOut { status += " (killed at its deadline)" }
        return """
            $ \(ChildProcess.render(commandLine))
            \(status)
            --- stdout ---
            \(stdout)
            --- stderr ---
            \(stderr)
            --- end ---
            """
    }
}
