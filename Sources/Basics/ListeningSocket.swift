#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

/// A TCP socket listening on an IPv4 address, and a pipe to wake the thread that accepts on it:
/// what the OAuth login's loopback callback and `mcp-run serve` both open.
///
/// `SO_REUSEADDR` is set, so a port whose last connections sit in TIME_WAIT (a login on a fixed
/// `redirectPort` a minute after the previous one, a restarted gateway) can be bound again; on
/// Linux it never lets two listeners share a port. Descriptors are close-on-exec.
package struct ListeningSocket: Sendable {
    /// The listening socket.
    package let descriptor: Int32
    /// The port it is bound to (the one the system chose when asked for 0).
    package let port: Int
    /// The wake pipe's ends: a byte written to `wakeWrite` makes `wakeRead` readable.
    package let wakeRead: Int32
    package let wakeWrite: Int32

    /// Why a socket could not be opened: the step, and the system's text for `errno`.
    package struct Failure: Error, Sendable {
        package enum Step: Sendable { case socket, bind, pipe }
        package var step: Step
        package var reason: String
    }

    /// Binds `address` (network byte order, e.g. 127.0.0.1 from `inet_pton`) and `port` (0: any
    /// free port), listens with `backlog`, and makes the wake pipe.
    /// - Throws: `Failure` naming the step that failed; nothing is left open.
    package static func open(
        address: in_addr, port requested: UInt16, backlog: Int32
    ) throws(Failure) -> ListeningSocket {
        #if canImport(Glibc) || canImport(Musl)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(step: .socket, reason: String(cString: strerror(errno))) }
        var reuse: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(requested.bigEndian)
        socketAddress.sin_addr = address
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = close(fd)
            throw Failure(step: .bind, reason: reason)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        var pipeFDs: [Int32] = [-1, -1]
        let piped = pipe(&pipeFDs)
        if piped == 0 { for end in pipeFDs { _ = fcntl(end, F_SETFD, FD_CLOEXEC) } }
        guard piped == 0 else {
            let reason = String(cString: strerror(errno))
            _ = close(fd)
            throw Failure(step: .pipe, reason: reason)
        }
        return ListeningSocket(
            descriptor: fd, port: Int(UInt16(bigEndian: actual.sin_port)), wakeRead: pipeFDs[0], wakeWrite: pipeFDs[1])
    }

    /// 127.0.0.1.
    package static let loopback = in_addr(s_addr: in_addr_t(UInt32(0x7F00_0001).bigEndian))
}
