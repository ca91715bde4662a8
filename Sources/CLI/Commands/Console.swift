import Basics
import Foundation

/// Writes to the process's stdout (machine output) and stderr (everything for people).
struct Console: Sendable {
    var useColor: Bool
    /// Where `err` lines go instead of stderr, when set: a run's live display, which prints them
    /// above its live lines so that a redraw never erases them.
    var lineSink: (@Sendable (String) -> Void)?

    /// Whether stderr is a terminal and colour is allowed there: the one rule of
    /// `ErrorRenderer.shouldUseColor` (`--no-color`, a non-empty `NO_COLOR`, `TERM=dumb`).
    static func colorAllowed(noColorFlag: Bool, environment: [String: String]) -> Bool {
        ErrorRenderer.shouldUseColor(
            isTerminal: isatty(STDERR_FILENO) == 1, environment: environment, noColorFlag: noColorFlag)
    }

    /// Whether a run may draw its live progress block on stderr (contract §5): only on a terminal
    /// that can take cursor movement (`TERM` set and not `dumb`), never with `-q`, and never while
    /// `--format jsonl` events go to a stdout that may reach the same screen (a terminal or a pipe
    /// whose reader prints there), since redrawing the block would erase lines it did not draw.
    /// A stdout that is a regular file or a character device other than a terminal is safe.
    static func liveDisplayAllowed(
        stderrIsTerminal: Bool, environment: [String: String], quiet: Bool, eventsOnStdout: Bool,
        stdoutKind: OutputKind
    ) -> Bool {
        guard stderrIsTerminal, !quiet, let term = environment["TERM"], !term.isEmpty, term != "dumb" else {
            return false
        }
        return !eventsOnStdout || stdoutKind == .fileOrDevice
    }

    /// What this process's stdout is, as far as the live display cares.
    enum OutputKind: Sendable, Equatable {
        /// A terminal, a pipe, a socket: its lines may show on the screen stderr draws on.
        case screenOrPipe
        /// A regular file, or a character device that is not a terminal (`/dev/null`).
        case fileOrDevice

        static var standardOutput: OutputKind {
            var info = stat()
            guard fstat(STDOUT_FILENO, &info) == 0 else { return .screenOrPipe }
            switch info.st_mode & S_IFMT {
            case S_IFREG: return .fileOrDevice
            case S_IFCHR: return isatty(STDOUT_FILENO) == 1 ? .screenOrPipe : .fileOrDevice
            default: return .screenOrPipe
            }
        }
    }

    func out(_ bytes: [UInt8]) {
        _ = DescriptorWriter.writeAll(bytes, to: STDOUT_FILENO, keepingPipeSignal: true)  // nowhere to report a failure
    }

    func out(_ text: String) {
        out(Array(text.utf8))
    }

    func err(_ line: String) {
        if let lineSink { return lineSink(line) }
        _ = DescriptorWriter.writeAll(Array((line + "\n").utf8), to: STDERR_FILENO, keepingPipeSignal: true)
    }
}
