/// One header field as it arrived: the name's spelling is kept, lookups ignore case.
package struct HTTPField: Sendable, Equatable {
    /// The field name.
    package var name: String
    /// The value, without leading and trailing spaces.
    package var value: String

    /// Creates a field.
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A complete request as `HTTPRequestParser` read it.
package struct ParsedRequest: Sendable, Equatable {
    /// The method, as sent (methods are case-sensitive).
    package var method: String
    /// The path part of the request target, still percent-encoded.
    package var path: String
    /// The query after `?`, still percent-encoded; nil without `?`.
    package var query: String?
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    package var minorVersion: Int
    /// The header fields in order.
    package var headers: [HTTPField]
    /// The body, de-chunked.
    package var body: [UInt8]

    /// Creates a request.
    package init(
        method: String, path: String, query: String?, minorVersion: Int, headers: [HTTPField], body: [UInt8]
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (case-insensitive).
    package func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// Whether the connection stays open after the answer (RFC 9112 §9.3): HTTP/1.1 unless
    /// `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    package var keepsAlive: Bool {
        let tokens = headers.filter { $0.name.lowercased() == "connection" }
            .flatMap { $0.value.lowercased().split(separator: ",") }
            .map { $0.trimmingCharacters(in: " \t") }
        if tokens.contains("close") { return false }
        return minorVersion >= 1 || tokens.contains("keep-alive")
    }

    /// Whether the client waits for `100 Continue` before sending the body (RFC 9110 §10.1.1).
    var expectsContinue: Bool {
        minorVersion >= 1 && header("expect")?.lowercased() == "100-continue"
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var text = self[...]
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}

/// The bounds on one request's bytes.
package struct RequestLimits: Sendable, Equatable {
    /// The request line, without its line end.
    package var maxRequestLineBytes = 8192
    /// The header lines together (also the trailers of a chunked body).
    package var maxHeaderBytes = 32_768
    /// How many header lines.
    package var maxHeaderCount = 100
    /// The body, after de-chunking.
    package var maxBodyBytes = 1_048_576
    /// One chunk-size line (size and extensions).
    package var maxChunkLineBytes = 256

    /// The defaults: 8 KiB request line, 32 KiB of headers in at most 100 lines, 1 MiB body.
    package init() {}
}

/// Why a request was refused, with the status that says so.
package enum RequestFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// 400: not HTTP/1.x as RFC 9112 frames it.
    case badRequest(String)
    /// 413: the body is over the limit (bytes).
    case bodyTooLarge(Int)
    /// 414: the request line is over the limit (bytes).
    case uriTooLong(Int)
    /// 431: the header lines are over the limit.
    case headersTooLarge
    /// 501: a transfer coding other than `chunked`.
    case notImplemented(String)
    /// 505: an HTTP version other than 1.0 and 1.1.
    case versionNotSupported

    /// The status code to answer.
    package var status: Int {
        switch self {
        case .badRequest: return 400
        case .bodyTooLarge: return 413
        case .uriTooLong: return 414
        case .headersTooLarge: return 431
        case .notImplemented: return 501
        case .versionNotSupported: return 505
        }
    }

    /// A message for the client and the log.
    package var description: String {
        switch self {
        case .badRequest(let what): return "bad request: \(what)"
        case .bodyTooLarge(let limit): return "the request body is over \(limit) bytes"
        case .uriTooLong(let limit): return "the request line is over \(limit) bytes"
        case .headersTooLarge: return "the request's header lines are too large"
        case .notImplemented(let what): return "not implemented: \(what)"
        case .versionNotSupported: return "only HTTP/1.0 and HTTP/1.1 are served"
        }
    }
}
