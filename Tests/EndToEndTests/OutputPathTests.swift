import Basics
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where `-o` and a workflow's `output:` write (contract §6, issue #8): regular files atomically
/// keeping their mode and owner, devices and FIFOs in place, symbolic links followed, and every
/// unusable path exit 2 before any server is contacted.
///
/// Device nodes, FIFOs and sockets are made in each test's own temporary folder; the real `/dev`
/// is never touched.
@Suite("results paths (-o and output:)", .timeLimit(.minutes(3)))
struct OutputPathTests {
    /// A folder with a stdio server `fixture` whose command first creates `marker`, then runs the
    /// fixture server: the marker exists if and only if the server was started.
    struct MarkedServer {
        var folder: String
        var servers: String
        var marker: String
        var wasStarted: Bool { FileManager.default.fileExists(atPath: marker) }
    }

    static func markedServer(_ label: String) throws -> MarkedServer {
        let folder = try temporaryDirectory(label)
        let marker = folder + "/server-started"
        let (python, arguments) = try fixtureServerCommand("tools.py")
        let script = folder + "/server.sh"
        try writeExecutable(
            "#!/bin/sh\n: > '\(marker)'\nexec '\(python)' \(arguments.map { "'\($0)'" }.joined(separator: " "))\n",
            to: script)
        let servers = JSONValue.object(["fixture": ["transport": "stdio", "command": .string(script)]]).serialized()
        return MarkedServer(folder: folder, servers: servers, marker: marker)
    }

    /// The unusable paths: each makes what it needs in `folder` and returns the path to give.
    enum Unusable: String, CaseIterable, CustomStringConvertible, Sendable {
        case existingFolder, folderWithSlash, emptyPath, newFileUnderProc, fileInProc, newFileUnderSys
        case parentIsFile, grandparentIsFile, socket, blockDevice, linkLoop, linkToFolder, danglingLinkUnderProc
        case closedDescriptor, immutableFolder

        var description: String { rawValue }

        /// The path, after preparing whatever it needs inside `folder`.
        func prepare(in folder: String) throws -> String {
            let files = FileManager.default
            switch self {
            case .existingFolder:
                try files.createDirectory(atPath: folder + "/out", withIntermediateDirectories: false)
                return folder + "/out"
            case .folderWithSlash:
                return folder + "/new-folder/"
            case .emptyPath:
                return ""
            case .newFileUnderProc:
                return "/proc/mcp-run-test-\(getpid())/results.json"
            case .fileInProc:
                return "/proc/self/comm"
            case .newFileUnderSys:
                return "/sys/mcp-run-test-\(getpid()).json"
            case .parentIsFile:
                try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/plain"))
                return folder + "/plain/results.json"
            case .grandparentIsFile:
                try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/plain"))
                return folder + "/plain/sub/results.json"
            case .socket:
                try run(
                    try venvPython(),
                    ["-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", folder + "/socket"])
                return folder + "/socket"
            case .blockDevice:
                // Loop device numbers (7, 200): made here, never opened.
                guard mknod(folder + "/block", S_IFBLK | 0o600, dev_t(7 << 8 | 200)) == 0 else {
                    throw TestSupportError("mknod of a block device failed: errno \(errno)")
                }
                return folder + "/block"
            case .linkLoop:
                symlink("b", folder + "/a")
                symlink("a", folder + "/b")
                return folder + "/a"
            case .linkToFolder:
                try files.createDirectory(atPath: folder + "/real", withIntermediateDirectories: false)
                symlink("real", folder + "/link")
                return folder + "/link"
            case .danglingLinkUnderProc:
                symlink("/proc/mcp-run-test-\(getpid())/results.json", folder + "/link")
                return folder + "/link"
            case .closedDescriptor:
                // Above any open-file limit: never open in the child, whatever it inherited.
                return "/proc/self/fd/2147483646"
            case .immutableFolder:
                // Root may write anywhere but in an immutable folder: the probe must find that out.
                try files.createDirectory(atPath: folder + "/locked", withIntermediateDirectories: false)
                try run("/usr/bin/chattr", ["+i", folder + "/locked"])
                return folder + "/locked/results.json"
            }
        }

        /// Undoes what would outlive the test (the immutable flag).
        func cleanUp(in folder: String) {
            if self == .immutableFolder { try? run("/usr/bin/chattr", ["-i", folder + "/locked"]) }
        }
    }

    static func run(_ executable: String, _ arguments: [String]) throws {
        let status = try runQuickCommand(executable, arguments)
        guard status == 0 else { throw TestSupportError("\(executable) \(arguments) exited with \(status)") }
    }

    /// The file type bits of `path` itself (links not followed), nil when nothing is there.
    static func type(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    static func info(_ path: String) throws -> stat {
        var info = stat()
        guard stat(path, &info) == 0 else { throw TestSupportError("cannot stat '\(path)': errno \(errno)") }
        return info
    }

    static func document(at path: String) throws -> JSONValue {
        try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test(
        "an unusable -o path is exit 2 naming the path, and the server is never started", arguments: Unusable.allCases)
    func unusableOption(_ unusable: Unusable) async throws {
        let server = try Self.markedServer("unusable-o")
        let path = try unusable.prepare(in: server.folder)
        defer { unusable.cleanUp(in: server.folder) }
        let before = Self.type(path)
        let run = try await runMCPRun(
            ["run", fixture("workflows/sequential.yaml"), "-o", path], environment: ["MCP_SERVERS": server.servers])
        #expect(run.exitCode == 2, "\(run)")
        #expect(!server.wasStarted, "the server was started before the path was checked: \(run)")
        #expect(run.stderr.contains(path.isEmpty ? "the results path is empty" : "'\(path)'"), "\(run)")
        #expect(run.stderr.contains("hint:"), "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        if !path.hasPrefix("/proc/self/") {  // this process's descriptors come and go with other tests
            #expect(Self.type(path) == before, "the path was changed")
        }
    }

    @Test(
        "an unusable output: path is exit 2 at its file:line:col, and the server is never started",
        arguments: [Unusable.existingFolder, .newFileUnderProc, .parentIsFile, .socket, .immutableFolder])
    func unusableWorkflowOutput(_ unusable: Unusable) async throws {
        let server = try Self.markedServer("unusable-output")
        let path = try unusable.prepare(in: server.folder)
        defer { unusable.cleanUp(in: server.folder) }
        let workflow = fixture("workflows/output-input.yaml")
        let run = try await runMCPRun(
            ["run", workflow, "--input", "out=\(path)"], environment: ["MCP_SERVERS": server.servers])
        #expect(run.exitCode == 2, "\(run)")
        #expect(!server.wasStarted, "the server was started before the path was checked: \(run)")
        #expect(run.stderr.contains("\(workflow):5:9: cannot write the results to '\(path)'"), "\(run)")
        #expect(run.stderr.contains("the workflow's 'output:'"), "\(run)")
        // Nothing is lost: the failed run's document goes to stdout.
        let results = try run.json()
        #expect(results["status"] == "failed")
        #expect(results.step("a")?["status"] == "skipped")
    }

    @Test(
        "--dry-run refuses an unusable -o or output: path as the run would, exit 2",
        arguments: [Unusable.existingFolder, .newFileUnderProc, .parentIsFile])
    func dryRunChecksPath(_ unusable: Unusable) async throws {
        let server = try Self.markedServer("dry-run-path")
        let path = try unusable.prepare(in: server.folder)
        defer { unusable.cleanUp(in: server.folder) }
        let workflow = fixture("workflows/output-input.yaml")
        let fromFile = try await runMCPRun(
            ["run", workflow, "--dry-run", "--input", "out=\(path)"], environment: ["MCP_SERVERS": server.servers])
        #expect(fromFile.exitCode == 2, "\(fromFile)")
        #expect(fromFile.stderr.contains("\(workflow):5:9: cannot write the results to '\(path)'"), "\(fromFile)")
        let fromOption = try await runMCPRun(
            ["run", fixture("workflows/sequential.yaml"), "--dry-run", "-o", path],
            environment: ["MCP_SERVERS": server.servers])
        #expect(fromOption.exitCode == 2, "\(fromOption)")
        #expect(fromOption.stderr.contains("'\(path)'"), "\(fromOption)")
        #expect(!server.wasStarted)
        let usable = try await runMCPRun(
            ["run", workflow, "--dry-run", "--input", "out=\(server.folder)/new/r.json"],
            environment: ["MCP_SERVERS": server.servers])
        #expect(usable.exitCode == 0, "\(usable)")
    }

    @Test("a usable path lets the run start the server: the marker works")
    func markerControl() async throws {
        let server = try Self.markedServer("marker-control")
        let path = server.folder + "/new/results.json"
        let run = try await runMCPRun(
            ["run", fixture("workflows/sequential.yaml"), "-o", path], environment: ["MCP_SERVERS": server.servers])
        #expect(run.exitCode == 0, "\(run)")
        #expect(server.wasStarted)
        #expect(try Self.document(at: path)["status"] == "succeeded")
    }

    @Test("'call -o' with an unusable path is exit 2 and never starts the server")
    func callOutput() async throws {
        let server = try Self.markedServer("call-o")
        let run = try await runMCPRun(
            ["call", "fixture", "echo", "text=hi", "-o", server.folder],
            environment: ["MCP_SERVERS": server.servers])
        #expect(run.exitCode == 2, "\(run)")
        #expect(!server.wasStarted, "\(run)")
        #expect(run.stderr.contains("it is a folder"), "\(run)")
    }

    @Test("an output: path that uses steps and is unusable sends the document to stdout, exit 2")
    func unusableLatePath() async throws {
        let server = try Self.markedServer("late-output")
        try Data("x".utf8).write(to: URL(fileURLWithPath: server.folder + "/plain"))
        let run = try await runMCPRun(
            ["run", fixture("workflows/output-from-steps.yaml"), "--input", "folder=\(server.folder)/plain"],
            environment: ["MCP_SERVERS": server.servers])
        #expect(run.exitCode == 2, "\(run)")
        #expect(run.stderr.contains("'\(server.folder)/plain' is a file, not a folder"), "\(run)")
        #expect(run.stderr.contains("the results document follows on stdout instead"), "\(run)")
        let results = try run.json()
        #expect(results["status"] == "succeeded", "\(run)")
        #expect(results.step("a")?["status"] == "succeeded")
    }

    // MARK: - Paths written in place or through links

    /// Runs a workflow that contacts no server, writing its document to `path`.
    func runSkipped(to path: String) async throws -> RunOutput {
        try await runMCPRun(
            ["run", fixture("workflows/skipped-only.yaml"), "-o", path],
            environment: ["MCP_SERVERS": #"{"fixture": {"transport": "stdio", "command": "/nonexistent"}}"#])
    }

    @Test("a character device is written in place and stays the same device")
    func characterDevice() async throws {
        let folder = try temporaryDirectory("char-device")
        let device = folder + "/null"
        // The same numbers as /dev/null (1, 3), made in the test's own folder.
        guard mknod(device, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0 else {
            throw TestSupportError("mknod failed: errno \(errno)")
        }
        let before = try Self.info(device)
        let run = try await runSkipped(to: device)
        #expect(run.exitCode == 0, "\(run)")
        let after = try Self.info(device)
        #expect(after.st_mode & S_IFMT == S_IFCHR, "the device was replaced")
        #expect(after.st_rdev == before.st_rdev && after.st_ino == before.st_ino)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["null"], "no temporary file left")
    }

    @Test("a FIFO is written in place: its reader gets the whole document and it stays a FIFO")
    func fifo() async throws {
        let folder = try temporaryDirectory("fifo")
        let pipe = folder + "/pipe"
        guard mkfifo(pipe, 0o600) == 0 else { throw TestSupportError("mkfifo failed: errno \(errno)") }
        let reader = try await ChildProcess(
            executable: "/bin/cat", arguments: [pipe], environment: [:], workingDirectory: folder)
        let run = try await runSkipped(to: pipe)
        #expect(run.exitCode == 0, "\(run)")
        let ended = await reader.waitForExit(timeout: .seconds(20))
        if ended == nil { _ = await reader.terminate(grace: .seconds(1)) }
        #expect(ended?.exitCode == 0, "the reader never saw the end of the document")
        _ = await reader.waitForOutputClosed(timeout: .seconds(10))
        let received = try JSONValue.parse(Array(reader.stdout.utf8))
        #expect(received["workflow"] == "skipped-only")
        #expect(Self.type(pipe) == S_IFIFO, "the FIFO was replaced")
    }

    @Test("a FIFO whose reader leaves early is a write error, not a silent death by SIGPIPE")
    func fifoReaderLeaves() async throws {
        let folder = try temporaryDirectory("fifo-leaves")
        let pipe = folder + "/pipe"
        guard mkfifo(pipe, 0o600) == 0 else { throw TestSupportError("mkfifo failed: errno \(errno)") }
        // Reads one byte and leaves: the rest of a document larger than the pipe's buffer meets EPIPE.
        let reader = try await ChildProcess(
            executable: "/usr/bin/head", arguments: ["-c", "1", pipe], environment: [:], workingDirectory: folder)
        let filler = String(repeating: "x", count: 100_000)
        let run = try await runMCPRun(
            ["run", fixture("workflows/skipped-large.yaml"), "--input", "filler=\(filler)", "-o", pipe],
            environment: ["MCP_SERVERS": #"{"fixture": {"transport": "stdio", "command": "/nonexistent"}}"#])
        _ = await reader.terminate(grace: .seconds(5))
        #expect(run.signal == nil, "ended by signal \(String(describing: run.signal))")
        #expect(run.exitCode == 2, "\(run.exitCode) \(run.stderr)")
        #expect(run.stderr.contains("could not write '\(pipe)'"), "\(run.stderr)")
        #expect(run.stderr.contains("the reader of the pipe went away"), "\(run.stderr)")
        #expect(try run.json()["workflow"] == "skipped-large", "the document is not on stdout")
        #expect(Self.type(pipe) == S_IFIFO, "the FIFO was replaced")
    }

    @Test("an existing file keeps its permission bits and owner", arguments: [0o600, 0o640, 0o604, 0o755])
    func keepsMode(mode: Int) async throws {
        let folder = try temporaryDirectory("keeps-mode")
        let path = folder + "/results.json"
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, mode_t(mode)) == 0)
        #expect(chown(path, 4242, 4343) == 0)
        let run = try await runSkipped(to: path)
        #expect(run.exitCode == 0, "\(run)")
        let after = try Self.info(path)
        #expect(Int(after.st_mode & 0o7777) == mode, "mode is now \(String(after.st_mode & 0o7777, radix: 8))")
        #expect(after.st_uid == 4242 && after.st_gid == 4343)
        #expect(try Self.document(at: path)["workflow"] == "skipped-only")
    }

    @Test("a symbolic link chain is followed: the target is replaced, keeping its mode, and the links stay links")
    func linkChain() async throws {
        let folder = try temporaryDirectory("link-chain")
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: false)
        try Data("old".utf8).write(to: URL(fileURLWithPath: folder + "/data/results.json"))
        #expect(chmod(folder + "/data/results.json", 0o600) == 0)
        symlink("data/results.json", folder + "/first")
        symlink(folder + "/first", folder + "/second")
        let run = try await runSkipped(to: folder + "/second")
        #expect(run.exitCode == 0, "\(run)")
        #expect(Self.type(folder + "/first") == S_IFLNK && Self.type(folder + "/second") == S_IFLNK)
        #expect(try Self.document(at: folder + "/data/results.json")["workflow"] == "skipped-only")
        #expect(try Self.info(folder + "/data/results.json").st_mode & 0o7777 == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/data") == ["results.json"])
    }

    @Test("a dangling symbolic link is followed: its target is created, missing folders too, and it stays a link")
    func danglingLink() async throws {
        let folder = try temporaryDirectory("dangling-link")
        symlink("later/results.json", folder + "/link")
        let run = try await runSkipped(to: folder + "/link")
        #expect(run.exitCode == 0, "\(run)")
        #expect(Self.type(folder + "/link") == S_IFLNK)
        #expect(try Self.document(at: folder + "/later/results.json")["workflow"] == "skipped-only")
    }

    @Test("this process's stdout by descriptor path, directly or through a link, is written in place")
    func descriptorPath() async throws {
        let folder = try temporaryDirectory("descriptor")
        symlink("/proc/self/fd/1", folder + "/stdout")
        for path in ["/proc/self/fd/1", folder + "/stdout"] {
            let run = try await runSkipped(to: path)
            #expect(run.exitCode == 0, "\(run)")
            #expect(try run.json()["workflow"] == "skipped-only", "\(run)")
        }
        #expect(Self.type(folder + "/stdout") == S_IFLNK)
    }
}
