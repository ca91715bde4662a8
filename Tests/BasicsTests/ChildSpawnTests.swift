import Basics
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `/bin/sh -c script` through `ChildSpawn`, collecting its stdout; how it ended.
private func shell(
    _ script: String, directory: String? = nil, environment: [String: String] = ["PATH": "/usr/bin:/bin"]
) throws -> (output: String, exit: ProcessExit) {
    let output = Pipe()
    let pid = try ChildSpawn.start(
        executable: "/bin/sh", arguments: ["-c", script], environment: environment, directory: directory,
        standardInput: nil, standardOutput: output.fileHandleForWriting.fileDescriptor,
        standardError: 2)
    try output.fileHandleForWriting.close()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return (text, ChildSpawn.waitForExit(pid))
}

@Suite("ChildSpawn: children started with posix_spawn, not Foundation's Process")
struct ChildSpawnTests {
    @Test("the exit status and the ending signal are reported as they were")
    func exits() throws {
        #expect(try shell("exit 3").exit == .exited(3))
        #expect(try shell("exit 0").exit == .exited(0))
        #expect(try shell("kill -TERM $$").exit == .signaled(SIGTERM))
    }

    @Test("arguments, the environment and the working folder are the child's, and nothing else is")
    func argumentsEnvironmentDirectory() throws {
        let (output, exit) = try shell(
            #"printf '%s|%s|%s|%s' "$0" "$GREETING" "$(pwd)" "${HOME:-none}""#, directory: "/tmp",
            environment: ["GREETING": "hello world", "PATH": "/usr/bin:/bin"])
        #expect(exit == .exited(0))
        #expect(output == "/bin/sh|hello world|/tmp|none")
    }

    @Test("the child holds no descriptor but 0, 1 and 2, leads its own process group and blocks no signal")
    func cleanChild() throws {
        // Descriptors this process holds without close-on-exec must not reach the child.
        let leaked = Pipe()
        defer {
            try? leaked.fileHandleForReading.close()
            try? leaked.fileHandleForWriting.close()
        }
        let (output, exit) = try shell(
            "ls /proc/self/fd | tr '\\n' ' '; echo; cut -d' ' -f5 /proc/self/stat; echo $$; grep SigBlk /proc/self/status"
        )
        #expect(exit == .exited(0))
        let lines = output.split(separator: "\n").map(String.init)
        try #require(lines.count == 4, "\(output)")
        // ls's own descriptor on /proc/self/fd shows up as 3; nothing above it.
        let descriptors = Set(lines[0].split(separator: " ").compactMap { Int($0) })
        #expect(descriptors.isSubset(of: [0, 1, 2, 3]), "\(lines[0])")
        #expect(lines[1] == lines[2], "the shell leads its own group: pgrp \(lines[1]), pid \(lines[2])")
        #expect(lines[3].hasSuffix("0000000000000000"), "\(lines[3])")
    }

    @Test("a program that is not there, or cannot be run, is refused with the system's reason")
    func refused() throws {
        #expect(throws: ChildSpawn.Failure.self) {
            _ = try ChildSpawn.start(
                executable: "/nonexistent/program", arguments: [], environment: [:], directory: nil,
                standardInput: 0, standardOutput: 1, standardError: 2)
        }
        // A file without a '#!' line: the system cannot run it (ENOEXEC; EACCES without an x bit).
        let file = NSTemporaryDirectory() + "mcp-run-not-a-program-\(getpid())"
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: file))
        defer { unlink(file) }
        chmod(file, 0o755)
        do {
            _ = try ChildSpawn.start(
                executable: file, arguments: [], environment: [:], directory: nil, standardInput: nil,
                standardOutput: nil, standardError: nil)
            Issue.record("a file that is no program was started")
        } catch {
            #expect(error.errorNumber == ENOEXEC)
            #expect(error.reason == "exec format error")
        }
    }
}
