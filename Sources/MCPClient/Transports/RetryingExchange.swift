import Basics
import Foundation
import HTTP

/// One HTTP exchange with the retries of `HTTPRetryPolicy` (contract §8, Retries): the first part
/// of `HTTPExchange`, which both HTTP transports send through.
///
/// A server-driven loop with caps (issue #8): at most `policy.maxRetries` retries, each wait at
/// most `policy.maxRetryAfter` (a longer `Retry-After` is not waited for), and never a wait that
/// would outlast the current request's deadline (`RequestDeadline.current`): the exchange gives
/// up at once instead, with an error saying which limit ended it.
struct RetryingExchange: Sendable {
    let policy: HTTPRetryPolicy
    let client: any HTTPSending
    let serverName: String
    let logger: Logger

    /// Sends `request`, retrying a connection that could not be made and a 429, 502, 503 or 504
    /// (after the server's `Retry-After`, else a backoff), within the caps above, and following a
    /// same-origin 307 or 308 (at most `maxRedirects` times). Returns the first response whose
    /// status is neither. `label` names the message in traces and errors.
    /// - Throws: `ClientError` `.unreachable` (with `httpStatus` and `retryAfter`) when a retried
    ///   status stands: the retries ran out, or the wait asked for is too long;
    ///   `.protocolViolation` for more than `maxRedirects` redirects; `HTTPError` from
    ///   the last attempt; `CancellationError`.
    func send(_ request: HTTPRequest, label: String) async throws -> HTTPResponse {
        var request = request
        var hops = 0
        while true {
            let response = try await sendRetrying(request, label: label)
            guard response.status == 307 || response.status == 308,
                let target = Self.sameOriginTarget(of: response, from: request.url)
            else { return response }
            guard hops < Self.maxRedirects else {
                throw ClientError(
                    code: .protocolViolation,
                    message:
                        "the server redirected '\(label)' more than \(Self.maxRedirects) times; the last Location was '\(Self.shown(target))'",
                    hint: "set the server's `url` to its final address, or fix the server's redirect loop",
                    context: ErrorContext(server: serverName))
            }
            hops += 1
            _ = try? await response.body.collect(limit: 64 << 10)
            logger.trace(
                "[\(serverName)] \(request.method) for \(label): HTTP \(response.status) to '\(Self.shown(target))'; following it (same origin)"
            )
            request.url = target
        }
    }

    /// The most same-origin 307/308 redirects one exchange follows (contract §8, Redirects).
    static let maxRedirects = 5

    /// Where a 307 or 308 points, resolved against `url`, when it is on the same origin (scheme,
    /// host and port): the only redirects followed, with method, body and credentials (contract
    /// §8). Nil for any other redirect, which is returned to the caller to report.
    static func sameOriginTarget(of response: HTTPResponse, from url: String) -> String? {
        guard let location = response.headers.value(for: MCPHeader.location), let base = URL(string: url),
            let target = URL(string: location, relativeTo: base)?.absoluteURL,
            let scheme = target.scheme?.lowercased(), scheme == "http" || scheme == "https",
            target.user == nil, target.password == nil,
            target.origin == base.origin
        else { return nil }
        return target.absoluteString
    }

    /// For a 3xx that was not followed: " to '<Location>'" for the message and a hint, naming the
    /// `Location` (resolved, shown without user info, query or control characters); nil for any
    /// other status.
    static func redirectNote(_ response: HTTPResponse, from url: String) -> (note: String, hint: String)? {
        guard (300..<400).contains(response.status) else { return nil }
        guard let location = response.headers.value(for: MCPHeader.location), !location.isEmpty else {
            return (
                " (a redirect without a Location)",
                "check the server's `url`; the server answered a redirect that names no new address"
            )
        }
        let base = URL(string: url)
        let target = base.flatMap { URL(string: location, relativeTo: $0)?.absoluteURL }
        let display = target.map { Self.shown($0.absoluteString) } ?? Self.shown(location)
        var sameOrigin = false
        if let target, let base {
            sameOrigin = target.origin == base.origin
        }
        let why =
            sameOrigin
            ? "mcp-run follows only 307 and 308 redirects (which keep the method and body)"
            : "mcp-run follows no redirect to another origin, so credentials never go elsewhere"
        return (" redirecting to '\(display)'", "\(why); if the new address is right, set the server's `url` to it")
    }

    /// A URL as shown in a message: no user info, no query or fragment (they may carry tokens),
    /// control characters escaped, at most 300 characters.
    static func shown(_ url: String) -> String {
        var text = url
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = String(text[..<cut]) + "?…" }
        if let separator = text.range(of: "://"),
            let at = text[separator.upperBound...].prefix(while: { $0 != "/" }).lastIndex(of: "@")
        {
            text = String(text[..<separator.upperBound]) + String(text[text.index(after: at)...])
        }
        return TerminalText.inline(text, limit: 300)
    }

    /// One exchange with its retries, as `send` says, without following redirects.
    private func sendRetrying(_ request: HTTPRequest, label: String) async throws -> HTTPResponse {
        var retry = 0
        while true {
            do {
                let response = try await client.send(request)
                guard HTTPRetryPolicy.retriedStatuses.contains(response.status) else { return response }
                let retryAfter = response.headers.value(for: MCPHeader.retryAfter)
                guard retry < policy.maxRetries else {
                    throw await givenUpError(response, label: label, retries: retry, why: nil)
                }
                guard
                    let delay = policy.delay(
                        retry: retry + 1, retryAfter: retryAfter, jitter: Double.random(in: 0...1))
                else {
                    let asked = retryAfter.flatMap { HTTPRetryPolicy.parseRetryAfter($0) } ?? .zero
                    let why =
                        "it asked to be retried after \(asked.humanReadable) (Retry-After '\(Self.printable(retryAfter ?? ""))'), longer than mcp-run waits within a request (\(policy.maxRetryAfter.humanReadable))"
                    throw await givenUpError(response, label: label, retries: retry, why: why)
                }
                if let left = await RequestDeadline.current?.timeLeft(), delay >= left {
                    let why =
                        "the next retry (in \(delay.humanReadable)) would come after the request's timeout (\(max(left, .zero).humanReadable) left)"
                    throw await givenUpError(response, label: label, retries: retry, why: why)
                }
                // Read the short error body so the connection can be reused.
                _ = try? await response.body.collect(limit: 64 << 10)
                retry += 1
                let why = "HTTP \(response.status)" + (retryAfter.map { ", Retry-After '\(Self.printable($0))'" } ?? "")
                try await pause(delay, retry: retry, why: why, method: request.method, label: label)
            } catch let error as HTTPError where error.code == .couldNotConnect && retry < policy.maxRetries {
                let delay = policy.backoff(retry: retry + 1, jitter: Double.random(in: 0...1))
                if let left = await RequestDeadline.current?.timeLeft(), delay >= left { throw error }
                retry += 1
                try await pause(delay, retry: retry, why: error.message, method: request.method, label: label)
            }
        }
    }

    private func pause(_ delay: Duration, retry: Int, why: String, method: String, label: String) async throws {
        logger.trace(
            "[\(serverName)] \(method) for \(label): \(why); retry \(retry) of \(policy.maxRetries) in \(delay.humanReadable)"
        )
        try await Task.sleep(for: delay)
    }

    /// The error for a retried status (429, 502, 503, 504) that stands: `.unreachable` carrying
    /// the status and the server's `Retry-After` (for the step's `retry`), saying how many
    /// retries were made and, when the exchange stopped early, `why`.
    private func givenUpError(_ response: HTTPResponse, label: String, retries: Int, why: String?) async -> ClientError
    {
        let snippet = await response.snippet()
        var message = "the server answered HTTP \(response.status) to '\(label)'"
        switch (retries, why) {
        case (0, nil): break
        case (let count, nil): message += " after \(count) \(count == 1 ? "retry" : "retries")"
        case (0, let why?): message += "; no retry was made: \(why)"
        case (let count, let why?): message += "; gave up after \(count) \(count == 1 ? "retry" : "retries"): \(why)"
        }
        if !snippet.isEmpty { message += "; it said: \(snippet)" }
        var error = ClientError(
            code: .unreachable, message: message,
            hint: "the server is overloaded or down; try again later (a step's `retry` waits for its Retry-After)",
            context: ErrorContext(server: serverName))
        error.httpStatus = response.status
        if let value = response.headers.value(for: MCPHeader.retryAfter) {
            error.retryAfter = HTTPRetryPolicy.parseRetryAfter(value)
        }
        return error
    }

    /// A header value as shown in a message: control characters escaped, at most 100 characters.
    static func printable(_ value: String) -> String {
        TerminalText.inline(value, limit: 100)
    }
}
