import Basics
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The stdio transport: a child process speaking newline-delimited JSON-RPC on stdin and stdout
/// (MCP 2025-11-25, Transports, stdio).
///
/// The child gets an allow-listed environment (PATH, HOME, USER, LOGNAME, SHELL, TERM plus the
/// configured variables; never the whole parent environment, STYLE.md §7). Its stdout and stderr
/// are read by blocking `read(2)` on a thread of their own each, and its stdin is written by a
/// third, so no blocking call ever runs on the cooperative pool. The last 50 stderr lines are kept
/// for error messages and traced under `-v`.
///
/// The child runs in a process group of its own (`ChildProcessGroups`). Shutdown is staged
/// (STYLE.md §5): close stdin, wait 2 s, SIGTERM, wait 2 s, SIGKILL, each signal sent to the whole
/// group; once the child has exited, whatever is left of its group (a wrapper shell's other
/// children) gets SIGTERM, then SIGKILL after 2 s. When the child ends on its own, `incoming`
/// yields `.ended` with a `.closed` error naming the exit status and the last stderr lines.
package actor StdioTransport: Transport {
    /// The variables passed through from our own environment.
    package static let inheritedVariables = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM"]
    /// The longest stdout line accepted: 64 MiB.
    package static let maxLineBytes = 64 << 20

    /// Messages read from the child's stdout, then `.ended` when it exits on its own.
    package nonisolated let incoming: AsyncStream<TransportEvent>
    private let continuation: AsyncStream<TransportEvent>.Continuation
    /// The child's process id, which is also its process group's.
    private let pid: Int32
    private let pipes: (stdin: Pipe, stdout: Pipe, stderr: Pipe)
    private let writer: PipeWriter
    private let exitWatch: ExitWatch
    private let closing: OneShotFlag
    private let serverName: String
    private var isClosed = false

    /// The child's last stderr lines (up to 50), for error messages.
    package nonisolated let stderrTail: StderrTail

    /// Starts the child.
    ///
    /// `Process.run()` is called from a thread of its own whose signal mask is empty: on Linux the
    /// child inherits the mask of the spawning thread, and the cooperative pool's threads block
    /// SIGTERM and SIGINT, which would make the SIGTERM stage of shutdown a no-op.
    /// - Parameters:
    ///   - command: a program name looked up on the child's `PATH`, or a path (relative paths
    ///     are taken from `directory` when given).
    ///   - environment: the configured variables, added to the allow-listed ones.
    ///   - serverName: the config's name, for errors and traces.
    /// - Throws: `ClientError.unreachable` when the command cannot be found or started.
    package static func start(
        command: String, arguments: [String], environment: [String: Secret], directory: String?,
        serverName: String, logger: Logger
    ) async throws(ClientError) -> StdioTransport {
        let childEnvironment = Self.environment(adding: environment)
        if let directory, let problem = Self.directoryProblem(directory) {
            throw ClientError(
                code: .unreachable, message: "cannot start '\(command)': the server's `cwd` '\(directory)' \(problem)",
                hint: "set `cwd` to an existing folder, or remove it to start the server in the current folder",
                context: ErrorContext(server: serverName))
        }
        guard let executable = Self.resolve(command, path: childEnvironment["PATH"], directory: directory) else {
            let (reason, hint) = Self.commandProblem(command, directory: directory)
            throw ClientError(
                code: .unreachable, message: "cannot start '\(command)': \(reason)", hint: hint,
                context: ErrorContext(server: serverName))
        }
        let pipes = (stdin: Pipe(), stdout: Pipe(), stderr: Pipe())
        let pid: Int32
        do {
            pid = try ChildSpawn.start(
                executable: executable, arguments: arguments, environment: childEnvironment, directory: directory,
                standardInput: pipes.stdin.fileHandleForReading.fileDescriptor,
                standardOutput: pipes.stdout.fileHandleForWriting.fileDescriptor,
                standardError: pipes.stderr.fileHandleForWriting.fileDescriptor)
        } catch {
            for pipe in [pipes.stdin, pipes.stdout, pipes.stderr] {
                try? pipe.fileHandleForReading.close()
                try? pipe.fileHandleForWriting.close()
            }
            throw ClientError(
                code: .unreachable,
                message: "cannot start '\(command)': the system refused to run '\(executable)': \(error.reason)",
                hint: "check that '\(executable)' is a program this machine can run (a script needs a '#!' line)",
                context: ErrorContext(server: serverName), underlying: error)
        }
        // The child's ends: only the child may hold them, or its stdout would never end.
        try? pipes.stdin.fileHandleForReading.close()
        try? pipes.stdout.fileHandleForWriting.close()
        try? pipes.stderr.fileHandleForWriting.close()

        let exitWatch = ExitWatch()
        let exited = OneShotFlag()
        let exitBox = Locked<ProcessExit?>(nil)
        let reaper = Thread {
            let exit = ChildSpawn.waitForExit(pid)
            exitBox.withLock { $0 = exit }
            exited.set()
            exitWatch.set(exit)
        }
        reaper.name = "mcp-run wait \(serverName)"
        reaper.start()
        ChildProcessGroups.register(pid)
        return StdioTransport(
            pid: pid, pipes: pipes, exitWatch: exitWatch, exited: exited, exitBox: exitBox,
            serverName: serverName, logger: logger)
    }

    private init(
        pid: Int32, pipes: (stdin: Pipe, stdout: Pipe, stderr: Pipe), exitWatch: ExitWatch,
        exited: OneShotFlag, exitBox: Locked<ProcessExit?>, serverName: String, logger: Logger
    ) {
        self.serverName = serverName
        self.pid = pid
        self.pipes = pipes
        self.exitWatch = exitWatch
        let (incoming, continuation) = AsyncStream<TransportEvent>.makeStream()
        self.incoming = incoming
        self.continuation = continuation
        let tail = StderrTail()
        self.stderrTail = tail
        let closing = OneShotFlag()
        self.closing = closing
        writer = PipeWriter(handle: pipes.stdin.fileHandleForWriting)
        writer.start(name: "mcp-run stdin \(serverName)")

        let stderrDone = OneShotFlag()
        let stderrHandle = pipes.stderr.fileHandleForReading
        let stderrThread = Thread {
            // The handle is captured so that its descriptor stays open while this thread reads it.
            withExtendedLifetime(stderrHandle) {
                _ = PipeReader.readLines(fd: stderrHandle.fileDescriptor, maxLine: 1 << 20) { bytes in
                    let line = String(decoding: bytes, as: UTF8.self)
                    tail.append(line)
                    logger.trace("[\(serverName)] stderr: \(line)")
                }
            }
            stderrDone.set()
        }
        stderrThread.name = "mcp-run stderr \(serverName)"
        stderrThread.start()

        let stdoutHandle = pipes.stdout.fileHandleForReading
        let stdoutThread = Thread {
            let complete = withExtendedLifetime(stdoutHandle) {
                PipeReader.readLines(fd: stdoutHandle.fileDescriptor, maxLine: Self.maxLineBytes) { bytes in
                    guard !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) else { return }
                    do {
                        for message in try JSONRPCMessage.decodeAll(bytes) { continuation.yield(.message(message)) }
                    } catch {
                        continuation.yield(.malformed("stdout line is not JSON-RPC (\(error)): \(Self.preview(bytes))"))
                    }
                }
            }
            if !complete {
                continuation.yield(
                    .ended(
                        ClientError(
                            code: .protocolViolation,
                            message: "the server wrote a line longer than \(Self.maxLineBytes) bytes to stdout",
                            context: ErrorContext(server: serverName))))
                continuation.finish()
                return
            }
            // stdout is at its end: the child is exiting. Collect its status and last words.
            _ = stderrDone.wait(seconds: 2)
            let exit = exited.wait(seconds: 2) ? exitBox.value : nil
            if !closing.wait(seconds: 0) {
                continuation.yield(
                    .ended(Self.endedError(exit: exit, pid: pid, tail: tail.snapshot, server: serverName)))
            }
            continuation.finish()
        }
        stdoutThread.name = "mcp-run stdout \(serverName)"
        stdoutThread.start()
    }

    /// Queues the message, newline-framed, for the stdin writer thread; returns at once.
    /// - Throws: `ClientError.closed` once stdin is closed or broken.
    package func send(_ message: JSONRPCMessage) async throws {
        var bytes = message.serializedBytes
        bytes.append(UInt8(ascii: "\n"))
        guard !isClosed, writer.enqueue(bytes) else {
            throw ClientError(
                code: .closed, message: "the server process is no longer accepting input",
                hint: Self.stderrHint(stderrTail.snapshot), context: ErrorContext(server: serverName))
        }
    }

    /// Staged shutdown: close stdin, wait 2 s, SIGTERM, wait 2 s, SIGKILL, to the child's whole
    /// process group, then the group's remnants (STYLE.md §5).
    ///
    /// Suspends while waiting for the exit; idempotent. `incoming` finishes without `.ended`. The
    /// stages run in a task of their own, so a cancelled caller (an interrupted run) still gives
    /// the server its time to exit cleanly.
    package func close() async {
        guard !isClosed else { return }
        isClosed = true
        closing.set()
        writer.finish()
        let watch = exitWatch
        let pid = self.pid
        // Unstructured on purpose: it must not inherit the caller's cancellation; awaited below.
        let stages = Task(executorPreference: EventLoop.preferred) {
            if await !Self.waitForExit(watch, .seconds(2)) {
                ChildProcessGroups.signal(terminateSignal, group: pid)
                if await !Self.waitForExit(watch, .seconds(2)) {
                    ChildProcessGroups.signal(killSignal, group: pid)
                    _ = await Self.waitForExit(watch, .seconds(2))
                }
            }
            await ChildProcessGroups.endRemnants(of: pid)
        }
        await stages.value
        continuation.finish()
    }

    /// How the child ended, once it has.
    package var exitStatus: ProcessExit? { exitWatch.value }

    private static func waitForExit(_ watch: ExitWatch, _ limit: Duration) async -> Bool {
        if watch.value != nil { return true }
        _ = try? await withTimeout(limit) { await watch.wait() }
        return watch.value != nil
    }

    // MARK: - Helpers

    /// The allow-listed parent variables plus the configured ones (which win).
    static func environment(adding configured: [String: Secret]) -> [String: String] {
        let parent = ProcessInfo.processInfo.environment
        var result: [String: String] = [:]
        for name in inheritedVariables { result[name] = parent[name] }
        for (name, value) in configured { result[name] = value.withRevealedValue { $0 } }
        return result
    }

    /// The executable's path: `command` itself when it has a slash, else the first match on `path`;
    /// nil when that is not an executable file (a folder never is).
    static func resolve(_ command: String, path: String?, directory: String?) -> String? {
        let files = FileManager.default
        if command.contains("/") {
            let candidate = Self.candidate(command, directory: directory)
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue else {
                return nil
            }
            return files.isExecutableFile(atPath: candidate) ? candidate : nil
        }
        let searchPath = path ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = folder.hasSuffix("/") ? "\(folder)\(command)" : "\(folder)/\(command)"
            var isDirectory: ObjCBool = false
            if files.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                files.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }

    /// `command` as a path: relative ones are taken from `directory` when given.
    static func candidate(_ command: String, directory: String?) -> String {
        guard !command.hasPrefix("/"), let directory else { return command }
        return URL(fileURLWithPath: directory, isDirectory: true).appendingPathComponent(command).path
    }

    /// Why `command` could not be resolved to an executable file, and what to do: for the error.
    static func commandProblem(_ command: String, directory: String?) -> (reason: String, hint: String) {
        guard command.contains("/") else {
            return (
                "no program '\(command)' on PATH",
                "install '\(command)' or give its full path in the server's `command`; it is looked up on PATH"
            )
        }
        let path = candidate(command, directory: directory)
        let shown = path == command ? "" : " ('\(path)')"
        var info = stat()
        guard stat(path, &info) == 0 else {
            let number = errno
            if number == ENOENT { return ("no such file\(shown)", "check the server's `command` path") }
            return ("\(systemErrorText(number))\(shown)", "check the server's `command` path")
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            return (
                "it is a folder, not a program\(shown)",
                "give the path of the server's executable file in `command` (for example '\(path)/server'),"
                    + " or a program name looked up on PATH"
            )
        }
        if info.st_mode & S_IFMT != S_IFREG {
            return ("it is not a regular file\(shown)", "give the path of the server's executable file in `command`")
        }
        return (
            "the file is not executable\(shown)",
            "make it executable (chmod +x '\(path)'), or run it through its interpreter:"
                + " `command: python3` with the file in `args`"
        )
    }

    /// What is wrong with `directory` as a working folder, if anything (`does not exist`, `is not a folder`…).
    static func directoryProblem(_ directory: String) -> String? {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            let number = errno
            return number == ENOENT ? "does not exist" : "cannot be used (\(systemErrorText(number)))"
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "is not a folder" }
        guard access(directory, X_OK) == 0 else { return "cannot be entered (\(systemErrorText(errno)))" }
        return nil
    }

    static func endedError(exit: ProcessExit?, pid: Int32, tail: [String], server: String) -> ClientError {
        let what = exit.map { "the server process \($0)" } ?? "the server process closed its stdout"
        return ClientError(
            code: .closed, message: what + Self.stderrSuffix(tail), hint: stderrHint(tail),
            context: ErrorContext(server: server))
    }

    /// `: <last stderr line>` when there is one, so the one-line form says why.
    static func stderrSuffix(_ tail: [String]) -> String {
        guard let last = tail.last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { return "" }
        return ": " + SecretMasker().maskedPrefix(last, 300)
    }

    static func stderrHint(_ tail: [String]) -> String? {
        let lines = tail.suffix(10)
        guard !lines.isEmpty else { return "the server wrote nothing to stderr; run with -v to see its traffic" }
        return "its last stderr lines:\n" + lines.map { "    " + $0 }.joined(separator: "\n")
    }

    static func preview(_ bytes: [UInt8]) -> String {
        let text = SecretMasker().maskedPrefix(String(decoding: bytes.prefix(4096), as: UTF8.self), 200)
        return bytes.count > 200 ? text + "…" : text
    }
}
