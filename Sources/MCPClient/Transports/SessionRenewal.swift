/// When a Streamable HTTP session is renewed after the server ended it (MCP 2025-11-25, Session
/// Management: a 404 to a request that carried the session id), and how concurrent requests
/// share one renewal: a plain value the transport keeps, with no I/O, so the decisions are tested
/// without sockets.
///
/// A request is re-sent in a new session at most once (`mayRenew`), `initialize` itself is never
/// renewed, and an answer or a notification is never re-sent. Requests that saw the same expired
/// session share one renewal: the first renews, the others wait for it and then send again.
struct SessionRenewal: Sendable, Equatable {
    /// What a request that saw its session expire does.
    enum Start: Sendable, Equatable {
        /// Another request already renewed the session: send again at once.
        case alreadyRenewed
        /// Another request is renewing it: wait for that renewal, then send again.
        case join
        /// Renew it, sending `initialize` under `id`.
        case renew(id: RequestID)
    }

    /// Whether a renewal is under way.
    private(set) var isRenewing = false
    /// How many renewals were started (each `initialize` gets its own id).
    private(set) var count = 0

    /// No renewal yet.
    init() {}

    /// The session id that expired when `status` answered `message`, sent with `sentSessionID`,
    /// calls for a renewal; nil when it does not (the status is reported as it is).
    /// - Parameter mayRenew: false for a request already re-sent in a renewed session.
    static func expiredSession(
        status: Int, answering message: JSONRPCMessage, sentSessionID: String?, mayRenew: Bool
    ) -> String? {
        guard status == 404, mayRenew, message.id != nil, !message.isResponse,
            message.method != MCPMethod.initialize
        else { return nil }
        return sentSessionID
    }

    /// Starts handling the expiry of `expired`, the session now being `current`.
    mutating func begin(expired: String, current: String?) -> Start {
        guard current == expired else { return .alreadyRenewed }
        guard !isRenewing else { return .join }
        isRenewing = true
        count += 1
        return .renew(id: .string("mcp-run-renew-\(count)"))
    }

    /// The renewal started by `begin` is over, whether it succeeded or not.
    mutating func finish() { isRenewing = false }

    /// Whether the renewal a request waited for (`join`) left a new session to send in.
    static func joinedRenewalSucceeded(expired: String, current: String?) -> Bool {
        current != nil && current != expired
    }
}
