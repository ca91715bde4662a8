import Basics
import Foundation
import MCPClient
import Results
import Runner
import Testing
import WorkflowModel

@testable import CLI

@Suite("Exit codes")
struct ExitCodeTests {
    struct Unknown: Error {}

    @Test("the exit codes are the contract's numbers")
    func numbers() {
        #expect(ExitCode.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 130])
    }

    /// Contract §6, as a table: every error code and its exit code.
    static let table: [(ErrorCode, Int32)] = [
        (.toolError, 1), (.expectFailed, 1), (.schemaMismatch, 1), (.unknownTool, 1), (.invalidArguments, 1),
        (.expressionError, 1), (.rpcError, 1), (.timeout, 1), (.notRun, 1), (.internalError, 1),
        (.invalidInput, 2), (.unauthorized, 3), (.unreachable, 4), (.protocolError, 4), (.cancelled, 130),
    ]

    @Test("every error code maps to the contract's exit code, and the table covers the whole set")
    func codeTable() {
        #expect(Set(Self.table.map(\.0)) == Set(ErrorCode.allCases))
        #expect(Self.table.count == ErrorCode.allCases.count)
        for (code, exit) in Self.table {
            #expect(ExitCode(for: code).rawValue == exit, "\(code.rawValue)")
        }
    }

    @Test("errors map to exit codes: command line, files and results path 2, others by their code, never a blanket 2")
    func mapping() {
        #expect(ExitCode(for: UsageError(code: .missingCommand, message: "m")) == .usage)
        #expect(ExitCode(for: ResultsError(code: .replace, message: "m", hint: nil, path: "p")) == .usage)
        #expect(ExitCode(for: WorkflowError(code: .missingKey("steps"), message: "m")) == .usage)
        #expect(ExitCode(for: CancellationError()) == .interrupted)
        #expect(ExitCode(for: RunError(code: .unauthorized, message: "m")) == .auth)
        #expect(ExitCode(for: ClientError(code: .unreachable, message: "m")) == .unreachable)
        #expect(ExitCode(for: ClientError(code: .protocolViolation, message: "m")) == .unreachable)
        #expect(ExitCode(for: ClientError(code: .unauthorized(401), message: "m")) == .auth)
        #expect(ExitCode(for: ClientError(code: .rpc(code: -32602, message: "m"), message: "m")) == .stepFailed)
        #expect(ExitCode(for: Unknown()) == .stepFailed)
    }

    @Test("a finished run exits by its status, and a failed one by its error's code")
    func runStatus() {
        #expect(ExitCode(status: .succeeded, error: nil) == .succeeded)
        #expect(ExitCode(status: .failed, error: nil) == .stepFailed)
        #expect(ExitCode(status: .cancelled, error: nil) == .interrupted)
        #expect(ExitCode(status: .cancelled, error: .toolError) == .interrupted)
        #expect(ExitCode(status: .failed, error: .toolError) == .stepFailed)
        #expect(ExitCode(status: .failed, error: .protocolError) == .unreachable)
        #expect(ExitCode(status: .failed, error: .invalidInput) == .usage)
    }

    /// The rows of the `### Error codes` table in docs/results-format.md: code and exit.
    static func documentedCodes() throws -> [(code: String, exit: String)] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(
            contentsOf: root.appendingPathComponent("docs/results-format.md"), encoding: .utf8)
        let section = try #require(text.components(separatedBy: "### Error codes").dropFirst().first)
        var rows: [(String, String)] = []
        var inTable = false
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("|") {
                inTable = true
                let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                guard cells.count >= 3, cells[0].hasPrefix("`") else { continue }
                rows.append((cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`")), cells[cells.count - 1]))
            } else if inTable {
                break
            }
        }
        return rows
    }

    @Test("docs/results-format.md lists exactly the error codes there are, each with its exit code")
    func documentedTable() throws {
        let rows = try Self.documentedCodes()
        #expect(rows.map(\.code) == ErrorCode.allCases.map(\.rawValue))
        for row in rows {
            let code = try #require(ErrorCode(rawValue: row.code))
            #expect(row.exit == "\(ExitCode(for: code).rawValue)", "\(row.code)")
        }
    }
}
