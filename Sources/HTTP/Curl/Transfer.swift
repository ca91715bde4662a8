import Basics
import CCurl
import CCurlShim

/// The status line and header fields of a final response.
struct ResponseHead: Sendable {
    var status: Int
    var headers: HTTPHeaders
}

/// Transfers whose head completed during the current `curl_multi_perform` pass; curl thread only.
final class ReadyHeads {
    var transfers: [Transfer] = []
}

/// One request on its way through the curl thread.
///
/// Created by `HTTPClient.send(_:)` on the caller's task, which also builds the curl header list
/// (the only place a secret header value is revealed). From `submit` on, the curl-thread fields are
/// touched only by the curl thread: configuring the easy handle, curl's header and write callbacks,
/// and `finish`. The awaiting task and the curl thread meet in two places only: `headState` (a
/// lock) and the body stream's continuation (thread-safe).
final class Transfer: @unchecked Sendable {
    // @unchecked Sendable: the immutable fields are set in `init`; the mutable ones below the
    // "curl thread only" mark are read and written only by the curl thread after `submit` hands
    // the transfer over under the queue's lock; `headState` is a `Locked`.

    /// Where the awaiting task is.
    private enum HeadState: Sendable {
        /// `send` has not started waiting yet.
        case idle
        /// `send` is suspended until the head arrives.
        case waiting(CheckedContinuation<ResponseHead, any Error>)
        /// The head, an error or a cancellation was handed over (or is no longer wanted).
        case resolved
    }

    /// `scheme://host[:port]`, for error contexts.
    let origin: String
    private let url: String
    private let method: String
    private let body: [UInt8]?
    private let timeoutMilliseconds: Int?
    private let connectTimeoutMilliseconds: Int
    private let bodyContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    private let headState = Locked(HeadState.idle)

    // Curl thread only.
    /// The easy handle while the transfer runs.
    private(set) var easy: EasyHandle?
    private var context: Unmanaged<Transfer>?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var status: Int?
    private var headers = HTTPHeaders()
    private var headPhase = HeadPhase.receiving
    private var readyHeads: ReadyHeads?

    /// How far the head is, on the curl thread.
    private enum HeadPhase {
        /// Header lines are still arriving.
        case receiving
        /// The head is complete and queued in `readyHeads`, to be handed over after this
        /// `curl_multi_perform` pass.
        case ready(ResponseHead)
        /// The head (or an error instead) was handed over.
        case resolved
    }

    /// Validates `request` and builds its curl header list, revealing secret header values.
    ///
    /// - Throws: `HTTPError` `.invalidURL` for a URL that is not absolute `http`/`https`,
    ///   `.transfer(43)` for a header field with a line break or an invalid name.
    init(
        _ request: HTTPRequest, bodyContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    ) throws(HTTPError) {
        origin = try Self.origin(of: request.url)
        url = request.url
        method = request.method
        body = request.body
        timeoutMilliseconds = request.timeout.map { max(1, Int($0.milliseconds)) }
        connectTimeoutMilliseconds = max(1, Int(request.connectTimeout.milliseconds))
        self.bodyContinuation = bodyContinuation
        headerList = try Self.headerList(for: request, origin: origin)
    }

    deinit {
        // Normally freed by `finish`; this covers a transfer that was never submitted.
        if let headerList { curl_slist_free_all(headerList) }
    }

    // MARK: - The awaiting task

    /// Registers the continuation `send` waits on; `false` (having resumed it with
    /// `CancellationError`) when the task was cancelled first. Called before `submit`.
    func waitForHead(_ continuation: CheckedContinuation<ResponseHead, any Error>) -> Bool {
        let isRegistered = headState.withLock { state in
            guard case .idle = state else { return false }
            state = .waiting(continuation)
            return true
        }
        if !isRegistered { continuation.resume(throwing: CancellationError()) }
        return isRegistered
    }

    /// Hands `result` to the task waiting in `send`, if it still waits; from any thread, once.
    func resolveHead(_ result: Result<ResponseHead, any Error>) {
        let waiter = headState.withLock { state -> CheckedContinuation<ResponseHead, any Error>? in
            defer { state = .resolved }
            guard case .waiting(let continuation) = state else { return nil }
            return continuation
        }
        waiter?.resume(with: result)
    }

    // MARK: - The curl thread

    /// Sets every per-request option on `easy` for this transfer; returns the first failure.
    ///
    /// The handle comes with the invariant options set (`EasyHandle`) and whatever the previous
    /// transfer left, so every option a transfer may set is set here again, to its value or to
    /// curl's default: the method (`CURLOPT_HTTPGET` first, which also clears `NOBODY`), the
    /// custom method, the timeout, the header list and the callback context.
    ///
    /// A complete head is queued in `readyHeads` rather than handed over from the header callback,
    /// so that the awaiting task wakes once the current `curl_multi_perform` pass is over, usually
    /// with a small body already in the stream: one task wake-up per small response, not two.
    func configure(_ easy: EasyHandle, readyHeads: ReadyHeads) -> CURLcode {
        self.easy = easy
        self.readyHeads = readyHeads
        let context = Unmanaged.passRetained(self)
        self.context = context
        let handle = easy.raw
        var failure = CURLE_OK
        func check(_ result: CURLcode) { if failure == CURLE_OK { failure = result } }

        check(ccurl_setopt_string(handle, CURLOPT_URL, url))
        check(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMilliseconds))
        check(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds ?? 0))
        check(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        check(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context.toOpaque()))
        check(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque()))

        // Back to a plain GET (the state `curl_easy_reset` leaves), then this request's method.
        check(ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        check(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, nil))
        if let body {
            check(ccurl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS copies during the call, so the pointer need not outlive this scope.
            let copied = body.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress {
                    return ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                }
                return ccurl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            }
            check(copied)
            if method != "POST" { check(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)) }
        } else if method == "GET" {
            // Already a GET.
        } else if method == "HEAD" {
            check(ccurl_setopt_long(handle, CURLOPT_NOBODY, 1))
        } else {
            check(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
        }
        return failure
    }

    /// curl's header callback: one line of a header block (status line, field, or the blank end).
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard case .receiving = headPhase else { return true }  // trailers after a chunked body
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = bytes[..<end]
        if line.isEmpty {
            guard let status else { return true }
            if (100..<200).contains(status) {
                // An informational response (100 Continue, 103 Early Hints): the final one follows.
                self.status = nil
                headers = HTTPHeaders()
                return true
            }
            headIsComplete(status: status)
            return true
        }
        if line.starts(with: "HTTP/".utf8) {
            let text = String(decoding: line, as: UTF8.self)
            status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) }
            headers = HTTPHeaders()
            return true
        }
        // Bytes, not Characters: this runs for every header line of every response.
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return true }
        let name = Self.trimmingWhitespace(line[..<colon])
        let value = Self.trimmingWhitespace(line[(colon + 1)...])
        if !name.isEmpty {
            headers.append(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        }
        return true
    }

    /// `bytes` without leading and trailing spaces and tabs.
    private static func trimmingWhitespace(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return bytes[bytes.endIndex...] }
        return bytes[first...last]
    }

    /// curl's write callback: a piece of the body, yielded to the stream as it is.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if case .receiving = headPhase { headIsComplete(status: status ?? responseCode()) }
        if case .terminated = bodyContinuation.yield(Array(bytes)) {
            return false  // nobody will read it: abort now rather than when the cancellation arrives
        }
        return true
    }

    private func headIsComplete(status: Int) {
        headPhase = .ready(ResponseHead(status: status, headers: headers))
        headers = HTTPHeaders()
        readyHeads?.transfers.append(self)
    }

    /// Hands a complete head to the awaiting task; called by the curl thread after a
    /// `curl_multi_perform` pass.
    func handOverReadyHead() {
        guard case .ready(let head) = headPhase else { return }
        headPhase = .resolved
        resolveHead(.success(head))
    }

    private func responseCode() -> Int {
        var code = 0
        guard let easy else { return 0 }
        _ = ccurl_getinfo_long(easy.raw, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// Ends the transfer after its easy handle left the multi handle: hands over the head (if still
    /// due) and the end of the body, then releases the callback context and the header list.
    ///
    /// - Parameter error: `nil` on success, else an `HTTPError` or `CancellationError`.
    ///
    /// The body stream is finished before the head is handed over, so the task that wakes with the
    /// head of a small response finds the whole body buffered and reads it without suspending again.
    func finish(with error: (any Error)?) {
        let head: Result<ResponseHead, any Error>?
        switch headPhase {
        case .receiving:
            head =
                if let error {
                    .failure(error)
                } else {
                    .success(ResponseHead(status: status ?? responseCode(), headers: headers))
                }
        case .ready(let ready):
            head = .success(ready)  // the head arrived; a failure after it belongs to the body
        case .resolved:
            head = nil
        }
        headPhase = .resolved
        if let error {
            bodyContinuation.finish(throwing: error)
        } else {
            bodyContinuation.finish()
        }
        if let head { resolveHead(head) }
        easy = nil
        readyHeads = nil
        context?.release()
        context = nil
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
    }

    // MARK: - Request validation

    /// `scheme://host[:port]` of an `http` or `https` URL, without user info.
    static func origin(of url: String) throws(HTTPError) -> String {
        guard let separator = schemeSeparator(in: url) else {
            throw HTTPError(
                code: .invalidURL, message: "the URL is not absolute", hint: "use an absolute http or https URL")
        }
        // Bytes, not Characters: this runs for every request.
        let bytes = url.utf8
        let scheme = String(decoding: bytes[..<separator.lowerBound].map { $0 | 0x20 }, as: UTF8.self)
        guard scheme == "http" || scheme == "https" else {
            let shown = url[..<separator.lowerBound].lowercased()
            throw HTTPError(
                code: .invalidURL, message: "unsupported URL scheme '\(shown)'", hint: "use an http or https URL")
        }
        let rest = bytes[separator.upperBound...]
        var authority = rest.prefix {
            $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#")
        }
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[authority.index(after: at)...] }
        guard !authority.isEmpty else {
            throw HTTPError(
                code: .invalidURL, message: "the URL has no host", hint: "use an absolute http or https URL")
        }
        return "\(scheme)://\(Substring(authority))"
    }

    /// The first `://` in `url` (a byte scan: the generic `firstRange(of:)` costs more than the
    /// rest of a request's validation).
    private static func schemeSeparator(in url: String) -> Range<String.Index>? {
        let bytes = url.utf8
        var index = bytes.startIndex
        while let colon = bytes[index...].firstIndex(of: UInt8(ascii: ":")) {
            let rest = bytes[colon...].dropFirst()
            if rest.starts(with: "//".utf8) { return colon..<bytes.index(colon, offsetBy: 3) }
            index = bytes.index(after: colon)
        }
        return nil
    }

    /// The curl header list for `request`, plus an empty `Expect:` that stops curl from sending
    /// `Expect: 100-continue` with a body. Secret values are revealed here and nowhere else.
    private static func headerList(
        for request: HTTPRequest, origin: String
    ) throws(HTTPError) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        func append(_ line: String) throws(HTTPError) {
            guard let appended = curl_slist_append(list, line) else {
                if let list { curl_slist_free_all(list) }
                throw HTTPError(
                    code: .transfer(Int(CURLE_OUT_OF_MEMORY.rawValue)), message: "out of memory building headers",
                    context: ErrorContext(server: origin))
            }
            list = appended
        }
        var hasExpect = false
        for header in request.headers {
            let line: String?
            if HTTPToken.isToken(header.name) {
                hasExpect = hasExpect || isExpect(header.name)
                line =
                    switch header.value {
                    case .plain(let value): fieldLine(name: header.name, value: value)
                    case .secret(let secret): secret.withRevealedValue { fieldLine(name: header.name, value: $0) }
                    }
            } else {
                line = nil
            }
            guard let line else {
                if let list { curl_slist_free_all(list) }
                throw invalidHeader(header.name, origin: origin)
            }
            try append(line)
        }
        if request.body != nil, !hasExpect { try append("Expect:") }
        return list
    }

    /// Whether a field name is `Expect`, in any case.
    private static func isExpect(_ name: String) -> Bool {
        let expect = "expect".utf8
        return name.utf8.count == expect.count && zip(name.utf8, expect).allSatisfy { $0 | 0x20 == $1 }
    }

    /// `Name: value`, or `Name;` (curl's spelling for an empty value); `nil` for a value with a
    /// line break or NUL, which could smuggle another header.
    private static func fieldLine(name: String, value: String) -> String? {
        guard !value.utf8.contains(where: { $0 == 0 || $0 == 10 || $0 == 13 }) else { return nil }
        return value.isEmpty ? "\(name);" : "\(name): \(value)"
    }

    private static func invalidHeader(_ name: String, origin: String) -> HTTPError {
        let shown =
            HTTPToken.isToken(name) ? name : String(name.unicodeScalars.filter { $0.value > 32 && $0.value < 127 })
        return HTTPError(
            code: .transfer(Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue)),
            message: "header '\(shown)' has an invalid name or a line break in its value",
            context: ErrorContext(server: origin))
    }
}
