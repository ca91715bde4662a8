import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A TCP client that sends exactly the bytes it is given, for tests of malformed HTTP.
///
/// Its calls block, so each runs on a thread of its own (`onThread`), never on the cooperative
/// pool that the listener's handler needs. Every read has a deadline (`SO_RCVTIMEO`).
package final class RawClient: Sendable {
    let fd: Int32

    /// Connects to 127.0.0.1:`port`.
    package init(port: Int) throws {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw RawClientError.cannotConnect
        }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends `text`.
    package func send(_ text: String) async {
        let bytes = Array(text.utf8)
        let fd = self.fd
        await onThread {
            _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    /// Reads until one whole response has arrived (head and `Content-Length` body, after a
    /// `100 Continue` if one came), the peer closes, or 15 seconds pass; returns what arrived as text.
    package func readResponse() async -> String {
        let fd = self.fd
        return await onThread {
            var received: [UInt8] = []
            while true {
                let text = String(decoding: received, as: UTF8.self)
                let interim = "HTTP/1.1 100 Continue\r\n\r\n"
                let final = text.hasPrefix(interim) ? String(text.dropFirst(interim.count)) : text
                if let end = final.range(of: "\r\n\r\n") {
                    let length =
                        final[..<end.lowerBound].split(separator: "\r\n")
                        .first { $0.lowercased().hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
                        ?? 0
                    if final[end.upperBound...].utf8.count >= length { return text }
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { return text }
                received += chunk[0..<count]
            }
        }
    }

    /// Reads exactly `count` bytes (fewer when the peer closes or 15 seconds pass), as text: an
    /// interim response such as `HTTP/1.1 100 Continue\r\n\r\n`, before the client sends more.
    package func read(count: Int) async -> String {
        let fd = self.fd
        return await onThread {
            var received: [UInt8] = []
            while received.count < count {
                var chunk = [UInt8](repeating: 0, count: count - received.count)
                let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if got <= 0 { break }
                received += chunk[0..<got]
            }
            return String(decoding: received, as: UTF8.self)
        }
    }

    /// Whether the peer has closed the connection (a read gets end of file within 15 seconds).
    package func isClosedByPeer() async -> Bool {
        let fd = self.fd
        return await onThread {
            var byte: UInt8 = 0
            while true {
                let count = recv(fd, &byte, 1, 0)
                if count == 0 { return true }
                if count < 0 { return errno == ECONNRESET }
            }
        }
    }
}

/// Why a `RawClient` could not be made.
package enum RawClientError: Error { case cannotConnect }

/// Runs blocking `body` on a thread of its own and returns its value.
package func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}
