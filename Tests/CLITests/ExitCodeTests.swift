import Basics
import Results
import Testing

@testable import CLI

@Suite("Exit codes")
struct ExitCodeTests {
    struct Unknown: Error {}

    @Test("the exit codes are the contract's numbers")
    func numbers() {
        #expect(ExitCode.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 130])
    }

    @Test("errors map to exit codes: usage 2, results 2, cancellation 130, unknown 2")
    func mapping() {
        #expect(exitCode(for: UsageError(code: .missingCommand, message: "m")) == .usage)
        #expect(exitCode(for: ResultsError(code: .replace, message: "m", hint: nil, path: "p")) == .usage)
        #expect(exitCode(for: CancellationError()) == .interrupted)
        #expect(exitCode(for: Unknown()) == .usage)
    }

    @Test("a finished run's status maps to 0, 1 or 130")
    func runStatus() {
        #expect(ExitCode(runStatus: .succeeded) == .succeeded)
        #expect(ExitCode(runStatus: .failed) == .stepFailed)
        #expect(ExitCode(runStatus: .cancelled) == .interrupted)
    }
}
