import Basics
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The last lines a child wrote to stderr, kept for error messages.
///
/// Written by the child's stderr thread, read by whoever builds an error; shared through
/// `Locked` because the writer is a plain thread, not a task.
package final class StderrTail: Sendable {
    private let lines = Locked<[String]>([])
    private let limit: Int

    /// Keeps the last `limit` lines.
    package init(limit: Int = 50) { self.limit = limit }

    /// Adds one line, dropping the oldest beyond the limit.
    package func append(_ line: String) {
        lines.withLock { lines in
            lines.append(line)
            if lines.count > limit { lines.removeFirst(lines.count - limit) }
        }
    }

    /// The kept lines, oldest first.
    package var snapshot: [String] { lines.value }
}

/// A one-shot signal a plain thread can wait on with a deadline; set once, seen by every wait.
final class OneShotFlag: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let isSet = Locked(false)

    /// Sets the flag (idempotent).
    func set() {
        let first = isSet.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
        if first { semaphore.signal() }
    }

    /// Blocks the calling thread (never a task) until set or until `seconds` pass.
    /// - Returns: whether it was set.
    func wait(seconds: Double) -> Bool {
        if isSet.value { return true }
        let result = semaphore.wait(timeout: .now() + seconds)
        if result == .success { semaphore.signal() }  // let later waiters through too
        return result == .success
    }
}

/// Writes framed messages to a child's stdin on a thread of its own, so a child that reads
/// slowly never blocks the cooperative pool (STYLE.md §5).
///
/// `enqueue` is called from tasks; the thread drains the queue in order and closes the pipe
/// after `finish()` once everything queued is written.
final class PipeWriter: Sendable {
    private struct State: Sendable {
        var queue: [[UInt8]] = []
        var finishing = false
        var failed = false
    }

    private let handle: FileHandle
    private let state = Locked(State())
    private let wakeup = DispatchSemaphore(value: 0)

    init(handle: FileHandle) { self.handle = handle }

    /// Starts the writer thread.
    func start(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Queues bytes for writing.
    /// - Returns: false when the pipe is closed or broken (the child is gone).
    func enqueue(_ bytes: [UInt8]) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.finishing, !state.failed else { return false }
            state.queue.append(bytes)
            return true
        }
        if accepted { wakeup.signal() }
        return accepted
    }

    /// Closes stdin once the queue is written (the first stage of shutdown).
    func finish() {
        state.withLock { $0.finishing = true }
        wakeup.signal()
    }

    private func run() {
        // A write to a pipe whose reader has gone raises SIGPIPE at the writing thread. Blocking it
        // here (and only here) turns that into EPIPE without changing the process-wide disposition,
        // which children would inherit as "ignored".
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        while true {
            wakeup.wait()
            while true {
                let (next, done) = state.withLock { state -> ([UInt8]?, Bool) in
                    if state.queue.isEmpty { return (nil, state.finishing) }
                    return (state.queue.removeFirst(), false)
                }
                if let next {
                    do {
                        try handle.write(contentsOf: Data(next))
                    } catch {
                        state.withLock {
                            $0.failed = true
                            $0.queue.removeAll()
                        }
                    }
                    continue
                }
                if done {
                    try? handle.close()
                    return
                }
                break
            }
        }
    }
}

/// Blocking line reading from a pipe, for a child's own reader threads.
enum PipeReader {
    /// Reads `fd` until end of file, calling `line` with each line (without its `\n` or a
    /// trailing `\r`). Runs on the calling thread; must never be called from a task.
    /// - Returns: false when a line grew past `maxLine` bytes (reading stops there).
    static func readLines(fd: Int32, maxLine: Int, line: ([UInt8]) -> Void) -> Bool {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in read(fd, buffer.baseAddress, buffer.count) }
            if count < 0 {
                if errno == EINTR { continue }
                break
            }
            if count == 0 { break }
            var start = 0
            var index = 0
            while index < count {
                if chunk[index] == UInt8(ascii: "\n") {
                    pending.append(contentsOf: chunk[start..<index])
                    if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                    line(pending)
                    pending.removeAll(keepingCapacity: pending.count < 1 << 20)
                    start = index + 1
                }
                index += 1
            }
            pending.append(contentsOf: chunk[start..<count])
            if pending.count > maxLine { return false }
        }
        if !pending.isEmpty { line(pending) }
        return true
    }
}

/// The process groups of the stdio servers this process started and has not ended yet.
///
/// Each server runs in a process group of its own: `ChildSpawn` spawns with `POSIX_SPAWN_SETPGROUP`,
/// so the child's group id is its pid. A terminal's Ctrl-C or hang-up then reaches mcp-run only,
/// and mcp-run ends each group (staged shutdown), wrapper shells' children included.
package enum ChildProcessGroups {
    private static let live = Locked<Set<Int32>>([])

    static func register(_ group: Int32) {
        live.withLock { _ = $0.insert(group) }
    }

    static func unregister(_ group: Int32) {
        live.withLock { _ = $0.remove(group) }
    }

    /// SIGKILL to every group not ended yet: for an exit that cannot wait for the staged shutdowns
    /// (a second SIGINT, SIGTERM or SIGHUP). Safe from any thread; not from a signal handler.
    package static func killAll() {
        for group in live.value { _ = kill(-group, SIGKILL) }
    }

    /// Sends `signalNumber` to the group led by `pid`; to `pid` alone if it leads no group.
    static func signal(_ signalNumber: Int32, group pid: Int32) {
        if kill(-pid, signalNumber) != 0, errno == ESRCH { _ = kill(pid, signalNumber) }
    }

    /// Ends what is left of group `group` once its leader has exited: SIGTERM, up to 2 s for the
    /// members to exit, then SIGKILL. Unregisters the group.
    static func endRemnants(of group: Int32) async {
        defer { unregister(group) }
        guard isAlive(group) else { return }
        _ = kill(-group, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(2)
        // The members are not our children: nothing tells us when they exit, so look again.
        while isAlive(group), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if isAlive(group) { _ = kill(-group, SIGKILL) }
    }

    /// Whether a process of `group` still runs. Zombies do not count: a container's init may never
    /// reap them, and they answer `kill(-group, 0)` like live processes.
    static func isAlive(_ group: Int32) -> Bool {
        guard kill(-group, 0) == 0 || errno == EPERM else { return false }
        #if os(Linux)
            guard let folder = opendir("/proc") else { return true }
            defer { closedir(folder) }
            while let entry = readdir(folder) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                guard let pid = Int32(name), let (state, processGroup) = statusAndGroup(of: pid) else { continue }
                if processGroup == group, state != "Z", state != "X" { return true }
            }
            return false
        #else
            return true
        #endif
    }

    /// The state letter and process group of `pid`, from `/proc/<pid>/stat`.
    private static func statusAndGroup(of pid: Int32) -> (String, Int32)? {
        let descriptor = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses, so start after the last ')'.
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        guard let paren = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: paren)...].split(separator: " ")
        guard fields.count > 2, let group = Int32(fields[2]) else { return nil }
        return (String(fields[0]), group)
    }
}

/// SIGTERM and SIGKILL, without importing the C library elsewhere.
let terminateSignal: Int32 = SIGTERM
let killSignal: Int32 = SIGKILL

/// The exit of a child, awaitable any number of times by any number of tasks; set by the thread
/// that waits for the child (`ChildSpawn.waitForExit`).
typealias ExitWatch = Latch<ProcessExit>
