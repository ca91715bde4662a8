import Basics
import CCurl

extension HTTPError {
    /// The error for a failed curl transfer.
    ///
    /// - Parameters:
    ///   - result: curl's result code (not `CURLE_OK`).
    ///   - detail: the text curl wrote to `CURLOPT_ERRORBUFFER`, empty when it wrote none.
    ///   - origin: the URL's origin, for the context.
    init(curlCode result: CURLcode, detail: String, origin: String) {
        let code = Self.code(for: result)
        var text = detail.trimmingTrailing { $0 == "\n" || $0 == "\r" || $0 == "." || $0 == " " }
        if text.isEmpty, let description = curl_easy_strerror(result) {
            text = String(cString: description)
        }
        text = text.lowercasingFirst()
        var hint = Self.hint(for: code)
        if code == .badResponse {
            (text, hint) = Self.badResponse(result, curlText: text, origin: origin)
        }
        self.init(code: code, message: text, hint: hint, context: ErrorContext(server: origin))
    }

    /// What a response curl could not use means, in the user's terms (curl's own words, such as
    /// "out of memory" for an oversized header, mislead), naming the origin; and what to do.
    private static func badResponse(_ result: CURLcode, curlText: String, origin: String) -> (String, String) {
        switch result {
        case CURLE_OUT_OF_MEMORY:
            // curl 7.x reports response headers over CURL_MAX_HTTP_HEADER (100 KiB) this way.
            return (
                "the server at \(origin) sent response headers larger than curl accepts (100 KiB) (curl: \(curlText))",
                "the server or a proxy in front of it sends oversized headers (a huge cookie or header field); fix its configuration"
            )
        case CURLE_BAD_CONTENT_ENCODING:
            return (
                "the server at \(origin) sent a body in a Content-Encoding curl cannot decode (curl: \(curlText))",
                "configure the server to send an uncompressed body, or gzip, deflate, br or zstd"
            )
        default:
            return (
                "the server at \(origin) did not answer with HTTP (curl: \(curlText))",
                "check that the URL's host and port are the server's MCP HTTP endpoint, not another service, and that the scheme (http or https) matches what the port speaks"
            )
        }
    }

    private static func code(for result: CURLcode) -> Code {
        switch result {
        case CURLE_URL_MALFORMAT:
            .invalidURL
        // The URL was checked to be http or https before the transfer (`Transfer.origin(of:)`),
        // so an unsupported protocol is the server's answer: "Received HTTP/0.9", "Unsupported
        // HTTP version in response". Out of memory is curl 7.x's report of oversized headers.
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_WEIRD_SERVER_REPLY, CURLE_OUT_OF_MEMORY, CURLE_BAD_CONTENT_ENCODING:
            .badResponse
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT:
            .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT:
            .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_USE_SSL_FAILED, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED,
            CURLE_SSL_CRL_BADFILE:
            .tls
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2_STREAM:
            .connectionClosed
        default:
            .transfer(Int(result.rawValue))
        }
    }

    private static func hint(for code: Code) -> String? {
        switch code {
        case .couldNotConnect: "check that the server is running and that the URL and any proxy settings are right"
        case .tls:
            "check the server's certificate; set SSL_CERT_FILE or CURL_CA_BUNDLE to a CA bundle that trusts it"
        case .invalidURL: "use an absolute http or https URL"
        default: nil
        }
    }
}

extension String {
    /// This text with its first character lower-cased, unless the first word is an acronym.
    func lowercasingFirst() -> String {
        guard let first = first, first.isUppercase else { return self }
        let second = dropFirst().first
        if let second, second.isUppercase { return self }  // "SSL ...", "URL ...": keep the acronym
        return first.lowercased() + dropFirst()
    }

    /// This text without the trailing characters that match `predicate`.
    func trimmingTrailing(while predicate: (Character) -> Bool) -> String {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return String(self[..<end])
    }
}
