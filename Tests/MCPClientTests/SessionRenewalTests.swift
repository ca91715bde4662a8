import Basics
import Testing

@testable import MCPClient

@Suite("renewing an expired Streamable HTTP session")
struct SessionRenewalTests {
    static let call = JSONRPCMessage.request(id: .number(7), method: "tools/call", params: nil)

    @Test("a 404 to a request that carried a session id, sent once, renews that session")
    func renewsOn404() {
        #expect(
            SessionRenewal.expiredSession(status: 404, answering: Self.call, sentSessionID: "s1", mayRenew: true)
                == "s1")
    }

    @Test(
        "nothing else renews: another status, no session id, a re-sent request, initialize, answers, notifications",
        arguments: [
            (500, call, "s1", true), (400, call, "s1", true), (404, call, nil, true), (404, call, "s1", false),
            (404, .request(id: .number(1), method: "initialize", params: nil), "s1", true),
            (404, .response(id: .number(3), result: [:]), "s1", true),
            (404, .notification(method: "notifications/initialized", params: nil), "s1", true),
        ] as [(Int, JSONRPCMessage, String?, Bool)])
    func doesNotRenew(status: Int, message: JSONRPCMessage, sentSessionID: String?, mayRenew: Bool) {
        #expect(
            SessionRenewal.expiredSession(
                status: status, answering: message, sentSessionID: sentSessionID, mayRenew: mayRenew) == nil)
    }

    @Test(
        "a 400 renews only when its body says the session is unknown",
        arguments: [
            ("Bad Request: No valid session ID provided", true), ("Invalid or expired session", true),
            (#"{"error":"Session not found"}"#, true), ("unknown session id", true),
            ("Bad Request: invalid params", false), ("session ok but the argument is wrong", false), (nil, false),
        ] as [(String?, Bool)])
    func renewsOn400SayingSessionUnknown(body: String?, renews: Bool) {
        let expired = SessionRenewal.expiredSession(
            status: 400, body: body, answering: Self.call, sentSessionID: "s1", mayRenew: true)
        #expect(expired == (renews ? "s1" : nil))
        #expect(
            SessionRenewal.expiredSession(
                status: 400, body: body, answering: Self.call, sentSessionID: "s1", mayRenew: false) == nil)
    }

    @Test("the first request renews; one that comes while it renews joins; one after it sends again")
    func sharesOneRenewal() {
        var renewal = SessionRenewal()
        #expect(renewal.begin(expired: "s1", current: "s1") == .renew(id: .string("mcp-run-renew-1")))
        #expect(renewal.isRenewing)
        #expect(renewal.begin(expired: "s1", current: "s1") == .join)
        renewal.finish()
        #expect(!renewal.isRenewing)
        #expect(renewal.begin(expired: "s1", current: "s2") == .alreadyRenewed)
        #expect(renewal.begin(expired: "s2", current: "s2") == .renew(id: .string("mcp-run-renew-2")))
    }

    @Test("a joined renewal succeeded only when it left a new session")
    func joinedOutcome() {
        #expect(SessionRenewal.joinedRenewalSucceeded(expired: "s1", current: "s2"))
        #expect(!SessionRenewal.joinedRenewalSucceeded(expired: "s1", current: "s1"))
        #expect(!SessionRenewal.joinedRenewalSucceeded(expired: "s1", current: nil))
    }
}
