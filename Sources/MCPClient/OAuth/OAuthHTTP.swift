import Basics
import Foundation
import HTTP

/// The small HTTP exchanges of OAuth: metadata GETs and form POSTs to the token and revocation
/// endpoints. Never sends a bearer token; bounded by `timeout`; bodies capped at 1 MiB.
struct OAuthHTTP: Sendable {
    var serverName: String
    var client: HTTPClient
    var logger: Logger
    var timeout: Duration = .seconds(30)

    static let bodyLimit = 1 << 20

    /// A response: status, parsed JSON body (nil when the body is not JSON), `Retry-After`.
    struct Reply: Sendable {
        var status: Int
        var json: JSONValue?
        var retryAfter: String? = nil

        /// The authorization server says "not now" rather than "no" (contract §7, Tokens): a
        /// 5xx, a 429, or the OAuth error `temporarily_unavailable` (RFC 6749 §5.2, §4.1.2.1).
        var isTransient: Bool {
            status >= 500 || status == 429 || json?["error"]?.stringValue == "temporarily_unavailable"
        }
    }

    func get(_ url: String) async throws(ClientError) -> Reply {
        let request = HTTPRequest(
            method: "GET", url: url, headers: [HTTPHeader("Accept", "application/json")], timeout: timeout,
            connectTimeout: timeout)
        return try await exchange(request)
    }

    /// POSTs `form` (`application/x-www-form-urlencoded`); secret fields are revealed only here.
    func post(
        _ url: String, form: [(String, FormValue)], headers: [HTTPHeader] = []
    ) async throws(ClientError)
        -> Reply
    {
        let body = form.map { name, value in
            let text: String =
                switch value {
                case .plain(let text): text
                case .secret(let secret): secret.withRevealedValue { $0 }
                }
            return Self.formEncode(name) + "=" + Self.formEncode(text)
        }.joined(separator: "&")
        var request = HTTPRequest(
            method: "POST", url: url, headers: headers, body: Array(body.utf8), timeout: timeout,
            connectTimeout: timeout)
        request.headers.append(HTTPHeader("Content-Type", "application/x-www-form-urlencoded"))
        request.headers.append(HTTPHeader("Accept", "application/json"))
        return try await exchange(request)
    }

    /// POSTs as `post`, and again while the answer `isTransient`, waiting as `policy` says (the
    /// server's `Retry-After`, else backoff); at most `policy.maxRetries` retries, and never a
    /// `Retry-After` over `policy.maxRetryAfter`.
    /// - Returns: the last reply (still transient when the retries ran out) and how many retries were made.
    /// - Throws: as `post`; `.cancelled` when the task is cancelled while it waits.
    func postRetrying(
        _ url: String, form: [(String, FormValue)], headers: [HTTPHeader] = [],
        policy: HTTPRetryPolicy = HTTPRetryPolicy()
    ) async throws(ClientError) -> (reply: Reply, retries: Int) {
        var retries = 0
        while true {
            let reply = try await post(url, form: form, headers: headers)
            guard reply.isTransient, retries < policy.maxRetries,
                let delay = policy.delay(
                    retry: retries + 1, retryAfter: reply.retryAfter, jitter: Double.random(in: 0...1))
            else { return (reply, retries) }
            retries += 1
            logger.trace(
                "[\(serverName)] oauth: HTTP \(reply.status)\(Self.errorSummary(reply.json)) from '\(url)'; retry \(retries) of \(policy.maxRetries) in \(delay.humanReadable)"
            )
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw ClientError(
                    code: .cancelled, message: "the OAuth request to '\(url)' was cancelled",
                    context: ErrorContext(server: serverName), underlying: error)
            }
        }
    }

    /// The error for a token request still answered "not now" after `postRetrying`'s retries:
    /// `.unreachable` (exit 4), never a refusal, since nothing is wrong with the credentials.
    static func unavailable(
        _ reply: Reply, retries: Int, doing what: String, hint: String, server: String
    ) -> ClientError {
        ClientError(
            code: .unreachable,
            message: "the authorization server could not \(what): HTTP \(reply.status)\(errorSummary(reply.json))"
                + (retries > 0 ? " (after \(retries) retries)" : " (its Retry-After was too long to wait for)"),
            hint: hint, context: ErrorContext(server: server))
    }

    /// A form field's value.
    enum FormValue: Sendable {
        case plain(String)
        case secret(Secret)
    }

    func exchange(_ request: HTTPRequest) async throws(ClientError) -> Reply {
        logger.trace("[\(serverName)] oauth: \(request.method) \(request.url)")
        do {
            let response = try await client.send(request)
            let bytes = try await response.body.collect(limit: Self.bodyLimit)
            logger.trace("[\(serverName)] oauth: \(request.method) \(request.url) → HTTP \(response.status)")
            return Reply(
                status: response.status, json: try? JSONValue.parse(bytes),
                retryAfter: response.headers.value(for: "Retry-After"))
        } catch let error as HTTPError {
            throw ClientError(
                code: .unreachable, message: "could not reach '\(request.url)': \(error.message)",
                hint: "check the network and the server's OAuth metadata", context: ErrorContext(server: serverName),
                underlying: error)
        } catch {
            throw ClientError(
                code: .cancelled, message: "the OAuth request to '\(request.url)' was cancelled",
                context: ErrorContext(server: serverName), underlying: error)
        }
    }

    /// `application/x-www-form-urlencoded` encoding of one name or value (RFC 6749 Appendix B).
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._*")
        let encoded = text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return encoded.replacingOccurrences(of: "%20", with: "+")
    }

    /// `: invalid_client (description)` from an OAuth error body (RFC 6749 §5.2), one line, short;
    /// empty when the body names no error.
    static func errorSummary(_ json: JSONValue?) -> String {
        guard let code = json?["error"]?.stringValue else { return "" }
        let cleaned = { (text: String) in String(SecretMasker().maskedPrefix(text, 200).map { $0.isNewline ? " " : $0 })
        }
        if let description = json?["error_description"]?.stringValue {
            return ": \(cleaned(code)) (\(cleaned(description)))"
        }
        return ": \(cleaned(code))"
    }
}
