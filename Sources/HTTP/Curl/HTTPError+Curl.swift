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
        self.init(
            code: code, message: text.lowercasingFirst(), hint: Self.hint(for: code),
            context: ErrorContext(server: origin))
    }

    private static func code(for result: CURLcode) -> Code {
        switch result {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            .invalidURL
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
