import Basics
import Foundation
import HTTP

/// One HTTP exchange with the retries of `HTTPRetryPolicy` (contract §8, Retries), shared by the
/// Streamable HTTP and legacy HTTP+SSE transports.
struct RetryingExchange: Sendable {
    let policy: HTTPRetryPolicy
    let client: HTTPClient
    let serverName: String
    let logger: Logger

    /// Sends `request`, retrying a connection that could not be made and a 429, 502, 503 or 504
    /// (after the server's `Retry-After`, else a backoff), at most `policy.maxRetries` times.
    /// Returns the last response, which still has a retried status when the retries ran out or
    /// the server asked for a longer wait than the policy allows (`givenUpError` describes it).
    /// `label` names the message in traces.
    /// - Throws: `HTTPError` from the last attempt; `CancellationError`.
    func send(_ request: HTTPRequest, label: String) async throws -> HTTPResponse {
        var retry = 0
        while true {
            do {
                let response = try await client.send(request)
                guard HTTPRetryPolicy.retriedStatuses.contains(response.status), retry < policy.maxRetries else {
                    return response
                }
                let retryAfter = response.headers.value(for: "Retry-After")
                guard
                    let delay = policy.delay(
                        retry: retry + 1, retryAfter: retryAfter, jitter: Double.random(in: 0...1))
                else {
                    logger.trace(
                        "[\(serverName)] \(request.method) for \(label): HTTP \(response.status), Retry-After '\(retryAfter ?? "")' is too long to wait for"
                    )
                    return response
                }
                // Read the short error body so the connection can be reused.
                _ = try? await response.body.collect(limit: 64 << 10)
                retry += 1
                let why = "HTTP \(response.status)" + (retryAfter.map { ", Retry-After '\($0)'" } ?? "")
                try await pause(delay, retry: retry, why: why, method: request.method, label: label)
            } catch let error as HTTPError where error.code == .couldNotConnect && retry < policy.maxRetries {
                retry += 1
                let delay = policy.backoff(retry: retry, jitter: Double.random(in: 0...1))
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

    /// The error for a final response whose status is a retried one (429, 502, 503, 504):
    /// `.unreachable` carrying the status and the server's `Retry-After` (for the step's `retry`),
    /// or nil for any other status. `snippet` is the start of its body.
    func givenUpError(_ response: HTTPResponse, label: String, snippet: String) -> ClientError? {
        guard HTTPRetryPolicy.retriedStatuses.contains(response.status) else { return nil }
        var message = "the server answered HTTP \(response.status) to '\(label)'"
        let retryAfter = response.headers.value(for: "Retry-After")
        if let retryAfter, policy.delay(retry: 1, retryAfter: retryAfter, jitter: 0) == nil {
            // `send` stops at the first such answer, whatever retries came before it.
            message +=
                " and asked to wait 'Retry-After: \(retryAfter)', longer than the "
                + "\(policy.maxRetryAfter.humanReadable) mcp-run waits"
        } else {
            // Otherwise `send` returns a retried status only once every retry was spent.
            message += " " + Self.attempts(retries: policy.maxRetries)
        }
        if !snippet.isEmpty { message += ": \(snippet)" }
        var error = ClientError(
            code: .unreachable, message: message, hint: "the server is overloaded or down; try again later",
            context: ErrorContext(server: serverName))
        error.httpStatus = response.status
        if let value = response.headers.value(for: "Retry-After") {
            error.retryAfter = HTTPRetryPolicy.parseRetryAfter(value)
        }
        return error
    }

    /// `after 1 attempt`, or `after 4 attempts (3 retries)`: what was really sent.
    static func attempts(retries: Int) -> String {
        switch retries {
        case ..<1: return "after 1 attempt"
        case 1: return "after 2 attempts (1 retry)"
        default: return "after \(retries + 1) attempts (\(retries) retries)"
        }
    }
}
