import Basics
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files and commands that cannot be used are named with the system's reason and a next step,
/// never with Foundation's generic text (issue #8: "The file doesn't exist" for a folder given as
/// `command`, `NSCocoaErrorDomain error 256`).
@Suite("messages about files and commands", .timeLimit(.minutes(2)))
struct FileMessageTests {
    /// Text that must never reach a user: Foundation's generic descriptions.
    static let foundationText = ["NSCocoaErrorDomain", "The file", "The operation", "couldn’t", "NSPOSIXErrorDomain"]

    static func expectPlain(_ run: RunOutput) {
        for text in foundationText { #expect(!run.stderr.contains(text), "\(run)") }
    }

    enum FileOption: String, CaseIterable, CustomStringConvertible, Sendable {
        case workflow, secrets = "--secrets", inputs = "--inputs", servers = "--servers"
        var description: String { rawValue }
        var role: String {
            switch self {
            case .workflow: return "workflow file"
            case .secrets: return "secrets file"
            case .inputs: return "inputs file"
            case .servers: return "servers file"
            }
        }

        func arguments(_ path: String) -> [String] {
            self == .workflow
                ? ["run", path] : ["run", fixture("workflows/sequential.yaml"), rawValue, path]
        }
    }

    @Test("a folder given as a file is named as a folder, exit 2", arguments: FileOption.allCases)
    func folderAsFile(option: FileOption) async throws {
        let folder = try temporaryDirectory("folder-as-file")
        let run = try await runMCPRun(
            option.arguments(folder),
            environment: ["MCP_SERVERS": #"{"fixture": {"transport": "stdio", "command": "x"}}"#])
        #expect(run.exitCode == 2, "\(run)")
        #expect(run.stderr.contains("\(option.role) '\(folder)' is a folder, not a file"), "\(run)")
        Self.expectPlain(run)
    }

    @Test("a missing file and an unreadable path are named with their reason, exit 2", arguments: FileOption.allCases)
    func missingAndThroughFile(option: FileOption) async throws {
        let folder = try temporaryDirectory("missing-file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/plain"))
        let environment = ["MCP_SERVERS": #"{"fixture": {"transport": "stdio", "command": "x"}}"#]
        let missing = try await runMCPRun(option.arguments(folder + "/nope.yaml"), environment: environment)
        #expect(missing.exitCode == 2, "\(missing)")
        #expect(missing.stderr.contains("\(option.role) '\(folder)/nope.yaml' does not exist"), "\(missing)")
        let through = try await runMCPRun(option.arguments(folder + "/plain/x.yaml"), environment: environment)
        #expect(through.exitCode == 2, "\(through)")
        #expect(through.stderr.contains("a part of the path is a file, not a folder"), "\(through)")
        Self.expectPlain(missing)
        Self.expectPlain(through)
    }

    @Test("with -q, the error that fails the run is still printed (a stdio command that is a folder)")
    func quietStillPrintsTheError() async throws {
        let folder = try temporaryDirectory("quiet-error")
        let servers = JSONValue.object(["fixture": ["transport": "stdio", "command": .string(folder)]])
        let run = try await runMCPRun(
            ["run", fixture("workflows/sequential.yaml"), "-q"], environment: ["MCP_SERVERS": servers.serialized()])
        #expect(run.exitCode == 4, "\(run)")
        #expect(run.stderr.contains("cannot start '\(folder)': it is a folder, not a program"), "\(run)")
        #expect(!run.stderr.contains("failed in"), "progress lines stay hidden: \(run)")
    }

    /// What a stdio server's `command` or `cwd` is made to be, and what the error must say.
    enum BadCommand: String, CaseIterable, CustomStringConvertible, Sendable {
        case folder, notExecutable, missing, cwdMissing, cwdIsFile, notAProgram
        var description: String { rawValue }
    }

    @Test(
        "a stdio command or cwd that cannot be used says what it is and what to give, exit 4",
        arguments: BadCommand.allCases)
    func badCommand(_ bad: BadCommand) async throws {
        let folder = try temporaryDirectory("bad-command")
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/data.txt"))
        try writeExecutable("not a program\n", to: folder + "/garbage")
        var server: [String: JSONValue] = ["transport": "stdio"]
        let expected: String
        switch bad {
        case .folder:
            server["command"] = .string(folder)
            expected = "cannot start '\(folder)': it is a folder, not a program"
        case .notExecutable:
            server["command"] = .string(folder + "/data.txt")
            expected = "cannot start '\(folder)/data.txt': the file is not executable"
        case .missing:
            server["command"] = .string(folder + "/nope")
            expected = "cannot start '\(folder)/nope': no such file"
        case .cwdMissing:
            server["command"] = "/bin/sh"
            server["cwd"] = .string(folder + "/nope")
            expected = "the server's `cwd` '\(folder)/nope' does not exist"
        case .cwdIsFile:
            server["command"] = "/bin/sh"
            server["cwd"] = .string(folder + "/data.txt")
            expected = "the server's `cwd` '\(folder)/data.txt' is not a folder"
        case .notAProgram:
            server["command"] = .string(folder + "/garbage")
            expected =
                "cannot start '\(folder)/garbage': the system refused to run '\(folder)/garbage': exec format error"
        }
        let run = try await runMCPRun(
            ["run", fixture("workflows/sequential.yaml")],
            environment: ["MCP_SERVERS": JSONValue.object(["fixture": .object(server)]).serialized()])
        #expect(run.exitCode == 4, "\(run)")
        #expect(run.stderr.contains(expected), "\(run)")
        #expect(run.stderr.contains("hint:"), "\(run)")
        Self.expectPlain(run)
    }
}
