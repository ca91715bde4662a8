import Basics

/// An incremental HTTP/1.1 request parser (RFC 9112): bytes in, complete requests out.
///
/// A pure value with no I/O, so it can be fuzzed and tested without sockets. Every part of a
/// request is bounded by `RequestLimits`; input over a bound, or input that is not HTTP/1.x,
/// throws a `RequestFailure` carrying the status to answer (400, 413, 414, 431, 501, 505), after
/// which the parser accepts nothing more (the connection must be closed: its framing is lost).
///
/// Bodies come with `Content-Length` or `Transfer-Encoding: chunked` (trailers are read and
/// dropped). A request carrying both, several differing lengths, or another transfer coding is
/// refused, so a proxy in front of the gateway and the gateway can never disagree on where a
/// request ends (RFC 9112 §6.3, request smuggling).
package struct HTTPRequestParser: Sendable {
    private enum State: Sendable {
        case head
        case fixedBody(ParsedRequest, remaining: Int)
        case chunkSize(ParsedRequest)
        case chunkData(ParsedRequest, remaining: Int)
        case chunkDataEnd(ParsedRequest)
        case trailers(ParsedRequest, bytes: Int)
        case failed(RequestFailure)
    }

    private let limits: RequestLimits
    private var buffer: [UInt8] = []
    private var state = State.head
    /// How far the buffer has been searched for the head's end: a head arriving a byte at a time
    /// is searched once, not once per byte.
    private var headScanned = 0
    /// Set when a request's head asked `Expect: 100-continue` and its body has not arrived yet;
    /// the connection answers `100 Continue` and clears it with `continueSent()`.
    package private(set) var isWaitingForContinue = false

    /// A parser enforcing `limits`.
    package init(limits: RequestLimits = RequestLimits()) {
        self.limits = limits
    }

    /// Whether part of a request has arrived and the rest is awaited (for the read timeout: a
    /// connection with nothing pending is idle, not slow).
    package var hasPartialRequest: Bool {
        switch state {
        case .head: return !buffer.isEmpty
        case .failed: return false
        default: return true
        }
    }

    /// Records that `100 Continue` was sent.
    package mutating func continueSent() { isWaitingForContinue = false }

    /// Adds `bytes` and returns every request they complete, in order.
    ///
    /// - Throws: `RequestFailure` for input that breaks the protocol or a limit; the parser then
    ///   throws the same failure for anything fed later.
    package mutating func feed(_ bytes: some Sequence<UInt8>) throws(RequestFailure) -> [ParsedRequest] {
        if case .failed(let failure) = state { throw failure }
        buffer.append(contentsOf: bytes)
        var requests: [ParsedRequest] = []
        do {
            while let request = try step() { requests.append(request) }
        } catch {
            state = .failed(error)
            buffer = []
            throw error
        }
        return requests
    }

    /// Advances the state machine as far as the buffer allows; a finished request, or nil when
    /// more bytes are needed.
    private mutating func step() throws(RequestFailure) -> ParsedRequest? {
        while true {
            switch state {
            case .failed(let failure):
                throw failure
            case .head:
                guard let request = try parseHead() else { return nil }
                let framing = try bodyFraming(of: request)
                switch framing {
                case .none:
                    return request
                case .length(let length):
                    state = .fixedBody(request, remaining: length)
                case .chunked:
                    state = .chunkSize(request)
                }
                isWaitingForContinue = request.expectsContinue
            case .fixedBody(var request, let remaining):
                let count = min(remaining, buffer.count)
                request.body.append(contentsOf: buffer[0..<count])
                buffer.removeFirst(count)
                if count < remaining {
                    state = .fixedBody(request, remaining: remaining - count)
                    return nil
                }
                return finish(request)
            case .chunkSize(let request):
                guard
                    let line = try takeLine(
                        limit: limits.maxChunkLineBytes, failure: .badRequest("chunk size line too long"))
                else { return nil }
                let sizeText = line.prefix { $0 != UInt8(ascii: ";") }.filter { $0 != 0x20 && $0 != 0x09 }
                guard !sizeText.isEmpty, sizeText.count <= 8,
                    let size = Int(String(decoding: sizeText, as: UTF8.self), radix: 16),
                    size >= 0
                else { throw .badRequest("invalid chunk size") }
                if size == 0 {
                    state = .trailers(request, bytes: 0)
                } else {
                    guard request.body.count + size <= limits.maxBodyBytes else {
                        throw .bodyTooLarge(limits.maxBodyBytes)
                    }
                    state = .chunkData(request, remaining: size)
                }
            case .chunkData(var request, let remaining):
                let count = min(remaining, buffer.count)
                request.body.append(contentsOf: buffer[0..<count])
                buffer.removeFirst(count)
                if count < remaining {
                    state = .chunkData(request, remaining: remaining - count)
                    return nil
                }
                state = .chunkDataEnd(request)
            case .chunkDataEnd(let request):
                guard let line = try takeLine(limit: 2, failure: .badRequest("chunk data not followed by CRLF")) else {
                    return nil
                }
                guard line.isEmpty else { throw .badRequest("chunk data not followed by CRLF") }
                state = .chunkSize(request)
            case .trailers(let request, let bytes):
                let remaining = limits.maxHeaderBytes - bytes
                guard let line = try takeLine(limit: max(remaining, 0), failure: .headersTooLarge) else { return nil }
                if line.isEmpty { return finish(request) }
                state = .trailers(request, bytes: bytes + line.count + 2)
            }
        }
    }

    private mutating func finish(_ request: ParsedRequest) -> ParsedRequest {
        state = .head
        isWaitingForContinue = false
        return request
    }

    /// One line without its LF (and CR), removed from the buffer; nil when no LF has arrived.
    /// Throws `failure` when `limit` bytes have arrived without one.
    private mutating func takeLine(limit: Int, failure: RequestFailure) throws(RequestFailure) -> ArraySlice<UInt8>? {
        guard let newline = buffer.firstIndex(of: 0x0A) else {
            if buffer.count > limit { throw failure }
            return nil
        }
        guard newline <= limit + 1 else { throw failure }
        var end = newline
        if end > 0, buffer[end - 1] == 0x0D { end -= 1 }
        let line = buffer[0..<end]
        buffer.removeFirst(newline + 1)
        return ArraySlice(Array(line))
    }

    /// The request line and headers, once the blank line that ends them has arrived.
    private mutating func parseHead() throws(RequestFailure) -> ParsedRequest? {
        // RFC 9112 §2.2: empty lines before the request line are ignored.
        while buffer.first == 0x0A || (buffer.count >= 2 && buffer[0] == 0x0D && buffer[1] == 0x0A) {
            buffer.removeFirst(buffer[0] == 0x0A ? 1 : 2)
            headScanned = 0
        }
        let firstLF = buffer.firstIndex(of: 0x0A)
        if firstLF == nil, buffer.count > limits.maxRequestLineBytes { throw .uriTooLong(limits.maxRequestLineBytes) }
        if let firstLF, firstLF > limits.maxRequestLineBytes { throw .uriTooLong(limits.maxRequestLineBytes) }
        guard let end = headEnd() else {
            if buffer.count > limits.maxRequestLineBytes + limits.maxHeaderBytes {
                throw .headersTooLarge
            }
            return nil
        }
        let head = Array(buffer[0..<end.start])
        buffer.removeFirst(end.after)
        headScanned = 0
        var lines = head.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            line.last == 0x0D ? line.dropLast() : line
        }
        guard !lines.isEmpty else { throw .badRequest("empty request") }
        let requestLine = lines.removeFirst()
        guard head.count - requestLine.count <= limits.maxHeaderBytes + 2 else { throw .headersTooLarge }
        guard lines.count <= limits.maxHeaderCount else { throw .headersTooLarge }
        var request = try Self.parseRequestLine(requestLine)
        for line in lines {
            guard let first = line.first else { continue }
            if first == 0x20 || first == 0x09 { throw .badRequest("obsolete header line folding") }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw .badRequest("header line without ':'")
            }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(HTTPToken.isTokenByte) else {
                throw .badRequest("invalid header name")
            }
            let value = line[(colon + 1)...].drop { $0 == 0x20 || $0 == 0x09 }
            var trimmed = value
            while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed = trimmed.dropLast() }
            guard trimmed.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw .badRequest("control character in header '\(String(decoding: name, as: UTF8.self))'")
            }
            request.headers.append(
                HTTPField(name: String(decoding: name, as: UTF8.self), value: String(decoding: trimmed, as: UTF8.self)))
        }
        return request
    }

    /// Where the head ends: the index of its terminating blank line, and the index after it.
    /// Resumes where the last search stopped (less the 2 bytes a line end may straddle).
    private mutating func headEnd() -> (start: Int, after: Int)? {
        var index = max(0, headScanned - 2)
        defer { headScanned = buffer.count }
        while index < buffer.count, let newline = buffer[index...].firstIndex(of: 0x0A) {
            let next = newline + 1
            if next < buffer.count, buffer[next] == 0x0A { return (newline, next + 1) }
            if next + 1 < buffer.count, buffer[next] == 0x0D, buffer[next + 1] == 0x0A { return (newline, next + 2) }
            index = next
        }
        return nil
    }

    private static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(RequestFailure) -> ParsedRequest {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .badRequest("malformed request line")
        }
        guard parts[0].allSatisfy(HTTPToken.isTokenByte) else { throw .badRequest("invalid method") }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .badRequest("invalid request target") }
        let version = String(decoding: parts[2], as: UTF8.self)
        let minor: Int
        switch version {
        case "HTTP/1.1": minor = 1
        case "HTTP/1.0": minor = 0
        default:
            guard version.hasPrefix("HTTP/"), version.count == 8 else { throw .badRequest("malformed request line") }
            throw .versionNotSupported
        }
        let target = String(decoding: parts[1], as: UTF8.self)
        guard target.hasPrefix("/") else { throw .badRequest("request target must be a path") }
        let path: String
        let query: String?
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = target
            query = nil
        }
        return ParsedRequest(
            method: String(decoding: parts[0], as: UTF8.self), path: path, query: query, minorVersion: minor,
            headers: [], body: [])
    }

    private enum Framing { case none, length(Int), chunked }

    private func bodyFraming(of request: ParsedRequest) throws(RequestFailure) -> Framing {
        let encodings = request.headers.filter { $0.name.lowercased() == "transfer-encoding" }
        let lengths = request.headers.filter { $0.name.lowercased() == "content-length" }
        if !encodings.isEmpty {
            guard lengths.isEmpty else { throw .badRequest("both Transfer-Encoding and Content-Length") }
            let codings = encodings.flatMap { $0.value.split(separator: ",") }.map {
                $0.trimmingASCIISpaces.lowercased()
            }
            guard codings == ["chunked"] else {
                throw .notImplemented("transfer coding '\(codings.joined(separator: ", "))'")
            }
            guard request.minorVersion == 1 else { throw .badRequest("chunked body in an HTTP/1.0 request") }
            return .chunked
        }
        guard !lengths.isEmpty else { return .none }
        var length: Int?
        for field in lengths {
            for item in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                let text = item.trimmingASCIISpaces
                guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                    let value = Int(text)
                else { throw .badRequest("invalid Content-Length") }
                if let length, length != value { throw .badRequest("conflicting Content-Length values") }
                length = value
            }
        }
        guard let length else { throw .badRequest("invalid Content-Length") }
        guard length <= limits.maxBodyBytes else { throw .bodyTooLarge(limits.maxBodyBytes) }
        return length == 0 ? .none : .length(length)
    }

}

extension Substring {
    fileprivate var trimmingASCIISpaces: String {
        var text = self[...]
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
