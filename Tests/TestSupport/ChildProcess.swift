import Basics
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started for a test, with its stdout and stderr collected as they arrive.
///
/// Both streams are drained concurrently by a plain thread each (blocking `read(2)` never runs on
/// the cooperative pool), so a child that writes a lot to one stream never stalls on the other.
/// Every wait takes a deadline. The owner must call `terminate(grace:)` (or see it exit) on every
/// path; `withServer` and `runMCPRun` do.
package final class ChildProcess: Sendable {
    /// The executable followed by its arguments, for failure messages.
    package let commandLine: [String]
    /// The process id.
    package let processIdentifier: Int32

    private let stdoutBytes: Observed<Output>
    private let stderrBytes: Observed<Output>
    private let exitStatus: Observed<Termination?>
    /// The write end of the child's stdin when the test keeps it open (`keepsStdinOpen`).
    private let stdinWriter: FileHandle?

    /// Bytes read from one stream so far, and whether it reached end-of-file.
    struct Output: Sendable {
        var bytes: [UInt8] = []
        var isClosed = false
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// How the process ended.
    package struct Termination: Sendable, Equatable {
        /// The exit status, or `128 + signal` when a signal ended it (as shells report it).
        package var exitCode: Int32
        /// The signal that ended it, if one did.
        package var signal: Int32?
    }

    /// Starts `executable` with `arguments`.
    ///
    /// The child starts with an empty signal mask and leads a process group of its own
    /// (`ChildSpawn`: not `Foundation.Process`, which crashes now and then on Linux with Swift
    /// 6.3.1, and passes on the spawning thread's mask, which blocks SIGTERM and SIGINT).
    ///
    /// - Parameters:
    ///   - environment: the child's whole environment (nothing is inherited beyond it).
    ///   - workingDirectory: the child's working directory; default: the current one.
    ///   - stdin: text written to the child's stdin, which is then closed; nil: `/dev/null`.
    ///   - keepsStdinOpen: with `stdin` nil, a pipe the test writes to as the child runs
    ///     (`writeToStdin(_:)`), like a person typing; closed by `closeStdin()` or at exit.
    /// - Throws: `TestSupportError` when the process cannot be started.
    package init(
        executable: String, arguments: [String], environment: [String: String],
        workingDirectory: String? = nil, stdin: String? = nil, keepsStdinOpen: Bool = false
    ) async throws {
        commandLine = [executable] + arguments
        let stdoutBytes = Observed(Output())
        let stderrBytes = Observed(Output())
        let exitStatus = Observed<Termination?>(nil)
        self.stdoutBytes = stdoutBytes
        self.stderrBytes = stderrBytes
        self.exitStatus = exitStatus

        let outPipe = Pipe()
        let errPipe = Pipe()
        let inPipe: Pipe? = stdin == nil && !keepsStdinOpen ? nil : Pipe()
        stdinWriter = stdin == nil ? inPipe?.fileHandleForWriting : nil
        let pid: Int32
        do {
            pid = try ChildSpawn.start(
                executable: executable, arguments: arguments, environment: environment, directory: workingDirectory,
                standardInput: inPipe?.fileHandleForReading.fileDescriptor,
                standardOutput: outPipe.fileHandleForWriting.fileDescriptor,
                standardError: errPipe.fileHandleForWriting.fileDescriptor)
        } catch {
            throw TestSupportError(
                "could not start \(Self.render(commandLine)): \(error)",
                hint: "check that '\(executable)' exists and is executable")
        }
        // The child's ends: only the child may hold them, or its output would never end.
        try? outPipe.fileHandleForWriting.close()
        try? errPipe.fileHandleForWriting.close()
        try? inPipe?.fileHandleForReading.close()
        processIdentifier = pid
        let reaper = Thread {
            let termination: Termination =
                switch ChildSpawn.waitForExit(pid) {
                case .exited(let status): Termination(exitCode: status, signal: nil)
                case .signaled(let signal): Termination(exitCode: 128 + signal, signal: signal)
                }
            exitStatus.update { $0 = termination }
        }
        reaper.name = "TestSupport wait \(pid)"
        reaper.start()

        Self.drain(outPipe.fileHandleForReading, into: stdoutBytes, name: "stdout")
        Self.drain(errPipe.fileHandleForReading, into: stderrBytes, name: "stderr")
        if let inPipe, let stdin {
            let writer = inPipe.fileHandleForWriting
            let bytes = Data(stdin.utf8)
            // A thread of its own: a child that never reads its stdin must not block the test.
            let thread = Thread {
                try? writer.write(contentsOf: bytes)
                try? writer.close()
            }
            thread.name = "TestSupport stdin \(processIdentifier)"
            thread.start()
        }
    }

    /// Reads `handle` until end-of-file on a thread of its own, appending to `output`.
    private static func drain(_ handle: FileHandle, into output: Observed<Output>, name: String) {
        let descriptor = handle.fileDescriptor
        let thread = Thread {
            // `handle` is captured so that its descriptor stays open while this thread reads it.
            withExtendedLifetime(handle) {
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count > 0 {
                        let chunk = Array(buffer[0..<count])
                        output.update { $0.bytes += chunk }
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        break
                    }
                }
                output.update { $0.isClosed = true }
            }
        }
        thread.name = "TestSupport \(name) reader"
        thread.start()
    }

    /// Writes `text` to the child's stdin (kept open with `keepsStdinOpen`); a few bytes, so the
    /// pipe's buffer takes them without blocking.
    package func writeToStdin(_ text: String) {
        try? stdinWriter?.write(contentsOf: Data(text.utf8))
    }

    /// Closes the child's stdin (end-of-file), when the test kept it open.
    package func closeStdin() {
        try? stdinWriter?.close()
    }

    /// Everything the child wrote to stdout so far.
    package var stdout: String { stdoutBytes.value.text }
    /// Everything the child wrote to stderr so far.
    package var stderr: String { stderrBytes.value.text }
    /// How the child ended, or nil while it runs.
    package var termination: Termination? { exitStatus.value }

    /// Waits until stdout holds a complete line (ending in a newline) for which `match` returns a
    /// value, or until stdout closes, or the deadline passes.
    ///
    /// - Returns: `match`'s value, or nil if stdout closed or the deadline passed first.
    package func waitForStdoutLine<T: Sendable>(
        timeout: Duration, _ match: @escaping @Sendable (Substring) -> T?
    ) async -> T? {
        await Self.waitForLine(in: stdoutBytes, timeout: timeout, match)
    }

    /// Waits until stderr holds a complete line for which `match` returns a value; as
    /// `waitForStdoutLine(timeout:_:)`.
    package func waitForStderrLine<T: Sendable>(
        timeout: Duration, _ match: @escaping @Sendable (Substring) -> T?
    ) async -> T? {
        await Self.waitForLine(in: stderrBytes, timeout: timeout, match)
    }

    private static func waitForLine<T: Sendable>(
        in stream: Observed<Output>, timeout: Duration, _ match: @escaping @Sendable (Substring) -> T?
    ) async -> T? {
        let firstMatch: @Sendable (Output) -> T? = { output in
            let text = output.text
            guard let lastNewline = text.lastIndex(of: "\n") else { return nil }
            for line in text[..<lastNewline].split(separator: "\n", omittingEmptySubsequences: false) {
                if let value = match(line) { return value }
            }
            return nil
        }
        let output = await stream.wait(timeout: timeout) { firstMatch($0) != nil || $0.isClosed }
        return output.flatMap(firstMatch)
    }

    /// Waits for the child to exit, for at most `timeout`.
    ///
    /// - Returns: how it ended, or nil if it still runs.
    package func waitForExit(timeout: Duration) async -> Termination? {
        await exitStatus.wait(timeout: timeout) { $0 != nil } ?? nil
    }

    /// Waits for stdout and stderr to reach end-of-file, for at most `timeout`.
    ///
    /// A grandchild that inherited a stream can hold it open after the child exits.
    /// - Returns: whether both closed.
    package func waitForOutputClosed(timeout: Duration) async -> Bool {
        async let out = stdoutBytes.wait(timeout: timeout) { $0.isClosed }
        async let err = stderrBytes.wait(timeout: timeout) { $0.isClosed }
        let (stdoutClosed, stderrClosed) = await (out, err)
        return stdoutClosed != nil && stderrClosed != nil
    }

    /// Sends `signal` to the child, unless it has already exited.
    package func send(signal: Int32) {
        guard termination == nil else { return }
        kill(processIdentifier, signal)
    }

    /// Stops the child: SIGTERM, up to `grace` to exit, then SIGKILL and up to 5 s more.
    ///
    /// Returns at once when the child has already exited. Safe to call more than once.
    /// - Returns: how it ended, or nil if even SIGKILL did not end it within 5 s.
    @discardableResult
    package func terminate(grace: Duration = .seconds(3)) async -> Termination? {
        if let termination { return termination }
        send(signal: SIGTERM)
        if let ended = await waitForExit(timeout: grace) { return ended }
        send(signal: SIGKILL)
        return await waitForExit(timeout: .seconds(5))
    }

    /// `arg arg 'arg with space'`: a command line a person can paste into a shell.
    package static func render(_ commandLine: [String]) -> String {
        commandLine.map { argument in
            let plain =
                !argument.isEmpty && argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:@,+%".contains($0) }
            return plain ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}

/// Runs a short local command to its end, its output going where the test's goes, and returns its
/// exit status (`128 + signal` when a signal ended it). Blocks the calling thread: for commands
/// that take moments (`openssl rehash`, `chattr`), never for a server.
/// - Throws: `TestSupportError` when it cannot be started.
@discardableResult
package func runQuickCommand(_ executable: String, _ arguments: [String]) throws -> Int32 {
    let pid: Int32
    do {
        pid = try ChildSpawn.start(
            executable: executable, arguments: arguments, environment: ProcessInfo.processInfo.environment,
            directory: nil, standardInput: nil, standardOutput: 1,
            standardError: 2)
    } catch {
        throw TestSupportError("could not start \(executable): \(error)", hint: "check that it is installed")
    }
    switch ChildSpawn.waitForExit(pid) {
    case .exited(let status): return status
    case .signaled(let signal): return 128 + signal
    }
}
