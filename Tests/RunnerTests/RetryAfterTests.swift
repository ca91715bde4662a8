import Testing

@testable import Runner

@Suite("A step's retry honours the server's Retry-After")
struct RetryAfterTests {
    @Test(
        "the wait is the longer of the backoff and Retry-After, which is capped",
        arguments: [
            (backoff: 100, retryAfter: nil, expected: 100),
            (backoff: 100, retryAfter: 1_000, expected: 1_000),
            (backoff: 2_000, retryAfter: 1_000, expected: 2_000),
            (backoff: 0, retryAfter: 0, expected: 0),
            (backoff: 10, retryAfter: 3_600_000, expected: 300_000),
        ] as [(backoff: Int, retryAfter: Int?, expected: Int)])
    func delay(backoff: Int, retryAfter: Int?, expected: Int) {
        let wait = StepRetry.delay(
            backoff: .milliseconds(backoff), retryAfter: retryAfter.map { .milliseconds($0) })
        #expect(wait == .milliseconds(expected))
    }
}
