/// Whether and when a request's event stream that ended before the response is resumed (MCP
/// 2025-11-25, Resumability and Redelivery; contract §8): a plain value the transport asks each
/// time the stream ends, with no I/O and no clock, so the decisions are tested without sockets.
///
/// A server-driven loop with caps (issue #8): a stream without an event id cannot be resumed; at
/// most `maxResumptions` resumptions in a row may bring no new event, and at most
/// `maxTotalResumptions` are made in all (a server that sends a new event each time but never
/// the response); each delay is the server's `retry` clamped by `HTTPRetryPolicy`, and never a
/// wait past the request's deadline.
struct StreamResumption: Sendable {
    /// What to do with a stream that ended before the response.
    enum Action: Sendable, Equatable {
        /// GET the stream again with `Last-Event-ID: lastEventID`, after `delay`.
        case resume(after: String, delay: Duration)
        /// No event carried an id: the stream cannot be resumed.
        case noEventID
        /// This many resumptions in a row brought no new event (`maxResumptions`).
        case fruitless(Int)
        /// This many resumptions were made already (`maxTotalResumptions`).
        case exhausted(Int)
        /// The wait before resuming would outlast the request's deadline: `left` is what was
        /// left of it (never negative).
        case pastDeadline(delay: Duration, left: Duration)
    }

    /// The caps and the delays.
    let policy: HTTPRetryPolicy
    /// How many resumptions in a row brought no new event.
    private(set) var fruitless = 0
    /// How many resumptions were decided so far.
    private(set) var resumptions = 0
    /// The last event id when the stream ended before.
    private var previousEventID: String?

    /// A stream read for the first time.
    init(policy: HTTPRetryPolicy) { self.policy = policy }

    /// Decides after the stream ended (or dropped) without the response.
    /// - Parameters:
    ///   - lastEventID: the last event id seen on the stream, over every reading of it.
    ///   - reconnectionTime: the server's last `retry` field (milliseconds), if any.
    ///   - timeLeft: what is left of the request's deadline; nil without one.
    mutating func streamEnded(lastEventID: String?, reconnectionTime: Int?, timeLeft: Duration?) -> Action {
        guard let lastEventID else { return .noEventID }
        fruitless = lastEventID == previousEventID ? fruitless + 1 : 1
        previousEventID = lastEventID
        guard fruitless <= policy.maxResumptions else { return .fruitless(policy.maxResumptions) }
        guard resumptions < policy.maxTotalResumptions else { return .exhausted(policy.maxTotalResumptions) }
        resumptions += 1
        let delay = policy.reconnectionDelay(serverMilliseconds: reconnectionTime)
        if let timeLeft, delay >= timeLeft { return .pastDeadline(delay: delay, left: max(timeLeft, .zero)) }
        return .resume(after: lastEventID, delay: delay)
    }
}
