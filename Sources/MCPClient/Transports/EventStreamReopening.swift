/// Whether and when the standalone GET stream is reopened after one opening ended (MCP
/// 2025-11-25, Listening for Messages from the Server): a plain value `ServerEventStream` asks
/// after each opening, with no I/O and no clock, so the decisions are tested without sockets.
///
/// A 405 means the server offers no stream, any other refusal stops it; a silent stream (the
/// idle limit) is reopened at once and resets the failures; a stream that ended or failed is
/// reopened after the server's `retry` (clamped to `baseDelay…maxDelay`) or an exponential
/// backoff. A server-driven loop with caps (issue #8): after `maxFailures` fruitless reopenings in
/// a row (nothing received), or `maxReopenings` reopenings after an ending or failure over the
/// session (idle reopenings do not count), the stream is given up.
struct EventStreamReopening: Sendable, Equatable {
    /// What to do after one opening of the stream ended.
    enum Action: Sendable, Equatable {
        /// Stop for good: `offered` is false when the server offers no stream (405), so a new
        /// session need not ask again.
        case stop(offered: Bool)
        /// Open the stream again after `delay` (zero: at once).
        case reopen(after: Duration)
        /// Give the stream up; `delay` is the wait the reopening would have had, for the trace.
        case giveUp(GiveUp, delay: Duration)
    }

    /// Which cap gave the stream up.
    enum GiveUp: Sendable, Equatable {
        /// This many reopenings in a row brought nothing (`maxFailures`).
        case fruitless(Int)
        /// This many reopenings were made over the session (`maxReopenings`).
        case exhausted(Int)
    }

    /// The limits.
    let configuration: ServerEventStream.Configuration
    /// How many openings in a row ended or failed without bringing anything.
    private(set) var failures = 0
    /// How many times the stream was reopened after ending or failing.
    private(set) var reopenings = 0
    /// Whether an opening has ended before (a refusal is then of a reopening).
    private(set) var hasOpened = false

    /// A stream not opened yet.
    init(configuration: ServerEventStream.Configuration) { self.configuration = configuration }

    /// Decides after one opening ended with `ending`.
    /// - Parameter serverDelay: the server's last `retry` field, if any.
    mutating func ended(_ ending: ServerEventStream.Ending, serverDelay: Duration?) -> Action {
        var delay = Duration.zero
        switch ending {
        case .notOffered:
            return .stop(offered: false)
        case .refused:
            return .stop(offered: true)
        case .idle:
            failures = 0
        case .ended(_, let sawBytes):
            failures = sawBytes ? 1 : failures + 1
            reopenings += 1
            delay =
                serverDelay.map { min(max($0, configuration.baseDelay), configuration.maxDelay) }
                ?? configuration.backoff(failures: failures)
        case .failed:
            failures += 1
            reopenings += 1
            delay = configuration.backoff(failures: failures)
        }
        hasOpened = true
        if failures > configuration.maxFailures { return .giveUp(.fruitless(configuration.maxFailures), delay: delay) }
        if reopenings > configuration.maxReopenings {
            return .giveUp(.exhausted(configuration.maxReopenings), delay: delay)
        }
        return .reopen(after: delay)
    }
}
