import Basics
import MCPClient
import Testing
import WorkflowModel

@testable import Runner

@Suite("step retry", .timeLimit(.minutes(1)))
struct StepRetryTests {
    /// A retry whose waits are recorded instead of slept, with no jitter.
    static func retry(attempts: Int, backoff: Int, waits: Locked<[Duration]>) -> StepRetry {
        StepRetry(
            policy: RetryPolicy(attempts: attempts, backoff: backoff), stepID: "a", logger: .silent,
            sleep: { wait in waits.withLock { $0.append(wait) } }, jitter: { 1 })
    }

    @Test("a result with isError is tried again while attempts remain, then returned")
    func toolErrorRetried() async throws {
        let waits = Locked<[Duration]>([])
        let tried = Locked(0)
        let result = try await Self.retry(attempts: 3, backoff: 100, waits: waits).run { attempt in
            tried.withLock { $0 = attempt }
            return ["isError": true]
        }
        #expect(result == ["isError": true])
        #expect(tried.value == 3)
        #expect(waits.value == [.milliseconds(100), .milliseconds(200)])
    }

    @Test("a retryable failure is tried again and the server's Retry-After is honoured")
    func retryAfterHonoured() async throws {
        let waits = Locked<[Duration]>([])
        let result = try await Self.retry(attempts: 2, backoff: 10, waits: waits).run { attempt in
            guard attempt > 1 else {
                var error = ClientError(code: .unreachable, message: "busy")
                error.retryAfter = .seconds(2)
                throw error
            }
            return ["isError": false]
        }
        #expect(result == ["isError": false])
        #expect(waits.value == [.seconds(2)])
    }

    @Test("a failure that is not retryable, or cancellation, is thrown at once")
    func notRetried() async throws {
        let waits = Locked<[Duration]>([])
        let retry = Self.retry(attempts: 5, backoff: 10, waits: waits)
        await #expect(throws: RunError.self) {
            try await retry.run { _ in throw RunError(code: .invalidArguments, message: "bad") }
        }
        await #expect(throws: CancellationError.self) { try await retry.run { _ in throw CancellationError() } }
        #expect(waits.value.isEmpty)
    }
}
