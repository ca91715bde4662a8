import Basics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns a `ResultsDocument` into bytes and writes them atomically (contract §6).
///
/// Masking happens twice (STYLE.md §7): first on every string inside the JSON tree, so escaping
/// cannot hide a secret, then on the serialized text as a last pass.
package enum ResultsWriter {
    /// The document as pretty JSON (sorted keys, 2-space indent) with a trailing newline, every
    /// secret masked. This is what `--output -` prints to stdout.
    package static func encode(_ document: ResultsDocument, masker: SecretMasker) -> [UInt8] {
        encode(document.json, masker: masker, pretty: true)
    }

    /// Any JSON value as one masked line (compact, sorted keys, trailing newline): for `--format jsonl` events.
    package static func encodeLine(_ value: JSONValue, masker: SecretMasker) -> [UInt8] {
        encode(value, masker: masker, pretty: false)
    }

    /// Serializes straight into one array of the document's exact size (no intermediate string),
    /// which the last masking pass changes only where it finds a secret: a large document is
    /// held once here, next to the value it is made from.
    private static func encode(_ value: JSONValue, masker: SecretMasker, pretty: Bool) -> [UInt8] {
        var bytes = value.masked(by: masker).serializedBytesExactly(pretty: pretty, extraCapacity: 1)
        masker.mask(&bytes)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Encodes the document and writes it to `path` as `ResultsDestination` decides: a regular file
    /// atomically (keeping its permission bits), a device or FIFO in place, a symbolic link followed.
    ///
    /// Writing to stdout (`-o -`) is the caller's business: use `encode`.
    /// - Throws: `ResultsError`; a previous file at `path` is then left intact.
    /// - Parameter naming: how the user gave the path, for hints (`'-o'`, `the workflow's 'output:'`).
    package static func write(
        _ document: ResultsDocument, to path: String, masker: SecretMasker, naming: String = "'-o'"
    ) throws(ResultsError) {
        try ResultsDestination.check(path, naming: naming).write(encode(document, masker: masker))
    }

    /// Writes `bytes` to `path` so that the file is either the old one or the complete new one.
    ///
    /// Creates missing parent folders (mode 0755, less the umask), then a temporary file with a unique
    /// name in the same folder (`O_CREAT|O_EXCL`, mode 0644 less the umask), writes it fully, `fsync`s
    /// it, and `rename(2)`s it over `path`; a rename within one folder is atomic. On any failure the
    /// temporary file is removed. Blocking: call it off the cooperative pool for very large documents.
    /// - Throws: `ResultsError` with code `.createFolder`, `.createTemporaryFile`, `.write` or `.replace`.
    package static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ResultsError) {
        try writeAtomically(bytes, to: path, keeping: nil, beforeReplace: { _ in })
    }

    /// The atomic write, keeping `existing`'s permission bits and (best effort) owner and group on
    /// the new file, with a seam for tests: `beforeReplace` runs with the temporary file's path
    /// after it is written and synced, just before the rename; if it throws, the write fails as a
    /// `.replace` failure would.
    static func writeAtomically(
        _ bytes: [UInt8], to path: String, keeping existing: ResultsDestination.FileOwnership? = nil,
        beforeReplace: (String) throws(ResultsError) -> Void
    ) throws(ResultsError) {
        guard !path.isEmpty else {
            throw ResultsError(
                code: .createTemporaryFile, message: "the results path is empty",
                hint: "pass a file path to '--output', or '-' for stdout", path: path)
        }
        let folder = parentFolder(of: path)
        try createFolders(folder, for: path)
        let (temporaryPath, descriptor) = try createTemporaryFile(
            in: folder, for: path, mode: existing == nil ? 0o644 : 0o600)
        do throws(ResultsError) {
            if let existing {
                // Owner first: changing it clears set-id bits, which the mode then restores.
                if existing.owner != geteuid() || existing.group != getegid() {
                    _ = fchown(descriptor, existing.owner, existing.group)
                }
                guard fchmod(descriptor, mode_t(existing.mode)) == 0 else {
                    let failure = SystemCallError.current("fchmod", temporaryPath)
                    close(descriptor)
                    throw ResultsError(
                        code: .write,
                        message: "could not give the new '\(path)' the old file's permissions: \(failure.reason)",
                        hint: hint(for: failure.errorNumber), path: path, underlying: failure)
                }
            }
            try writeAll(bytes, to: descriptor, temporaryPath: temporaryPath, target: path)
            try beforeReplace(temporaryPath)
            guard rename(temporaryPath, path) == 0 else {
                let failure = SystemCallError.current("rename", temporaryPath)
                throw ResultsError(
                    code: .replace, message: "could not replace '\(path)': \(failure.reason)",
                    hint: hint(for: failure.errorNumber), path: path, underlying: failure)
            }
        } catch {
            unlink(temporaryPath)
            throw error
        }
        syncFolder(folder)
    }

    /// The folder holding `path`: `.` for a bare name, `/` for a file at the root.
    static func parentFolder(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let folder = trimmed[..<slash]
        return folder.isEmpty ? "/" : String(folder)
    }

    /// `mkdir -p folder`.
    private static func createFolders(_ folder: String, for path: String) throws(ResultsError) {
        var current = folder.hasPrefix("/") ? "" : "."
        for component in folder.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + component
            if mkdir(current, 0o755) == 0 { continue }
            let failure = SystemCallError.current("mkdir", current)
            if failure.errorNumber == EEXIST, isDirectory(current) { continue }
            throw ResultsError(
                code: .createFolder,
                message: "could not create the folder '\(current)' for '\(path)': \(failure.reason)",
                hint: hint(for: failure.errorNumber), path: path, underlying: failure)
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Opens a new file named `.<name>.<random>.tmp` next to the target, retrying on a name clash.
    static func createTemporaryFile(
        in folder: String, for path: String, mode: mode_t = 0o644
    ) throws(ResultsError) -> (path: String, descriptor: Int32) {
        let name = path.split(separator: "/").last.map(String.init) ?? "results"
        var failure = SystemCallError(call: "open", path: folder, errorNumber: EEXIST, reason: "file exists")
        for _ in 0..<16 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let candidate = (folder == "/" ? "" : folder) + "/.\(name).\(suffix).tmp"
            let descriptor = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if descriptor >= 0 { return (candidate, descriptor) }
            failure = SystemCallError.current("open", candidate)
            if failure.errorNumber != EEXIST { break }
        }
        throw ResultsError(
            code: .createTemporaryFile,
            message: "could not create a temporary file in '\(folder)' for '\(path)': \(failure.reason)",
            hint: hint(for: failure.errorNumber), path: path, underlying: failure)
    }

    /// Writes every byte (retrying short writes and `EINTR`), `fsync`s and closes the descriptor.
    private static func writeAll(
        _ bytes: [UInt8], to descriptor: Int32, temporaryPath: String, target: String
    ) throws(ResultsError) {
        var failure = writeEveryByte(bytes, to: descriptor, path: temporaryPath)
        if failure == nil, fsync(descriptor) != 0 { failure = SystemCallError.current("fsync", temporaryPath) }
        if close(descriptor) != 0, failure == nil { failure = SystemCallError.current("close", temporaryPath) }
        if let failure {
            throw ResultsError(
                code: .write, message: "could not write '\(target)': \(failure.reason)",
                hint: hint(for: failure.errorNumber), path: target, underlying: failure)
        }
    }

    /// Writes every byte to `descriptor` (`DescriptorWriter.writeAll`: `EPIPE`, never SIGPIPE).
    /// - Returns: the failed `write` call, nil when every byte was written.
    static func writeEveryByte(_ bytes: [UInt8], to descriptor: Int32, path: String) -> SystemCallError? {
        DescriptorWriter.writeAll(bytes, to: descriptor).map {
            SystemCallError(call: "write", path: path, errorNumber: $0, reason: systemErrorText($0))
        }
    }

    /// Makes the rename durable; best effort, since the document is complete either way.
    private static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    static func hint(for errorNumber: Int32) -> String {
        switch errorNumber {
        case EPIPE:
            return
                "the reader of the pipe went away before the document was written; keep it reading until mcp-run ends"
        case EISDIR: return "name a file, not a folder, with '--output'"
        case EACCES, EPERM, EROFS: return "check the folder's permissions, or choose another path with '--output'"
        case ENOSPC, EDQUOT: return "free some disk space, or choose another path with '--output'"
        case ENOTDIR: return "a part of the path is a file, not a folder; choose another path with '--output'"
        default: return "check the path, or choose another one with '--output'"
        }
    }
}
