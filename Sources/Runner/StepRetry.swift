import Basics
import Expressions
import Foundation
import MCPClient
import WorkflowModel

/// A step's `retry:` applied to its call: how many attempts, which failures earn another, and
/// the wait before it (contract §3 `retry`; the server's `Retry-After` honoured).
///
/// A result with `isError: true` is tried again while attempts remain, then returned; a thrown
/// failure is tried again when `isRetryable` says so, else rethrown at once. Cancellation is
/// never retried.
struct StepRetry {
    /// Attempts and first backoff.
    var policy: RetryPolicy
    /// The step, for the log line before each next attempt.
    var stepID: String
    var logger: Logger
    /// Waits between attempts; `Task.sleep` outside tests.
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// The backoff's jitter factor; random in 0.8...1.2 outside tests.
    var jitter: @Sendable () -> Double = { Double.random(in: 0.8...1.2) }

    /// The longest server `Retry-After` a step's `retry` waits for between attempts.
    static let maxRetryAfter = Duration.seconds(300)

    /// Runs `attempt` (given its 1-based number) until it succeeds or the policy gives up.
    ///
    /// - Returns: the last result (one with `isError: true` when every attempt returned one).
    /// - Throws: the last attempt's error, or `CancellationError` while waiting.
    func run(_ attempt: (Int) async throws -> JSONValue) async throws -> JSONValue {
        var number = 0
        while true {
            number += 1
            var serverAskedToWait: Duration?
            do {
                let result = try await attempt(number)
                if result["isError"]?.boolValue != true || number >= policy.attempts { return result }
            } catch {
                if error is CancellationError || number >= policy.attempts || !Self.isRetryable(error) { throw error }
                serverAskedToWait = (error as? ClientError)?.retryAfter
            }
            // Capped at the largest backoff a workflow may give, so the doubling never overflows an Int.
            let backoff = min(
                Double(policy.backoff) * pow(2, Double(number - 1)) * jitter(), Double(Limits.backoff.upperBound))
            let wait = Self.delay(backoff: .milliseconds(Int(backoff)), retryAfter: serverAskedToWait)
            let why = serverAskedToWait.map { " (the server's Retry-After is \($0.humanReadable))" } ?? ""
            logger.info("step '\(stepID)': attempt \(number) failed; retrying in \(wait.milliseconds)ms\(why)")
            try await sleep(wait)
        }
    }

    /// The wait before a step's next attempt: its backoff, or the server's `Retry-After` (capped
    /// at `maxRetryAfter`) when that is longer.
    static func delay(backoff: Duration, retryAfter: Duration?) -> Duration {
        guard let retryAfter else { return backoff }
        return max(backoff, min(retryAfter, maxRetryAfter))
    }

    /// Failures worth another attempt under the step's `retry`.
    static func isRetryable(_ error: any Error) -> Bool {
        if let error = error as? ClientError {
            switch error.code {
            case .unauthorized, .unsupportedVersion: return false
            default: return true
            }
        }
        return !(error is RunError) && !(error is ExpressionError)
    }
}
