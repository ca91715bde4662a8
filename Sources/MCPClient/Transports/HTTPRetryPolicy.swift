import Basics
import Foundation

/// When and how soon an HTTP transport retries an exchange the server did not process, and how
/// often it resumes a dropped event stream (contract §8, Retries).
///
/// Retried: a connection that could not be made, and the statuses 429, 502, 503 and 504, which
/// say the request was not processed. Never retried here: a request whose bytes reached the
/// server and whose answer was lost (the runner's step `retry` decides about those).
///
/// The delay before retry `n` (1-based) is the server's `Retry-After` when it sent one (seconds
/// or an HTTP date), else exponential backoff with equal jitter: half of `baseDelay·2ⁿ⁻¹` (capped
/// at `maxDelay`) plus a random part of the other half. A `Retry-After` longer than
/// `maxRetryAfter` is not waited for: the failure is reported at once.
package struct HTTPRetryPolicy: Sendable {
    /// The statuses that mean "not processed, try again later".
    package static let retriedStatuses: Set<Int> = [429, 502, 503, 504]

    /// How many times one exchange is retried (so at most `maxRetries + 1` attempts).
    package var maxRetries: Int
    /// The backoff before the first retry, before jitter.
    package var baseDelay: Duration
    /// The cap on one backoff.
    package var maxDelay: Duration
    /// The longest `Retry-After` honoured.
    package var maxRetryAfter: Duration
    /// The wait before resuming a dropped stream whose server sent no `retry` field.
    package var defaultReconnectionDelay: Duration
    /// How many resumptions in a row may bring no new event before the request fails.
    package var maxResumptions: Int
    /// How many times one request's stream is resumed at most, new events or not.
    package var maxTotalResumptions: Int
    /// The longest wait before resuming a stream, whatever the server's `retry` says.
    package var maxReconnectionDelay: Duration

    /// A policy; the defaults are mcp-run's.
    package init(
        maxRetries: Int = 3, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(30), defaultReconnectionDelay: Duration = .seconds(1),
        maxResumptions: Int = 5, maxTotalResumptions: Int = 20, maxReconnectionDelay: Duration = .seconds(30)
    ) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.defaultReconnectionDelay = defaultReconnectionDelay
        self.maxResumptions = maxResumptions
        self.maxTotalResumptions = maxTotalResumptions
        self.maxReconnectionDelay = maxReconnectionDelay
    }

    /// The wait before resuming a dropped stream: the server's `retry` (milliseconds) clamped to
    /// 0…`maxReconnectionDelay`, else `defaultReconnectionDelay`.
    package func reconnectionDelay(serverMilliseconds: Int?) -> Duration {
        guard let milliseconds = serverMilliseconds else { return defaultReconnectionDelay }
        let capped = min(max(milliseconds, 0), Int(maxReconnectionDelay.milliseconds))
        return .milliseconds(capped)
    }

    /// The exponential backoff before retry `retry` (1-based), with `jitter` in 0...1 choosing
    /// where in the upper half of the step the delay falls.
    package func backoff(retry: Int, jitter: Double) -> Duration {
        let exponent = min(max(retry - 1, 0), 20)
        let step = min(baseDelay * (1 << exponent), maxDelay)
        let unit = min(max(jitter, 0), 1)
        return step / 2 + step / 2 * unit
    }

    /// The delay before retry `retry` (1-based), or nil when the server asked for a longer wait
    /// than `maxRetryAfter`.
    /// - Parameters:
    ///   - retryAfter: the response's `Retry-After` value, if any (an unparsable one is ignored).
    ///   - now: the current time, for an HTTP-date `Retry-After`.
    package func delay(retry: Int, retryAfter: String?, now: Date = Date(), jitter: Double) -> Duration? {
        if let retryAfter, let asked = Self.parseRetryAfter(retryAfter, now: now) {
            return asked > maxRetryAfter ? nil : asked
        }
        return backoff(retry: retry, jitter: jitter)
    }

    /// Parses `Retry-After` against the current time.
    package static func parseRetryAfter(_ value: String) -> Duration? {
        parseRetryAfter(value, now: Date())
    }

    /// Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds, or an HTTP date (IMF-fixdate,
    /// e.g. `Sun, 06 Nov 1994 08:49:37 GMT`) turned into the time left from `now` (zero when past).
    package static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            guard let seconds = Int64(text) else { return nil }
            return .seconds(seconds)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let date = formatter.date(from: text) else { return nil }
        let left = date.timeIntervalSince(now)
        return left <= 0 ? .zero : .milliseconds(Int64((left * 1000).rounded(.up)))
    }
}
