import Basics
import Foundation
import TestSupport
import Testing

/// What a pseudo-terminal shows: `script` runs `shell` (with `$MCP_RUN` naming the binary) on a
/// new pty, and its output is everything the terminal received, stdout and stderr interleaved.
private func onTerminal(_ shell: String, environment: [String: String]) async throws -> RunOutput {
    var childEnvironment = ProcessInfo.processInfo.environment
    for name in ["MCP_SERVERS", "MCP_RUN_HOME", "XDG_CONFIG_HOME", "CI", "NO_COLOR", "TERM"] {
        childEnvironment[name] = nil
    }
    childEnvironment["MCP_RUN_HOME"] = try temporaryDirectory("mcp-run-home")
    childEnvironment["MCP_RUN"] = try mcpRunBinary()
    childEnvironment.merge(environment) { _, new in new }
    let finalEnvironment = childEnvironment
    return try await mcpRunGate.run {
        let process = try await ChildProcess(
            executable: "/usr/bin/script", arguments: ["-qfec", shell, "/dev/null"], environment: finalEnvironment,
            workingDirectory: repoRoot)
        var termination = await process.waitForExit(timeout: .seconds(60))
        let timedOut = termination == nil
        if timedOut { termination = await process.terminate(grace: .seconds(2)) }
        _ = await process.waitForOutputClosed(timeout: .seconds(5))
        return RunOutput(
            commandLine: process.commandLine, exitCode: termination?.exitCode ?? -1, signal: termination?.signal,
            timedOut: timedOut, stdout: process.stdout, stderr: process.stderr)
    }
}

/// The lines a terminal shows after `raw`, for the sequences the live display uses: text,
/// CR/LF, `ESC[nF` (up n lines, to column 1), `ESC[J` (clear to the end) and SGR colours (no
/// effect on text). Any other escape sequence is kept as text, so a test sees it.
private func screen(_ raw: String) -> [String] {
    var lines = [""]
    var row = 0
    var characters = Array(raw.unicodeScalars)[...]
    while let scalar = characters.popFirst() {
        switch scalar {
        case "\r": continue
        case "\n":
            row += 1
            if row == lines.count { lines.append("") }
        case "\u{1B}" where characters.first == "[":
            characters.removeFirst()
            var parameter = ""
            while let next = characters.first, next.properties.numericType != nil || next == ";" {
                parameter.unicodeScalars.append(next)
                characters.removeFirst()
            }
            switch characters.popFirst() {
            case "F": row = max(0, row - (Int(parameter) ?? 1))
            case "J":
                lines.removeSubrange((row + 1)...)
                lines[row] = ""
            case "m": break
            case let final?: lines[row] += "\u{1B}[" + parameter + String(final)
            case nil: break
            }
        default: lines[row].unicodeScalars.append(scalar)
        }
    }
    return lines.filter { !$0.isEmpty }
}

/// An SGR (colour) sequence.
private var sgr: Regex<Substring> { /\x{1B}\[[0-9;]*m/ }
/// A cursor movement or clear of the live display.
private var cursorMovement: Regex<Substring> { /\x{1B}\[[0-9]*[FJ]/ }

/// The colour and live-display rules on a real pseudo-terminal (contract §5, issue #12).
@Suite("terminal output", .timeLimit(.minutes(3)))
struct TerminalTests {
    static func servers() throws -> String { try serversJSON(name: "fixture", transport: .stdio, url: nil) }

    @Test("on a terminal the live display and colour are drawn, and the finished lines stay")
    func liveOnTerminal() async throws {
        let run = try await onTerminal(
            #""$MCP_RUN" run Tests/EndToEndTests/Fixtures/workflows/terminal.yaml -o /dev/null"#,
            environment: ["TERM": "xterm", "MCP_SERVERS": try Self.servers()])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("step 'wait' running"), "no live line: \(run.stdout)")
        #expect(run.stdout.contains(cursorMovement), "no redraw: \(run.stdout)")
        #expect(run.stdout.contains(sgr), "no colour: \(run.stdout)")
        let shown = screen(run.stdout).joined(separator: "\n")
        for id in ["first", "wait", "last"] { #expect(shown.contains("step '\(id)' succeeded"), "\(shown)") }
        #expect(!shown.contains("running"), "a live line was left behind: \(shown)")
    }

    @Test("TERM=dumb gets neither colour nor cursor movement: one plain line per step")
    func dumbTerminal() async throws {
        let run = try await onTerminal(
            #""$MCP_RUN" run Tests/EndToEndTests/Fixtures/workflows/terminal.yaml -o /dev/null"#,
            environment: ["TERM": "dumb", "MCP_SERVERS": try Self.servers()])
        #expect(run.exitCode == 0, "\(run)")
        #expect(!run.stdout.contains("\u{1B}"), "an escape sequence on a dumb terminal: \(run.stdout.debugDescription)")
        #expect(run.stdout.contains("step 'wait' succeeded"), "\(run)")
    }

    @Test(
        "NO_COLOR turns colour off only when it is non-empty; the live display stays",
        arguments: [("1", false), ("", true)])
    func noColor(value: String, coloured: Bool) async throws {
        let run = try await onTerminal(
            #""$MCP_RUN" run Tests/EndToEndTests/Fixtures/workflows/terminal.yaml -o /dev/null"#,
            environment: ["TERM": "xterm", "NO_COLOR": value, "MCP_SERVERS": try Self.servers()])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains(sgr) == coloured, "NO_COLOR='\(value)': \(run.stdout.debugDescription)")
        #expect(run.stdout.contains(cursorMovement), "NO_COLOR is about colour, not the live display")
    }

    @Test("--format jsonl piped to a program on the same terminal keeps every event line on the screen")
    func jsonlThroughPipe() async throws {
        let run = try await onTerminal(
            #""$MCP_RUN" run Tests/EndToEndTests/Fixtures/workflows/terminal.yaml --format jsonl | cat"#,
            environment: ["TERM": "xterm", "MCP_SERVERS": try Self.servers()])
        #expect(run.exitCode == 0, "\(run)")
        let events = screen(run.stdout).filter { $0.hasPrefix("{") }
        let kinds = events.compactMap { try? JSONValue.parse(Array($0.utf8))["event"]?.stringValue }
        #expect(kinds.filter { $0 == "step.started" }.count == 3, "\(screen(run.stdout))")
        #expect(kinds.filter { $0 == "step.finished" }.count == 3, "\(screen(run.stdout))")
        #expect(kinds.last == "run.finished", "\(screen(run.stdout))")
        #expect(!run.stdout.contains(cursorMovement), "the display moved the cursor over the events")
    }

    @Test("with -v on a terminal, every trace line stays on the screen above the live display")
    func verboseOnTerminal() async throws {
        let run = try await onTerminal(
            #""$MCP_RUN" run Tests/EndToEndTests/Fixtures/workflows/terminal.yaml -v -o /dev/null"#,
            environment: ["TERM": "xterm", "MCP_SERVERS": try Self.servers()])
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains(cursorMovement), "the live display was not drawn: \(run.stdout)")
        let shown = screen(run.stdout)
        // Each of the three calls is traced going out and coming back; none may be erased.
        let calls = shown.filter { $0.contains(#""method":"tools/call""#) }
        let answers = shown.filter { $0.contains("←") && $0.contains(#""content":["#) }
        #expect(calls.count == 3 && answers.count == 3, "trace lines were erased: \(shown.joined(separator: "\n"))")
        for id in ["first", "wait", "last"] {
            #expect(shown.contains { $0.contains("step '\(id)' succeeded") }, "\(shown)")
        }
    }
}
