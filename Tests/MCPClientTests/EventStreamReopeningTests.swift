import Testing

@testable import MCPClient

@Suite("reopening the GET stream")
struct EventStreamReopeningTests {
    static let configuration = ServerEventStream.Configuration(
        idleLimit: .seconds(45), maxFailures: 2, baseDelay: .milliseconds(500), maxDelay: .seconds(15),
        maxReopenings: 3)

    @Test("a 405 stops the stream as not offered, any other refusal stops it as offered")
    func refusals() {
        var notOffered = EventStreamReopening(configuration: Self.configuration)
        #expect(notOffered.ended(.notOffered, serverDelay: nil) == .stop(offered: false))
        var refused = EventStreamReopening(configuration: Self.configuration)
        #expect(refused.ended(.refused("HTTP 404"), serverDelay: nil) == .stop(offered: true))
        #expect(!refused.hasOpened)
    }

    @Test("a silent stream is reopened at once and resets the failures")
    func idle() {
        var reopening = EventStreamReopening(configuration: Self.configuration)
        #expect(reopening.ended(.failed("x"), serverDelay: nil) == .reopen(after: .milliseconds(500)))
        #expect(reopening.ended(.idle, serverDelay: nil) == .reopen(after: .zero))
        #expect(reopening.failures == 0)
        #expect(reopening.reopenings == 1)
        #expect(reopening.hasOpened)
    }

    @Test("an ended stream waits for the server's retry, clamped, else a doubling backoff")
    func delays() {
        var reopening = EventStreamReopening(configuration: Self.configuration)
        #expect(
            reopening.ended(.ended(reason: "ended", sawBytes: true), serverDelay: .milliseconds(1))
                == .reopen(after: .milliseconds(500)))
        var backoff = EventStreamReopening(configuration: Self.configuration)
        #expect(
            backoff.ended(.ended(reason: "ended", sawBytes: false), serverDelay: nil)
                == .reopen(after: .milliseconds(500)))
        #expect(
            backoff.ended(.ended(reason: "ended", sawBytes: false), serverDelay: .seconds(3600))
                == .reopen(after: .seconds(15)))
    }

    @Test("fruitless reopenings in a row give the stream up after maxFailures")
    func fruitless() {
        var reopening = EventStreamReopening(configuration: Self.configuration)
        #expect(reopening.ended(.failed("a"), serverDelay: nil) == .reopen(after: .milliseconds(500)))
        #expect(reopening.ended(.failed("b"), serverDelay: nil) == .reopen(after: .seconds(1)))
        #expect(reopening.ended(.failed("c"), serverDelay: nil) == .giveUp(.fruitless(2), delay: .seconds(2)))
    }

    @Test("a stream that brings bytes each time is still given up after maxReopenings")
    func exhausted() {
        var reopening = EventStreamReopening(configuration: Self.configuration)
        for _ in 1...3 {
            #expect(
                reopening.ended(.ended(reason: "dropped", sawBytes: true), serverDelay: nil)
                    == .reopen(after: .milliseconds(500)))
        }
        #expect(
            reopening.ended(.ended(reason: "dropped", sawBytes: true), serverDelay: nil)
                == .giveUp(.exhausted(3), delay: .milliseconds(500)))
    }

    @Test("idle reopenings do not count against maxReopenings")
    func idleDoesNotCount() {
        var reopening = EventStreamReopening(configuration: Self.configuration)
        for _ in 1...10 { #expect(reopening.ended(.idle, serverDelay: nil) == .reopen(after: .zero)) }
        #expect(reopening.reopenings == 0)
    }
}
