import Testing

@testable import MCPClient

@Suite("resuming a request's event stream")
struct StreamResumptionTests {
    static let policy = HTTPRetryPolicy(
        defaultReconnectionDelay: .seconds(1), maxResumptions: 2, maxTotalResumptions: 4,
        maxReconnectionDelay: .seconds(30))

    @Test("a stream without an event id cannot be resumed")
    func noEventID() {
        var resumption = StreamResumption(policy: Self.policy)
        #expect(resumption.streamEnded(lastEventID: nil, reconnectionTime: 500, timeLeft: nil) == .noEventID)
        #expect(resumption.resumptions == 0)
    }

    @Test("a stream with an event id is resumed after it, after the server's retry delay or the default")
    func resumesAfterLastEvent() {
        var resumption = StreamResumption(policy: Self.policy)
        #expect(
            resumption.streamEnded(lastEventID: "e1", reconnectionTime: 250, timeLeft: nil)
                == .resume(after: "e1", delay: .milliseconds(250)))
        #expect(
            resumption.streamEnded(lastEventID: "e2", reconnectionTime: nil, timeLeft: .seconds(10))
                == .resume(after: "e2", delay: .seconds(1)))
        #expect(resumption.resumptions == 2)
    }

    @Test("a server's retry delay beyond the cap is clamped")
    func clampsDelay() {
        var resumption = StreamResumption(policy: Self.policy)
        #expect(
            resumption.streamEnded(lastEventID: "e1", reconnectionTime: Int.max, timeLeft: nil)
                == .resume(after: "e1", delay: .seconds(30)))
    }

    @Test(
        "resumptions end at their caps: maxResumptions in a row without a new event, maxTotalResumptions in all",
        arguments: [
            (["e1", "e1", "e1"], StreamResumption.Action.fruitless(2)),
            (["e1", "e2", "e2", "e2"], .fruitless(2)),
            (["e1", "e2", "e3", "e4", "e5"], .exhausted(4)),
        ])
    func caps(eventIDs: [String], last: StreamResumption.Action) {
        var resumption = StreamResumption(policy: Self.policy)
        let actions = eventIDs.map { resumption.streamEnded(lastEventID: $0, reconnectionTime: 0, timeLeft: nil) }
        #expect(Array(actions.dropLast()) == eventIDs.dropLast().map { .resume(after: $0, delay: .zero) })
        #expect(actions.last == last)
    }

    @Test("a wait that would outlast the request's deadline is not made")
    func pastDeadline() {
        var resumption = StreamResumption(policy: Self.policy)
        #expect(
            resumption.streamEnded(lastEventID: "e1", reconnectionTime: 5000, timeLeft: .seconds(5))
                == .pastDeadline(delay: .seconds(5), left: .seconds(5)))
        var late = StreamResumption(policy: Self.policy)
        #expect(
            late.streamEnded(lastEventID: "e1", reconnectionTime: 10, timeLeft: .seconds(-1))
                == .pastDeadline(delay: .milliseconds(10), left: .zero))
    }
}
