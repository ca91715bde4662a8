#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

/// A small private file replaced whole or not at all: the token cache's entries and the cached
/// lists. (The results document has its own writer, which also keeps a file's mode and owner and
/// writes through devices and pipes.)
package enum AtomicFile {
    /// Why the file was not replaced: the temporary file could not be created (`path` is it), or
    /// writing, syncing or renaming it failed (`path` is the target); `errorNumber` is `errno`.
    package struct Failure: Error, Sendable {
        package enum Step: Sendable { case create, write }
        package var step: Step
        package var path: String
        package var errorNumber: Int32
    }

    /// Writes `bytes` to a new temporary file `.<stem>.<pid>.<random>.tmp` in `folder` (mode
    /// `mode`, never following or reusing an existing file), `fsync`s it when `durable`, and
    /// renames it onto `target` (in the same folder), so a reader sees the old file or the new
    /// one, never half of one. On failure the temporary file is removed.
    /// - Throws: `Failure`.
    package static func write(
        _ bytes: [UInt8], to target: String, folder: String, stem: String, mode: mode_t = 0o600, durable: Bool = true
    ) throws(Failure) {
        let temporary = folder + "/.\(stem).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(step: .create, path: temporary, errorNumber: errno) }
        var failure = DescriptorWriter.writeAll(bytes, to: fd)
        if failure == nil, durable, fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == nil, rename(temporary, target) != 0 { failure = errno }
        if let failure {
            unlink(temporary)
            throw Failure(step: .write, path: target, errorNumber: failure)
        }
    }
}
