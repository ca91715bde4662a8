import Basics
import Foundation

/// Writes to the process's stdout (machine output) and stderr (everything for people).
struct Console: Sendable {
    var useColor: Bool

    /// Whether stderr is a terminal and colour is allowed (`NO_COLOR`, `--no-color`).
    static func colorAllowed(noColorFlag: Bool, environment: [String: String]) -> Bool {
        !noColorFlag && environment["NO_COLOR"] == nil && isatty(STDERR_FILENO) == 1
    }

    func out(_ bytes: [UInt8]) {
        Console.writeAll(STDOUT_FILENO, bytes)
    }

    func out(_ text: String) {
        out(Array(text.utf8))
    }

    func err(_ line: String) {
        Console.writeAll(STDERR_FILENO, Array((line + "\n").utf8))
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
