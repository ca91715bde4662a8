#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

/// The one loop that writes bytes to a file descriptor: the results document, the console, the
/// `--summary` append.
package enum DescriptorWriter {
    /// Writes every byte to `descriptor`, retrying short writes and `EINTR`; a write that makes
    /// no progress is `EIO`.
    ///
    /// With `keepingPipeSignal` false (the default), a pipe or FIFO whose reader has gone fails
    /// the write with `EPIPE` instead of ending the process with SIGPIPE (`withPipeSignalBlocked`),
    /// so the caller can still report and keep what it wrote. The console keeps the signal: a
    /// pipeline whose reader leaves (`| head`) ends mcp-run as it ends any Unix tool.
    /// - Returns: the `errno` of the failed `write`, nil when every byte was written.
    package static func writeAll(_ bytes: [UInt8], to descriptor: Int32, keepingPipeSignal: Bool = false) -> Int32? {
        if keepingPipeSignal { return writeLoop(bytes, to: descriptor) }
        return withPipeSignalBlocked { writeLoop(bytes, to: descriptor) }
    }

    private static func writeLoop(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        bytes.withUnsafeBytes { buffer -> Int32? in
            guard let base = buffer.baseAddress else { return nil }
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, base + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return written < 0 ? errno : EIO
                }
            }
            return nil
        }
    }

    /// Runs `body` with SIGPIPE blocked on this thread only (children and other threads keep the
    /// default disposition), then consumes a SIGPIPE that `body` raised before restoring the mask,
    /// so it is never delivered later.
    package static func withPipeSignalBlocked<T>(_ body: () -> T) -> T {
        #if canImport(Glibc) || canImport(Musl)
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            var pendingBefore = sigset_t()
            sigpending(&pendingBefore)
            let wasPending = sigismember(&pendingBefore, SIGPIPE) == 1
            var previous = sigset_t()
            pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
            defer {
                var pending = sigset_t()
                sigpending(&pending)
                if !wasPending, sigismember(&pending, SIGPIPE) == 1 {
                    var now = timespec(tv_sec: 0, tv_nsec: 0)
                    while sigtimedwait(&pipeSignal, nil, &now) < 0, errno == EINTR {}
                }
                pthread_sigmask(SIG_SETMASK, &previous, nil)
            }
        #endif
        return body()
    }

    /// `write(2)`, named apart from the many `write` methods.
    private static func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.write(descriptor, buffer, count)
        #elseif canImport(Musl)
            Musl.write(descriptor, buffer, count)
        #else
            Darwin.write(descriptor, buffer, count)
        #endif
    }
}
