import Basics
import Testing

@Suite("Latch: a value set once, awaited by many", .timeLimit(.minutes(1)))
struct LatchTests {
    @Test("every waiter wakes with the value; a second set changes nothing")
    func everyWaiterWakes() async {
        let latch = Latch<Int>()
        let values = await withTaskGroup(of: Int?.self) { group in
            for _ in 0..<20 { group.addTask { await latch.wait() } }
            group.addTask {
                latch.set(7)
                latch.set(8)
                return 7
            }
            var values: [Int?] = []
            for await value in group { values.append(value) }
            return values
        }
        #expect(values.count == 21)
        #expect(values.allSatisfy { $0 == 7 })
        #expect(latch.value == 7)
        #expect(await latch.wait() == 7)
    }

    @Test("a cancelled waiter returns nil at once and leaves the latch usable")
    func cancelledWaiter() async throws {
        let latch = Latch<String>()
        let cancelled = Task { await latch.wait() }
        try await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        #expect(await cancelled.value == nil)
        // A waiter under a limit that runs out is cancelled too; the limit's error comes back.
        await #expect(throws: TimeoutError.self) {
            _ = try await withTimeout(.milliseconds(50)) { await latch.wait() }
        }
        latch.set("done")
        #expect(await latch.wait() == "done")
    }
}
