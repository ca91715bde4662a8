import Basics
import Foundation
import Results
import Runner

/// The state of a run's progress on a terminal: the steps in flight, in the order they started.
///
/// `ProgressDisplay` is a pure value: events update it, and `frame` turns it into the text that
/// replaces the previous live block on stderr. The live block is redrawn on every event (a
/// step starting, reporting progress or finishing) and, while a step runs, on the run's ticker
/// (every `tickInterval`) so elapsed times keep moving during a long silent call.
struct ProgressDisplay: Sendable, Equatable {
    struct Running: Sendable, Equatable {
        var id: String
        var description: String
        /// Milliseconds on the display's clock when the step started.
        var startedAt: Double
        var progress: Double?
        var total: Double?
        var message: String?
    }

    var useColor: Bool
    var running: [Running] = []
    /// How many live lines the terminal shows now (erased before the next frame).
    var shownLines = 0

    mutating func started(_ id: String, description: String, at now: Double) {
        running.append(Running(id: id, description: description, startedAt: now))
    }

    mutating func progressed(_ id: String, progress: Double, total: Double?, message: String?) {
        guard let index = running.firstIndex(where: { $0.id == id }) else { return }
        running[index].progress = progress
        running[index].total = total
        running[index].message = message
    }

    /// A step's call is a task: its status (and message) shown in place of a progress message.
    mutating func tasked(_ id: String, taskID: String, status: String, message: String?) {
        guard let index = running.firstIndex(where: { $0.id == id }) else { return }
        running[index].message = "task \(status)" + (message.map { ": " + $0 } ?? "")
    }

    mutating func finished(_ id: String) {
        running.removeAll { $0.id == id }
    }

    /// One live line: `⠿`-free plain text, `  running  <id>  <elapsed>  [progress]  <description>`;
    /// a server's message or title is shown with its control characters neutralised.
    func liveLine(_ step: Running, now: Double) -> String {
        let elapsed = Self.seconds(now - step.startedAt)
        var line = "step '\(step.id)' running \(elapsed)"
        if let progress = step.progress {
            if let total = step.total, total > 0 {
                line += " [\(Self.number(progress))/\(Self.number(total)) \(Int((progress / total * 100).rounded()))%]"
            } else {
                line += " [\(Self.number(progress))]"
            }
        }
        if let message = step.message, !message.isEmpty {
            line += " \(message)"
        } else {
            line += " \(step.description)"
        }
        line = TerminalText.neutralized(line)
        return useColor ? Self.dim + line + Self.reset : line
    }

    /// How often the live block is redrawn while a step runs.
    static let tickInterval = Duration.milliseconds(250)

    /// The redraw for a tick of the ticker: a fresh frame while steps run, nil when none does
    /// (nothing to refresh, so nothing is written).
    mutating func tick(now: Double, width: Int = 120) -> String? {
        guard !running.isEmpty else { return nil }
        return frame(permanent: [], now: now, width: width)
    }

    /// The text that erases the shown live block, prints `permanent` lines (finished steps,
    /// errors) and draws the live block again; updates `shownLines`.
    mutating func frame(permanent: [String], now: Double, width: Int = 120) -> String {
        var text = ""
        if shownLines > 0 { text += "\u{1B}[\(shownLines)F\u{1B}[J" }  // up to the block's first line, clear below
        for line in permanent { text += line + "\n" }
        let live = running.map { Self.fit(liveLine($0, now: now), width: width) }
        for line in live { text += line + "\n" }
        shownLines = live.count
        return text
    }

    /// `1.2s`, `12s`, `2m05s`.
    static func seconds(_ milliseconds: Double) -> String {
        let ms = max(0, milliseconds)
        if ms < 10_000 { return String(format: "%.1fs", ms / 1000) }
        let total = Int(ms / 1000)
        if total < 60 { return "\(total)s" }
        return "\(total / 60)m" + String(format: "%02ds", total % 60)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// Cuts a line to the terminal's width so a redraw never wraps (escape sequences excepted).
    static func fit(_ line: String, width: Int) -> String {
        let visible = line.replacingOccurrences(of: dim, with: "").replacingOccurrences(of: reset, with: "")
        guard visible.count > width, width > 1 else { return line }
        let cut = String(visible.prefix(width - 1)) + "…"
        return line.hasPrefix(dim) ? dim + cut + reset : cut
    }

    static let dim = "\u{1B}[2m"
    static let reset = "\u{1B}[0m"
}

/// The final line for a finished step, as printed with or without a terminal.
enum StepLine {
    static func finished(_ report: StepReport, useColor: Bool) -> String {
        let attempts = report.attempts > 1 ? " after \(report.attempts) attempts" : ""
        let iterations = report.iterations.map { " (\($0.count) iterations)" } ?? ""
        let status = report.status.rawValue
        let shown: String
        switch report.status {
        case .succeeded: shown = useColor ? "\u{1B}[32m\(status)\u{1B}[0m" : status
        case .failed, .cancelled: shown = useColor ? "\u{1B}[31m\(status)\u{1B}[0m" : status
        case .skipped: return "step '\(report.id)' skipped"
        }
        return "step '\(report.id)' \(shown) in \(report.durationMs)ms\(attempts)\(iterations)"
    }
}
