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

    @Test("resumptions in a row that bring no new event end at maxResumptions")
    func fruitless() {
        var resumption = StreamResumption(policy: Self.policy)
        #expect(
            resumption.streamEnded(lastEventID: "e1", reconnectionTime: 0, timeLeft: nil)
                == .resume(after: "e1", delay: .zero))
        #expect(
            resumption.streamEnded(lastEventID: "e1", reconnectionTime: 0, timeLeft: nil)
                == .resume(after: "e1", delay: .zero))
        #expect(resumption.streamEnded(lastEventID: "e1", reconnectionTime: 0, timeLeft: nil) == .fruitless(2))
    }

    @Test("a new event each time still ends at maxTotalResumptions")
    func exhausted() {
        var resumption = StreamResumption(policy: Self.policy)
        for index in 1...4 {
            #expect(
                resumption.streamEnded(lastEventID: "e\(index)", reconnectionTime: 0, timeLeft: nil)
                    == .resume(after: "e\(index)", delay: .zero))
        }
        #expect(resumption.streamEnded(lastEventID: "e5", reconnectionTime: 0, timeLeft: nil) == .exhausted(4))
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
