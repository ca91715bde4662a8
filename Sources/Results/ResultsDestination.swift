import Basics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a results document goes, decided from what is at the path (contract §6).
///
/// - A regular file, or a path where nothing exists yet, is replaced atomically: a temporary file
///   in the same folder, then `rename(2)`. An existing file keeps its permission bits and, where
///   the system allows, its owner and group.
/// - A character device or a FIFO (`/dev/null`, a terminal, a named pipe) is opened and written in
///   place, never created, truncated or renamed over.
/// - `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` are this process's open
///   descriptor `N`, written as they are (a pipe, a terminal, or a file opened for appending).
/// - A symbolic link is followed, through chains and to a target that does not exist yet: the
///   target is written as above and the link stays a link.
/// - Anything else (a folder, a socket, a block device, a file on a kernel file system such as
///   `/proc` or `/sys`, a path through a file, a folder where no file can be created, a file that
///   is not writable, an empty path) is unusable: `resolve` and `check` throw `.unusablePath`.
package struct ResultsDestination: Sendable, Hashable {
    /// How the document is written.
    package enum Kind: Sendable, Hashable {
        /// Replaced atomically. `target` is the path with symbolic links followed; `existing` is
        /// what the current file's mode and owner are, when there is one.
        case file(target: String, existing: FileOwnership?)
        /// A character device or FIFO at `path` (symbolic links followed by `open`), written in place.
        case special(path: String)
        /// An open descriptor of this process, written as it is.
        case descriptor(Int32)
    }

    /// A file's permission bits and owner, kept when it is replaced.
    package struct FileOwnership: Sendable, Hashable {
        /// The permission bits (`0o600`), without the file type.
        package var mode: UInt32
        /// The owner's user id.
        package var owner: UInt32
        /// The group id.
        package var group: UInt32
    }

    /// The path as the user gave it.
    package var path: String
    /// How it is written.
    package var kind: Kind

    /// Decides how `path` is written, without changing anything.
    ///
    /// - Parameter naming: how the user gave the path, for hints (`'-o'`, `the workflow's 'output:'`).
    /// - Throws: `ResultsError` with code `.unusablePath` naming the path and the reason.
    package static func resolve(_ path: String, naming: String = "'-o'") throws(ResultsError) -> ResultsDestination {
        let problem = { (reason: String, hint: String) -> ResultsError in
            ResultsError(
                code: .unusablePath, message: "cannot write the results to '\(path)': \(reason)",
                hint: hint, path: path)
        }
        let another = "choose another path with \(naming), or '-' for stdout"
        guard !path.isEmpty else {
            throw ResultsError(
                code: .unusablePath, message: "the results path is empty",
                hint: "give a file path with \(naming), or '-' for stdout", path: path)
        }
        if let descriptor = descriptorAlias(path) {
            let flags = fcntl(descriptor, F_GETFL)
            guard flags >= 0 else {
                throw problem("descriptor \(descriptor) is not open", another)
            }
            guard flags & O_ACCMODE != O_RDONLY else {
                throw problem("descriptor \(descriptor) is open for reading only", another)
            }
            return ResultsDestination(path: path, kind: .descriptor(descriptor))
        }
        var info = stat()
        if stat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                throw problem(
                    "it is a folder",
                    "name a file inside it with \(naming), such as '\(join(path, "results.json"))'")
            case S_IFCHR, S_IFIFO:
                if let failure = accessFailure(path) {
                    throw problem("it is not writable (\(failure.reason))", another)
                }
                if isNoDeviceMount(path), info.st_mode & S_IFMT == S_IFCHR {
                    throw problem(
                        "it is a device on a file system mounted 'nodev', so it cannot be opened", another)
                }
                return ResultsDestination(path: path, kind: .special(path: path))
            case S_IFSOCK:
                throw problem("it is a socket, which cannot be opened as a file", another)
            case S_IFBLK:
                throw problem("it is a block device; mcp-run never writes a document over a disk", another)
            case S_IFREG:
                let target = try followLinks(path, problem: problem, another: another)
                if let kernel = kernelFileSystem(target) { throw problem(kernel, another) }
                if let failure = accessFailure(target) {
                    throw problem("'\(target)' is not writable (\(failure.reason))", another)
                }
                let existing = FileOwnership(
                    mode: UInt32(info.st_mode) & 0o7777, owner: UInt32(info.st_uid), group: UInt32(info.st_gid))
                return ResultsDestination(path: path, kind: .file(target: target, existing: existing))
            default:
                throw problem("it is not a file, a FIFO or a character device", another)
            }
        }
        let failure = SystemCallError.current("stat", path)
        switch failure.errorNumber {
        case ENOENT:
            // Nothing there yet, or a symbolic link (chain) to something that does not exist.
            let target = try followLinks(path, problem: problem, another: another)
            if target.hasSuffix("/") {
                throw problem(
                    "it ends with '/', which names a folder", "name a file, such as '\(join(target, "results.json"))'")
            }
            return ResultsDestination(path: path, kind: .file(target: target, existing: nil))
        case ENOTDIR:
            let file = firstFileOnTheWay(path) ?? ResultsWriter.parentFolder(of: path)
            throw problem("'\(file)' is a file, not a folder", another)
        case ELOOP:
            throw problem("too many levels of symbolic links (a link loop?)", "fix the links, or " + another)
        case EACCES:
            throw problem("a folder on the way cannot be searched (\(failure.reason))", another)
        default:
            throw problem(failure.reason, another)
        }
    }

    /// `resolve`, then, for a file, that a file can be created in its folder: the check a run makes
    /// before it contacts any server.
    ///
    /// The folder check creates and removes a temporary file in the nearest folder that exists
    /// (the writer creates the missing ones): only that tells a read-only mount, a full quota, or a
    /// root-owned folder from a usable one. Devices and FIFOs are not opened here: opening a FIFO
    /// would hand its reader an early end of file.
    /// - Throws: `ResultsError` with code `.unusablePath`.
    @discardableResult
    package static func check(_ path: String, naming: String = "'-o'") throws(ResultsError) -> ResultsDestination {
        let destination = try resolve(path, naming: naming)
        guard case .file(let target, _) = destination.kind else { return destination }
        let another = "choose another path with \(naming), or '-' for stdout"
        let problem = { (reason: String, hint: String) -> ResultsError in
            ResultsError(
                code: .unusablePath, message: "cannot write the results to '\(path)': \(reason)",
                hint: hint, path: path)
        }
        var folder = ResultsWriter.parentFolder(of: target)
        var info = stat()
        while stat(folder, &info) != 0 {
            let failure = SystemCallError.current("stat", folder)
            if failure.errorNumber == ENOTDIR, let file = firstFileOnTheWay(join(folder, "x")) {
                throw problem("'\(file)' is a file, not a folder", another)
            }
            guard failure.errorNumber == ENOENT else {
                throw problem("'\(folder)': \(failure.reason)", another)
            }
            let parent = ResultsWriter.parentFolder(of: folder)
            if parent == folder { break }
            folder = parent
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw problem("'\(folder)' is a file, not a folder", another)
        }
        if let kernel = kernelFileSystem(folder) { throw problem(kernel, another) }
        let probe: (path: String, descriptor: Int32)
        do {
            probe = try ResultsWriter.createTemporaryFile(in: folder, for: target)
        } catch {
            let reason = (error.underlying as? SystemCallError)?.reason ?? error.message
            throw problem("no file can be created in '\(folder)' (\(reason))", another)
        }
        close(probe.descriptor)
        unlink(probe.path)
        return destination
    }

    /// Writes `bytes` as `kind` says.
    /// - Throws: `ResultsError`; a file target is then left as it was.
    package func write(_ bytes: [UInt8]) throws(ResultsError) {
        switch kind {
        case .file(let target, let existing):
            try ResultsWriter.writeAtomically(bytes, to: target, keeping: existing, beforeReplace: { _ in })
        case .special(let special):
            // No O_CREAT, no O_TRUNC: this never creates, truncates or replaces anything.
            let descriptor = open(special, O_WRONLY | O_NOCTTY | O_CLOEXEC)
            guard descriptor >= 0 else {
                let failure = SystemCallError.current("open", special)
                throw ResultsError(
                    code: .write, message: "could not open '\(path)' for writing: \(failure.reason)",
                    hint: "check the path, or choose another one", path: path, underlying: failure)
            }
            var info = stat()
            let type = fstat(descriptor, &info) == 0 ? info.st_mode & S_IFMT : 0
            guard type == S_IFCHR || type == S_IFIFO else {
                close(descriptor)
                throw ResultsError(
                    code: .write, message: "'\(path)' changed while the run went on: it is no longer a device or FIFO",
                    hint: "run again", path: path)
            }
            defer { close(descriptor) }
            try Self.writeAll(bytes, to: descriptor, path: path)
        case .descriptor(let descriptor):
            try Self.writeAll(bytes, to: descriptor, path: path)
        }
    }

    // MARK: - Helpers

    /// Writes every byte, retrying short writes and `EINTR`.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(ResultsError) {
        if let failure = ResultsWriter.writeEveryByte(bytes, to: descriptor, path: path) {
            throw ResultsError(
                code: .write, message: "could not write '\(path)': \(failure.reason)",
                hint: failure.errorNumber == EPIPE
                    ? ResultsWriter.hint(for: EPIPE) : "check where '\(path)' leads, or choose another path",
                path: path, underlying: failure)
        }
    }

    /// The descriptor that `/dev/stdout`, `/dev/stderr`, `/dev/stdin`, `/dev/fd/N`,
    /// `/proc/self/fd/N` or `/proc/<our pid>/fd/N` stands for.
    static func descriptorAlias(_ path: String) -> Int32? {
        switch path {
        case "/dev/stdin": return 0
        case "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default: break
        }
        for prefix in ["/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/", "/proc/\(getpid())/fd/"]
        where path.hasPrefix(prefix) {
            let number = path.dropFirst(prefix.count)
            guard !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber) else { return nil }
            return Int32(number)
        }
        return nil
    }

    /// `path` with symbolic links in its last component followed (up to 40, as the kernel does),
    /// to a target that may not exist.
    static func followLinks(
        _ path: String, problem: (String, String) -> ResultsError, another: String
    ) throws(ResultsError) -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0 else {
                let failure = SystemCallError.current("lstat", current)
                if failure.errorNumber == ENOENT { return current }
                throw problem("'\(current)': \(failure.reason)", another)
            }
            guard info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count > 0 else {
                let failure = SystemCallError.current("readlink", current)
                throw problem("the link '\(current)' cannot be read (\(failure.reason))", another)
            }
            let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // A relative target is taken from the link's own folder, as the kernel does.
            current = target.hasPrefix("/") ? target : join(ResultsWriter.parentFolder(of: current), target)
        }
        throw problem("too many levels of symbolic links (a link loop?)", "fix the links, or " + another)
    }

    /// The first component of `path` that exists and is not a folder, for "a file, not a folder".
    static func firstFileOnTheWay(_ path: String) -> String? {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true).dropLast() {
            prefix += "/" + component
            var info = stat()
            guard stat(prefix, &info) == 0 else { return nil }
            if info.st_mode & S_IFMT != S_IFDIR { return path.hasPrefix("/") ? prefix : String(prefix.dropFirst(2)) }
        }
        return nil
    }

    /// `folder/name`, without doubling a slash.
    static func join(_ folder: String, _ name: String) -> String {
        if folder == "." { return name }
        return folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// Why `access(path, W_OK)` fails, if it does.
    static func accessFailure(_ path: String) -> SystemCallError? {
        access(path, W_OK) == 0 ? nil : SystemCallError.current("access", path)
    }

    /// The kernel file systems where a results document has no place.
    static let kernelFileSystems: Set<String> = [
        "proc", "sysfs", "debugfs", "tracefs", "securityfs", "cgroup", "cgroup2", "bpf", "configfs",
        "efivarfs", "pstore", "selinuxfs", "binfmt_misc", "nsfs", "fusectl", "devpts", "mqueue", "autofs",
    ]

    /// Why `path` (which exists) cannot hold a results file when it is on a kernel file system
    /// such as `proc` or `sysfs`; nil for a file system that holds files.
    static func kernelFileSystem(_ path: String) -> String? {
        guard let mount = MountTable.mount(containing: path), kernelFileSystems.contains(mount.type) else { return nil }
        return "'\(mount.point)' is a kernel file system (\(mount.type)), not a place for files"
    }

    /// Whether `path` (which exists) is on a file system mounted `nodev`, where device nodes cannot be opened.
    static func isNoDeviceMount(_ path: String) -> Bool {
        MountTable.mount(containing: path)?.options.contains("nodev") ?? false
    }
}

/// The mount a path is on, read from `/proc/self/mountinfo` (Linux); nil where there is none.
enum MountTable {
    /// One mount: where, which file system type, and its per-mount options.
    struct Mount {
        var point: String
        var type: String
        var options: Set<String>
    }

    /// The mount holding `path` (which must exist): the longest mount point that contains its real path.
    static func mount(containing path: String) -> Mount? {
        guard let resolved = realpath(path, nil) else { return nil }
        let real = String(cString: resolved)
        free(resolved)
        guard let table = readAll("/proc/self/mountinfo") else { return nil }
        var best: Mount?
        // Split as bytes: splitting the text into Characters cost more than the rest of a run's
        // results check.
        for line in table.utf8.split(separator: UInt8(ascii: "\n")) {
            // id parent major:minor root point options [optional…] - type source super-options
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            guard fields.count > 6, let dash = fields.firstIndex(where: { $0.elementsEqual("-".utf8) }),
                dash + 1 < fields.count
            else { continue }
            let point = unescape(Substring(fields[4]))
            guard contains(point, real) else { continue }
            if let current = best, current.point.utf8.count > point.utf8.count { continue }
            best = Mount(
                point: point, type: String(Substring(fields[dash + 1])),
                options: Set(fields[5].split(separator: UInt8(ascii: ",")).map { String(Substring($0)) }))
        }
        return best
    }

    /// Whether `folder` is `path` or one of its ancestors.
    static func contains(_ folder: String, _ path: String) -> Bool {
        if folder == "/" || folder == path { return true }
        return path.hasPrefix(folder + "/")
    }

    /// A mountinfo field with its octal escapes (`\040` for a space) decoded.
    static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        let raw = Array(field.utf8)
        var index = 0
        while index < raw.count {
            if raw[index] == UInt8(ascii: "\\"), index + 3 < raw.count,
                let value = UInt8(String(decoding: raw[(index + 1)...(index + 3)], as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(raw[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The whole of a small file of unknown size (`/proc` files report 0).
    static func readAll(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while bytes.count < 16 << 20 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension SystemCallError {
    /// The error `errno` holds now, for `call` on `path`; the reason lower-cased at the start.
    static func current(_ call: String, _ path: String) -> SystemCallError {
        let number = errno
        return SystemCallError(call: call, path: path, errorNumber: number, reason: systemErrorText(number))
    }
}
