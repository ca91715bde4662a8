/// When a Streamable HTTP session is renewed after the server ended it (MCP 2025-11-25, Session
/// Management: a 404 to a request that carried the session id; also a 400 whose body says the
/// session is unknown, as servers built from a widespread SDK example answer), and how concurrent requests
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

    /// The session id that expired when `status` (with `body`, the start of the response's body
    /// as text, when read) answered `message`, sent with `sentSessionID`, calls for a renewal; nil
    /// when it does not (the status is reported as it is).
    /// - Parameter mayRenew: false for a request already re-sent in a renewed session.
    static func expiredSession(
        status: Int, body: String? = nil, answering message: JSONRPCMessage, sentSessionID: String?, mayRenew: Bool
    ) -> String? {
        guard status == 404 || (status == 400 && saysSessionUnknown(body)), mayRenew, message.id != nil,
            !message.isResponse, message.method != MCPMethod.initialize
        else { return nil }
        return sentSessionID
    }

    /// Whether a 400's body says the session is not known: it names a session, and says it is
    /// not found, unknown, invalid, expired, terminated or missing ("Bad Request: No valid session
    /// ID provided", "Invalid or expired session", "Session not found"). Any other 400 is a
    /// request the server refused, reported as it is.
    static func saysSessionUnknown(_ body: String?) -> Bool {
        guard let text = body?.lowercased(), text.contains("session") else { return false }
        return ["not found", "unknown", "invalid", "no valid", "expired", "terminated", "does not exist", "missing"]
            .contains { text.contains($0) }
    }

    /// Whether `status` might call for a renewal once the body is read (a 400 does, when
    /// `saysSessionUnknown`): the transport reads the body's start only then.
    static func mayNeedBody(status: Int, sentSessionID: String?, mayRenew: Bool) -> Bool {
        status == 400 && sentSessionID != nil && mayRenew
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
