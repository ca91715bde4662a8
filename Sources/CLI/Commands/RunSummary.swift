import Basics
import Foundation

/// The Markdown summary of a run (`run --summary PATH`, and `$GITHUB_STEP_SUMMARY` inside GitHub
/// Actions): the workflow, its status and duration, and a table of steps with status, duration,
/// attempts and error. Built from the results document's JSON, so it says what the document says.
///
/// Server text is masked, stripped of control characters, kept on one line and cut; `|`, `<`,
/// `>`, `&`, `*`, `[`, `]` and backticks are escaped so a server cannot change the table, add
/// links or emphasis, or inject HTML. Error codes (a closed set) are shown as code spans.
enum RunSummary {
    /// The longest error text shown in a cell, in characters.
    static let errorLength = 300

    static func markdown(_ document: JSONValue, exitCode: ExitCode, masker: SecretMasker) -> String {
        func text(_ value: String) -> String {
            var cleaned = ""
            for scalar in TerminalText.neutralized(masker.mask(value)).unicodeScalars {
                switch scalar {
                case "\n", "\r", "\t": cleaned += " "
                case "|": cleaned += "\\|"
                case "`": cleaned += "\\`"
                case "<": cleaned += "&lt;"
                case ">": cleaned += "&gt;"
                case "&": cleaned += "&amp;"
                case "\\": cleaned += "\\\\"
                case "*", "[", "]": cleaned += "\\" + String(scalar)
                default: cleaned.unicodeScalars.append(scalar)
                }
            }
            return cleaned
        }
        func cut(_ value: String) -> String {
            value.count > errorLength ? String(value.prefix(errorLength)) + "…" : value
        }
        let name = document["workflow"]?.stringValue ?? "workflow"
        let status = document["status"]?.stringValue ?? "unknown"
        var lines = [
            "### mcp-run: \(text(name)) \(status)", "",
            "File \(text(document["file"]?.stringValue ?? "?")), run \(text(document["runId"]?.stringValue ?? "?")), "
                + "\(milliseconds(document["durationMs"]?.intValue)), exit \(exitCode.rawValue).",
        ]
        if let error = document["error"], error != .null {
            lines += [
                "",
                "**Error** (`\(error["code"]?.stringValue ?? "?")`): "
                    + cut(text(error["message"]?.stringValue ?? "")),
            ]
        }
        lines += ["", "| step | status | duration | attempts | error |", "|---|---|---|---|---|"]
        for step in document["steps"]?.arrayValue ?? [] {
            var error = ""
            if let failure = step["error"], failure != .null {
                error = "`\(failure["code"]?.stringValue ?? "?")` " + cut(text(failure["message"]?.stringValue ?? ""))
            }
            let attempts = step["attempts"]?.intValue.map(String.init) ?? ""
            lines.append(
                "| \(text(step["id"]?.stringValue ?? "?")) | \(step["status"]?.stringValue ?? "?") | "
                    + "\(milliseconds(step["durationMs"]?.intValue)) | \(attempts) | \(error) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `812 ms`, `12.3 s`; empty when unknown.
    static func milliseconds(_ value: Int?) -> String {
        guard let value else { return "" }
        return value < 10_000 ? "\(value) ms" : String(format: "%.1f s", Double(value) / 1000)
    }
}
