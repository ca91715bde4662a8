import Basics
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bounds of the listener: connections, request bytes, timeouts.
package struct ListenerLimits: Sendable {
    /// Bytes of one request (`HTTPRequestParser`).
    package var request = RequestLimits()
    /// Connections served at once; one more is answered 503 and closed.
    package var maxConnections = 64
    /// A request, once its first byte arrived, must be complete within this; else 408 and close.
    package var readTimeout = Duration.seconds(10)
    /// A kept-alive connection with no request pending is closed after this.
    package var idleTimeout = Duration.seconds(30)
    /// Each write of an answer must make progress within this; else the connection is closed.
    package var writeTimeout = Duration.seconds(10)

    /// The defaults: 64 connections, 10 s to read a request, 30 s idle, 10 s per write.
    package init() {}
}

/// One line of the access log: what was asked and how it was answered.
package struct AccessLogEntry: Sendable {
    /// The method, or `-` for a request that could not be parsed.
    package var method: String
    /// The path without its query (a query may carry a code or a state), or `-`.
    package var path: String
    /// The status sent, or 0 when the connection was closed without one.
    package var status: Int
    /// From the request's first byte to the answer's last.
    package var duration: Duration
}

/// A plain HTTP/1.1 server on POSIX sockets, meant to sit behind a TLS-terminating proxy.
///
/// One thread accepts (blocking `poll`/`accept`, never on the cooperative pool), and each
/// connection gets a thread of its own that reads, parses (`HTTPRequestParser`) and writes with
/// `poll` deadlines (`ListenerLimits`); the number of connections is bounded, so the number of
/// threads is too. A parsed request is handed to the async `handler` (an unstructured hop, the
/// connection's thread waiting for it); keep-alive and `Expect: 100-continue` are honoured.
/// Input that breaks the protocol or a limit is answered with its 4xx status and the connection
/// closed; the server goes on serving others.
///
/// `stop(grace:)` stops accepting, closes idle connections, lets requests in flight be answered
/// (each with `Connection: close`) and waits for them within a bound. The state shared between
/// the threads and `stop` is behind one `Locked` (threads are synchronous: no actor to hop to).
package final class HTTPListener: Sendable {
    /// The bound port.
    package let port: Int
    private let listener: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let limits: ListenerLimits
    private let handler: @Sendable (ParsedRequest) async -> ServerResponse
    private let log: @Sendable (AccessLogEntry) -> Void
    private let state = Locked(SharedState())
    /// Set once the listener is stopping, its accept thread has ended and no connection is left.
    private let drained = Latch<Void>()

    private struct SharedState {
        var active = 0
        var isStopping = false
        var acceptEnded = false
    }

    /// Binds `host:port` (an IPv4 address, or `localhost`; port 0: any free port), listens and
    /// starts serving with `handler`; `log` gets one entry per answered (or refused) request.
    /// - Throws: `ListenError` when the address is invalid or cannot be bound.
    package init(
        host: String, port requested: Int, limits: ListenerLimits = ListenerLimits(),
        log: @escaping @Sendable (AccessLogEntry) -> Void,
        handler: @escaping @Sendable (ParsedRequest) async -> ServerResponse
    ) throws(ListenError) {
        let address = host == "localhost" ? "127.0.0.1" : host
        var parsed = in_addr()
        guard (0...65535).contains(requested), inet_pton(AF_INET, address, &parsed) == 1 else {
            throw ListenError(message: "'\(host):\(requested)' is not an IPv4 address and port", isBadAddress: true)
        }
        // SO_REUSEADDR (ListeningSocket): a restarted gateway must bind its port while old
        // connections sit in TIME_WAIT.
        let socket: ListeningSocket
        do {
            socket = try ListeningSocket.open(address: parsed, port: UInt16(requested), backlog: 128)
        } catch {
            switch error.step {
            case .socket: throw ListenError(message: "cannot create a socket: \(error.reason)")
            case .bind: throw ListenError(message: "cannot listen on \(host):\(requested): \(error.reason)")
            case .pipe: throw ListenError(message: "cannot create a pipe")
            }
        }
        port = socket.port
        listener = socket.descriptor
        wakeRead = socket.wakeRead
        wakeWrite = socket.wakeWrite
        self.limits = limits
        self.log = log
        self.handler = handler
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "mcp-run serve accept"
        thread.start()
    }

    /// Stops accepting, closes idle connections and waits until every request in flight has been
    /// answered, or `grace` has passed. Returns whether everything finished. Idempotent.
    ///
    /// Suspends without blocking the pool; a connection still busy when `grace` runs out is left
    /// to finish or time out on its own thread.
    package func stop(grace: Duration) async -> Bool {
        let first = state.withLock { state in
            defer { state.isStopping = true }
            return !state.isStopping
        }
        if first {
            // Never read: once written, the pipe stays readable, so every thread polling it wakes.
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        setIfDrained()
        let drained = self.drained
        do {
            try await withTimeout(grace) { await drained.wait() }
            return true
        } catch {
            return false
        }
    }

    /// The number of connections being served.
    package var activeConnections: Int { state.withLock { $0.active } }

    /// Sets `drained` when the listener is stopping and nothing is left.
    private func setIfDrained() {
        if state.withLock({ $0.isStopping && $0.active == 0 && $0.acceptEnded }) { drained.set(()) }
    }

    /// The pipe is closed only here: threads hold `self` until they end, so none polls a closed
    /// or reused descriptor.
    deinit {
        _ = close(wakeRead)
        _ = close(wakeWrite)
    }

    private func acceptLoop() {
        // After an accept that failed for want of resources, the pending connection keeps the
        // listener readable: wait a little (still woken by stop) instead of spinning on it.
        var pause: Int32 = -1
        while true {
            var fds = [
                pollfd(fd: listener, events: pause < 0 ? Int16(POLLIN) : 0, revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, pause)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 || fds[1].revents != 0 { break }
            if pause >= 0, ready == 0 {
                pause = -1
                continue
            }
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                // EMFILE, ENFILE, ENOBUFS, ENOMEM: out of descriptors or memory, for now.
                pause = Self.acceptBackoff(errno)
                continue
            }
            var noDelay: Int32 = 1
            _ = setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            let admitted = state.withLock { state -> Bool in
                guard !state.isStopping, state.active < limits.maxConnections else { return false }
                state.active += 1
                return true
            }
            guard admitted else {
                let response = ServerResponse.error(503, "unavailable", "too many connections; try again later")
                _ = writeAll(client, response.serialized(keepAlive: false, omitBody: false))
                _ = close(client)
                log(AccessLogEntry(method: "-", path: "-", status: 503, duration: .zero))
                continue
            }
            let thread = Thread { [self] in
                serve(client)
                _ = close(client)
                state.withLock { $0.active -= 1 }
                setIfDrained()
            }
            thread.name = "mcp-run serve connection"
            thread.start()
        }
        _ = close(listener)
        state.withLock { $0.acceptEnded = true }
        setIfDrained()
    }

    /// Serves one connection until it closes, breaks the protocol, times out, or the listener stops.
    private func serve(_ fd: Int32) {
        var parser = HTTPRequestParser(limits: limits.request)
        var pending: [ParsedRequest] = []
        var requestStart: ContinuousClock.Instant?
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            if !pending.isEmpty {
                let request = pending.removeFirst()
                let started = requestStart ?? .now
                requestStart = parser.hasPartialRequest || !pending.isEmpty ? .now : nil
                let response = handle(request)
                let keepAlive = request.keepsAlive && !state.withLock { $0.isStopping }
                let written = writeAll(
                    fd, response.serialized(keepAlive: keepAlive, omitBody: request.method == "HEAD"))
                log(
                    AccessLogEntry(
                        method: request.method, path: request.path, status: response.status,
                        duration: .now - started))
                if !written || !keepAlive { return }
                continue
            }
            let stopping = state.withLock { $0.isStopping }
            if stopping && !parser.hasPartialRequest { return }
            let timeout: Duration
            if let requestStart, parser.hasPartialRequest {
                timeout = limits.readTimeout - (.now - requestStart)
            } else {
                timeout = limits.idleTimeout
            }
            if timeout <= .zero {
                refuse(fd, status: 408, message: "the request did not arrive in time", started: requestStart)
                return
            }
            // While stopping, a partial request may still finish: poll the socket alone.
            var fds = [
                pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stopping ? -1 : wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, Int32(clamping: max(1, timeout.milliseconds)))
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 { return }
            if ready == 0 {
                if parser.hasPartialRequest {
                    refuse(fd, status: 408, message: "the request did not arrive in time", started: requestStart)
                }
                return
            }
            if fds[0].revents == 0 { continue }  // woken by stop(): the loop's top decides
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            if requestStart == nil { requestStart = .now }
            do {
                pending = try parser.feed(buffer[0..<count])
            } catch {
                refuse(fd, status: error.status, message: error.description, started: requestStart)
                return
            }
            if parser.isWaitingForContinue, pending.isEmpty {
                parser.continueSent()
                guard writeAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return }
            }
        }
    }

    /// Answers `status` with a JSON error and `Connection: close`, and logs it.
    private func refuse(_ fd: Int32, status: Int, message: String, started: ContinuousClock.Instant?) {
        let code = status == 408 ? "request_timeout" : status == 413 ? "body_too_large" : "bad_request"
        let response = ServerResponse.error(status, code, message)
        _ = writeAll(fd, response.serialized(keepAlive: false, omitBody: false))
        log(AccessLogEntry(method: "-", path: "-", status: status, duration: started.map { .now - $0 } ?? .zero))
    }

    /// Runs the async handler for `request` and waits for its answer on this connection's thread.
    private func handle(_ request: ParsedRequest) -> ServerResponse {
        let answer = Locked<ServerResponse?>(nil)  // written by the handler's task, read here after the signal
        let done = DispatchSemaphore(value: 0)
        let handler = self.handler
        // Unstructured: hop from this connection's thread onto the async handler; the thread waits for it.
        Task {
            let response = await handler(request)
            answer.withLock { $0 = response }
            done.signal()
        }
        done.wait()
        return answer.withLock { $0 } ?? ServerResponse.error(500, "internal", "the request was not answered")
    }

    /// Writes every byte within the write timeout; false when the peer is gone or too slow.
    /// How long (milliseconds) to wait before accepting again after `accept` failed with `error`:
    /// 100 ms when the system is out of descriptors or memory (the connection stays pending, and
    /// an immediate retry would spin), -1 (no wait) for anything else (a connection the peer
    /// reset before it was accepted).
    static func acceptBackoff(_ error: Int32) -> Int32 {
        switch error {
        case EMFILE, ENFILE, ENOBUFS, ENOMEM: return 100
        default: return -1
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, Int32(clamping: limits.writeTimeout.milliseconds))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return false }
            let sent = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}

/// The listener could not start: a bad address, or a port that cannot be bound.
package struct ListenError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the address.
    package var message: String
    /// Whether the address itself is wrong (not a failure to bind it).
    package var isBadAddress = false
    /// The message.
    package var description: String { message }
}
