import Foundation
import Testing

@testable import MCPClient

@Suite("HTTP retry policy and event boundaries")
struct HTTPRetryPolicyTests {
    static let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test(
        "Retry-After is delay-seconds or an HTTP date",
        arguments: [
            ("0", Duration.zero), ("1", .seconds(1)), (" 120 ", .seconds(120)),
            ("Sun, 06 Nov 1994 08:49:40 GMT", .seconds(3)), ("Sun, 06 Nov 1994 08:49:00 GMT", .zero),
        ] as [(String, Duration)])
    func retryAfter(value: String, expected: Duration) {
        #expect(HTTPRetryPolicy.parseRetryAfter(value, now: Self.now) == expected)
    }

    @Test("an unparsable Retry-After is ignored", arguments: ["", "-1", "1.5", "soon", "Sunday, 06-Nov-94"])
    func badRetryAfter(value: String) {
        #expect(HTTPRetryPolicy.parseRetryAfter(value, now: Self.now) == nil)
        #expect(HTTPRetryPolicy().delay(retry: 1, retryAfter: value, now: Self.now, jitter: 1) == .milliseconds(250))
    }

    @Test("backoff doubles, is capped, and jitter stays in the upper half of each step")
    func backoff() {
        let policy = HTTPRetryPolicy(baseDelay: .milliseconds(200), maxDelay: .seconds(1))
        #expect(policy.backoff(retry: 1, jitter: 0) == .milliseconds(100))
        #expect(policy.backoff(retry: 1, jitter: 1) == .milliseconds(200))
        #expect(policy.backoff(retry: 2, jitter: 1) == .milliseconds(400))
        #expect(policy.backoff(retry: 3, jitter: 0.5) == .milliseconds(600))
        #expect(policy.backoff(retry: 10, jitter: 1) == .seconds(1))
        #expect(policy.backoff(retry: 100, jitter: 1) == .seconds(1))
    }

    @Test(
        "the server's retry delay for resuming a stream is clamped to 0 through maxReconnectionDelay",
        arguments: [
            (Int?.none, Duration.seconds(1)), (0, .zero), (-5, .zero), (1500, .milliseconds(1500)),
            (Int.max, .seconds(30)), (99_999_999_999_999, .seconds(30)),
        ])
    func reconnectionDelay(asked: Int?, expected: Duration) {
        #expect(HTTPRetryPolicy().reconnectionDelay(serverMilliseconds: asked) == expected)
    }

    @Test("a Retry-After beyond the cap is not waited for")
    func longRetryAfter() {
        let policy = HTTPRetryPolicy(maxRetryAfter: .seconds(30))
        #expect(policy.delay(retry: 1, retryAfter: "30", jitter: 0) == .seconds(30))
        #expect(policy.delay(retry: 1, retryAfter: "31", jitter: 0) == nil)
    }

    @Test(
        "a stream ends between events only after an empty line",
        arguments: [
            ("", true), ("data: x\n\n", true), ("data: x\r\n\r\n", true), ("data: x\r\r", true),
            ("data: x\n\r\n", true), ("data: x\n", false), ("data: x", false), ("data: {\"a\":", false),
            ("retry: 5\n", false),
        ] as [(String, Bool)])
    func eventBoundary(stream: String, complete: Bool) {
        let bytes = Array(stream.utf8)
        for split in 0...bytes.count {
            var boundary = StreamableHTTPTransport.EventBoundary()
            boundary.see(Array(bytes[..<split]))
            boundary.see(Array(bytes[split...]))
            #expect(boundary.endsBetweenEvents == complete, "split at \(split)")
        }
    }
}
