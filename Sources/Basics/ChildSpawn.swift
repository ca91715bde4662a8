import CSpawn

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a child process ended.
package enum ProcessExit: Sendable, Equatable, CustomStringConvertible {
    /// It called `exit` with this status.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    /// `exited with status 3`, `was killed by signal 9`.
    package var description: String {
        switch self {
        case .exited(let status): return "exited with status \(status)"
        case .signaled(let signal): return "was killed by signal \(signal)"
        }
    }
}

/// Starts child processes with `posix_spawn` (the C side is `CSpawn`), and waits for them.
///
/// Not Foundation's `Process.run()`: on Linux with Swift 6.3.1 it reads past the end of a buffer
/// while listing `/proc/self/fd` and crashes now and then, the more often the more descriptors
/// are open (swift-corelibs-foundation#5472, fixed after 6.3.1). The test suite crashed that way.
/// Here the child closes every descriptor above 2 itself (`closefrom`), so nothing is listed.
///
/// A child leads a new process group (its whole group can be signalled) and starts with no signal
/// blocked, whatever the spawning thread blocks.
package enum ChildSpawn {
    /// Why a child could not be started: the `errno` value `posix_spawn` reported.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        /// The `errno` value.
        package var errorNumber: Int32
        /// The system's text for it, lower-case (`no such file or directory`).
        package var reason: String { systemErrorText(errorNumber) }
        /// The reason.
        package var description: String { reason }
    }

    /// Starts `executable` (a path) with `arguments` (without the program name) and exactly
    /// `environment`, in `directory` (the current one when nil), with `standardInput`,
    /// `standardOutput` and `standardError` as its descriptors 0, 1 and 2 (`nil`: `/dev/null`).
    ///
    /// The caller keeps its own descriptors: close the child's ends of pipes after this returns.
    /// - Returns: the child's process id, which is also its process group's.
    /// - Throws: `Failure` when the system refuses (`ENOENT`, `EACCES`, `ENOEXEC`…).
    package static func start(
        executable: String, arguments: [String], environment: [String: String], directory: String?,
        standardInput: Int32?, standardOutput: Int32?, standardError: Int32?
    ) throws(Failure) -> pid_t {
        let (input, output, error) = (standardInput ?? -1, standardOutput ?? -1, standardError ?? -1)
        let argv = CStringArray([executable] + arguments)
        let envp = CStringArray(environment.map { "\($0.key)=\($0.value)" })
        var pid: pid_t = 0
        let result = argv.withPointers { argvPointer in
            envp.withPointers { envpPointer in
                if let directory {
                    return cspawn_start(executable, argvPointer, envpPointer, directory, input, output, error, &pid)
                }
                return cspawn_start(executable, argvPointer, envpPointer, nil, input, output, error, &pid)
            }
        }
        guard result == 0 else { throw Failure(errorNumber: result) }
        return pid
    }

    /// Blocks the calling thread until child `pid` ends, and reaps it. Never call it on a task:
    /// give it a thread of its own.
    package static func waitForExit(_ pid: pid_t) -> ProcessExit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return .exited(-1) }  // ECHILD: someone else reaped it
        }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }
}

/// NUL-terminated C strings and the NULL-terminated array of pointers to them that `argv` and
/// `envp` are, alive for the duration of `withPointers`.
private struct CStringArray {
    private let strings: [String]

    init(_ strings: [String]) { self.strings = strings }

    func withPointers<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { for copy in copies { free(copy) } }
        return body(copies + [nil])  // the array passed as a pointer to its first element, for this call
    }
}
