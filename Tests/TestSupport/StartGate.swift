import Foundation

/// Bounds how many CPU-heavy starts run at once (Python fixture servers importing the MCP SDK,
/// `mcp-run` processes spawning stdio servers).
///
/// Swift Testing runs suites in parallel; on a 2-core machine twenty Python servers importing the
/// SDK at the same moment each take longer than any sensible start deadline. Waiting here costs
/// nothing, and each start that gets through has the CPU to finish quickly. Deadlines are counted
/// from the moment a start gets through the gate.
package actor StartGate {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// A gate letting `width` holders through at once.
    package init(width: Int) {
        available = max(1, width)
    }

    /// Runs `body` once a place is free, and frees it afterwards, also when `body` throws.
    package func run<R: Sendable>(_ body: @Sendable () async throws -> R) async rethrows -> R {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// The gate fixture servers start through: as wide as the machine has cores.
package let fixtureStartGate = StartGate(width: ProcessInfo.processInfo.activeProcessorCount)

/// The gate `runMCPRun` runs through: a little wider, since most runs wait on servers, not the CPU.
package let mcpRunGate = StartGate(width: ProcessInfo.processInfo.activeProcessorCount + 2)
