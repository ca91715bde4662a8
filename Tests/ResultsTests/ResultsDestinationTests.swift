import Basics
import Foundation
import Testing

@testable import Results

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a results path is classified and written (contract §6). Device nodes and FIFOs are made
/// in each test's own folder; the real `/dev` is never touched.
@Suite("results destinations")
struct ResultsDestinationTests {
    func withFolder(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("destination-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder.path)
    }

    /// `folder/results.json` holding `old`, with `mode`.
    func oldResults(in folder: String, mode: mode_t) throws -> String {
        let path = folder + "/results.json"
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return path
    }

    func mode(_ path: String) -> mode_t {
        var info = stat()
        _ = stat(path, &info)
        return info.st_mode
    }

    @Test(
        "descriptor paths name this process's descriptors",
        arguments: [
            ("/dev/stdout", 1), ("/dev/stderr", 2), ("/dev/stdin", 0), ("/dev/fd/7", 7), ("/proc/self/fd/12", 12),
            ("/proc/thread-self/fd/3", 3),
        ] as [(String, Int32)])
    func descriptorAliases(path: String, descriptor: Int32) {
        #expect(ResultsDestination.descriptorAlias(path) == descriptor)
    }

    @Test(
        "other paths under /dev/fd and /proc are not descriptor paths",
        arguments: ["/dev/fd/", "/dev/fd/1x", "/proc/1/fd/1", "/dev/null"])
    func notDescriptorAliases(path: String) {
        if path == "/proc/1/fd/1", getpid() == 1 { return }
        #expect(ResultsDestination.descriptorAlias(path) == nil)
    }

    @Test("an existing regular file is replaced atomically and its mode is recorded")
    func regularFile() throws {
        try withFolder { folder in
            let path = try oldResults(in: folder, mode: 0o640)
            let destination = try ResultsDestination.resolve(path)
            guard case .file(let target, let existing) = destination.kind else {
                Issue.record("not a file: \(destination)")
                return
            }
            #expect(target == path)
            #expect(existing?.mode == 0o640)
        }
    }

    @Test("a new path is a file with nothing to keep")
    func newFile() throws {
        try withFolder { folder in
            let destination = try ResultsDestination.check(folder + "/deep/er/results.json")
            #expect(destination.kind == .file(target: folder + "/deep/er/results.json", existing: nil))
            #expect(!FileManager.default.fileExists(atPath: folder + "/deep"), "the check creates nothing")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "the probe is removed")
        }
    }

    @Test("a character device and a FIFO are written in place")
    func specialFiles() throws {
        try withFolder { folder in
            #expect(mknod(folder + "/null", S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0)
            #expect(mkfifo(folder + "/fifo", 0o600) == 0)
            #expect(try ResultsDestination.check(folder + "/null").kind == .special(path: folder + "/null"))
            #expect(try ResultsDestination.check(folder + "/fifo").kind == .special(path: folder + "/fifo"))
            try ResultsDestination.resolve(folder + "/null").write(Array("{}\n".utf8))
            #expect(mode(folder + "/null") & S_IFMT == S_IFCHR)
        }
    }

    @Test("a relative link is followed from the link's own folder, through a chain, to a missing target")
    func links() throws {
        try withFolder { folder in
            try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: false)
            symlink("../out/results.json", folder + "/sub/inner")
            symlink("sub/inner", folder + "/outer")
            let destination = try ResultsDestination.check(folder + "/outer")
            #expect(destination.kind == .file(target: folder + "/sub/../out/results.json", existing: nil))
            try destination.write(Array("{}\n".utf8))
            #expect(FileManager.default.contents(atPath: folder + "/out/results.json") == Data("{}\n".utf8))
            #expect(mode(folder + "/outer") & S_IFMT == S_IFREG, "followed")
            var info = stat()
            #expect(lstat(folder + "/outer", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "still a link")
        }
    }

    @Test("writing through the destination keeps the old file's mode and owner")
    func keepsModeAndOwner() throws {
        try withFolder { folder in
            let path = try oldResults(in: folder, mode: 0o600)
            let ownerChanged = chown(path, 4242, 4343) == 0
            try ResultsDestination.resolve(path).write(Array("new".utf8))
            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(info.st_mode & 0o7777 == 0o600)
            if ownerChanged { #expect(info.st_uid == 4242 && info.st_gid == 4343) }
            #expect(FileManager.default.contents(atPath: path) == Data("new".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["results.json"])
        }
    }

    @Test(
        "unusable paths are refused with the reason",
        arguments: [
            ("", "the results path is empty"), ("folder", "it is a folder"), ("folder/", "it is a folder"),
            ("file/x.json", "is a file, not a folder"), ("loop", "too many levels of symbolic links"),
            ("/proc/mcp-run-test/x.json", "kernel file system (proc)"),
            // Above any open-file limit (fs.nr_open is at most 2^30): never open, whatever else the process runs.
            ("/proc/self/fd/2147483646", "descriptor 2147483646 is not open"),
            ("missing/", "ends with '/'"),
        ])
    func unusable(path: String, reason: String) throws {
        try withFolder { folder in
            try FileManager.default.createDirectory(atPath: folder + "/folder", withIntermediateDirectories: false)
            try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/file"))
            symlink("loop", folder + "/loop")
            let given = path.isEmpty || path.hasPrefix("/") ? path : folder + "/" + path
            let error = try #require(throws: ResultsError.self) { try ResultsDestination.check(given) }
            #expect(error.code == .unusablePath)
            #expect(error.message.contains(reason), "\(error.message)")
            #expect(error.hint != nil)
        }
    }

    @Test("mountinfo fields are unescaped and mount points contain only their own subtree")
    func mountTable() {
        #expect(MountTable.unescape("/mnt/with\\040space") == "/mnt/with space")
        #expect(MountTable.contains("/", "/anything"))
        #expect(MountTable.contains("/proc", "/proc/self"))
        #expect(!MountTable.contains("/proc", "/processes/x"))
        #expect(MountTable.mount(containing: "/proc/self")?.type == "proc")
    }
}
