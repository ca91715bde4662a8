import Basics
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What came back from the authorization endpoint (RFC 6749 §4.1.2), state already checked.
package enum AuthorizationResponse: Sendable {
    /// The code, and `iss` when the redirect carried one (RFC 9207).
    case code(Secret, issuer: String?)
    /// An `error` redirect (RFC 6749 §4.1.2.1), with its description.
    case refused(String)
}

/// The loopback redirect target `http://127.0.0.1:PORT/oauth/callback` (RFC 8252 §7.3); a URL
/// the person pastes instead (`LoginUI.pastedRedirects()`) is checked by `response(to:)`.
///
/// The listener binds 127.0.0.1 only and runs on a thread of its own (blocking `poll`/`accept`/
/// `read`, never on the cooperative pool), woken through a pipe by `close()`. It answers only
/// `GET /oauth/callback` carrying the expected `state`, once; anything else gets 404 or 400 and
/// the wait goes on, so a wrong or missing `state` never reaches the token endpoint. Each
/// connection's request must arrive within 5 seconds. Results reach the awaiting task through an
/// `AsyncStream`.
final class LoopbackCallback: Sendable {
    /// The bound port.
    let port: Int
    private let listener: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let expectedState: String
    private let results: AsyncStream<AuthorizationResponse>
    private let sink: AsyncStream<AuthorizationResponse>.Continuation
    private let closed = Locked(false)

    /// The redirect URI to register and send.
    var redirectURI: String { "http://127.0.0.1:\(port)/oauth/callback" }

    /// Binds 127.0.0.1:`port` (0: any free port) and starts listening.
    /// - Throws: `ClientError` `.unauthorized` when the port cannot be bound.
    init(port requested: Int?, expectedState: String, serverName: String) throws(ClientError) {
        func failure(_ what: String) -> ClientError {
            ClientError(
                code: .unauthorized(0),
                message: "cannot listen for the login's redirect on 127.0.0.1:\(requested ?? 0): \(what)",
                hint: requested == nil ? nil : "choose another `oauth.redirectPort`, or remove it",
                context: ErrorContext(server: serverName))
        }
        // SO_REUSEADDR (ListeningSocket): the redirect's connection, closed by this side first,
        // leaves the port in TIME_WAIT for a minute, and the next login on a fixed
        // `redirectPort` must still bind it.
        let socket: ListeningSocket
        do {
            socket = try ListeningSocket.open(
                address: ListeningSocket.loopback, port: UInt16(clamping: requested ?? 0), backlog: 8)
        } catch {
            throw failure(error.step == .pipe ? "cannot create a pipe" : error.reason)
        }
        port = socket.port
        listener = socket.descriptor
        wakeRead = socket.wakeRead
        wakeWrite = socket.wakeWrite
        self.expectedState = expectedState
        (results, sink) = AsyncStream<AuthorizationResponse>.makeStream()
        let thread = Thread { [self] in serve() }
        thread.name = "mcp-run oauth callback"
        thread.start()
    }

    /// The first response with the expected state from the browser's redirect; nil when
    /// `close()` ended the wait.
    ///
    /// Suspends without blocking the pool; the caller bounds it with `withTimeout`.
    func next() async -> AuthorizationResponse? {
        for await response in results { return response }
        return nil
    }

    /// Stops listening and ends `next()`. Idempotent.
    func close() {
        let first = closed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        sink.finish()
    }

    /// The response for a redirect's query items (the listener's, or a pasted URL's), or nil
    /// when the state is missing or wrong.
    func response(to items: [URLQueryItem]) -> AuthorizationResponse? {
        func value(_ name: String) -> String? { items.first(where: { $0.name == name })?.value }
        guard let state = value("state"), state == expectedState else { return nil }
        if let error = value("error") {
            let cleaned = SecretMasker().maskedPrefix(
                error + (value("error_description").map { " (\($0))" } ?? ""), 200)
            return .refused(String(cleaned.map { $0.isNewline || $0.isASCII && $0.asciiValue ?? 0 < 0x20 ? " " : $0 }))
        }
        guard let code = value("code"), !code.isEmpty else { return nil }
        return .code(Secret.credential(code), issuer: value("iss"))
    }

    /// The wake pipe lives as long as the object (the listener thread holds it until `serve`
    /// returns), so `close()` never writes to a closed or reused descriptor.
    deinit {
        posixClose(wakeRead)
        posixClose(wakeWrite)
    }

    /// The listener thread: accept and answer until one good redirect or `close()`. The listener
    /// is closed before the response is handed over, so a login that goes on (and releases a
    /// fixed port's lock) never finds the port still bound.
    private func serve() {
        let response = acceptRedirect()
        posixClose(listener)
        if let response { sink.yield(response) }
    }

    private func acceptRedirect() -> AuthorizationResponse? {
        while true {
            var fds = [
                pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, -1)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 || fds[1].revents != 0 || closed.withLock({ $0 }) { return nil }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            let request = readRequest(client)
            let (status, body, response) = answer(request)
            let reply =
                "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n\(body)"
            _ = Array(reply.utf8).withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            posixClose(client)
            if let response { return response }
        }
    }

    private func answer(_ requestLine: String?) -> (String, String, AuthorizationResponse?) {
        let parts = (requestLine ?? "").split(separator: " ")
        guard parts.count >= 2, parts[0] == "GET", let components = URLComponents(string: String(parts[1])),
            components.path == "/oauth/callback"
        else { return ("404 Not Found", "not found\n", nil) }
        guard let response = response(to: components.queryItems ?? []) else {
            return (
                "400 Bad Request", "this is not the redirect mcp-run is waiting for (state missing or wrong)\n", nil
            )
        }
        if case .refused = response {
            return ("200 OK", "the authorization server refused the login; see the terminal\n", response)
        }
        return ("200 OK", "mcp-run is logged in; you can close this tab\n", response)
    }

    /// The request line of one HTTP request, read within 5 seconds (at most 16 KiB).
    private func readRequest(_ fd: Int32) -> String? {
        var buffer: [UInt8] = []
        let deadline = Date().addingTimeInterval(5)
        while buffer.count < 16_384 {
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard remaining > 0, poll(&pfd, 1, remaining) > 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            buffer += chunk[0..<count]
            if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                return String(decoding: buffer[0..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return nil
    }
}

private func posixClose(_ fd: Int32) { _ = close(fd) }
