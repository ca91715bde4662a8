import Basics
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The only code that turns an error into text for people (STYLE.md §4).
///
/// It returns strings; the caller writes them to stderr. Everything it renders passes through the
/// `SecretMasker`, so a secret that leaked into a message, hint or cause is shown as `***`, then
/// through `TerminalText.neutralized`, so a server's control characters are shown as escapes
/// (only the renderer's own colour codes reach the terminal).
///
///     error: flows/weather.yaml:14:9: step 'forecast': unknown server 'wether'
///       hint: declared servers are 'weather' and 'files'
package struct ErrorRenderer: Sendable {
    /// Masks every rendered line.
    package var masker: SecretMasker
    /// Whether to color `error:` red (see `shouldUseColor(isTerminal:environment:noColorFlag:)`).
    package var useColor: Bool
    /// Whether to add a `cause:` line for each underlying error (with `-v`).
    package var showsCauses: Bool

    /// Creates a renderer.
    package init(masker: SecretMasker = SecretMasker(), useColor: Bool = false, showsCauses: Bool = false) {
        self.masker = masker
        self.useColor = useColor
        self.showsCauses = showsCauses
    }

    private static let red = "\u{1B}[1;31m"
    private static let yellow = "\u{1B}[1;33m"
    private static let bold = "\u{1B}[1m"
    private static let reset = "\u{1B}[0m"

    /// `error: <file:line:col>: step 'x': server 'y': message`, then `  hint: …` when there is a hint.
    ///
    /// A plain `Error` shows its description; a `CancellationError` reads `interrupted`. The result ends
    /// with a newline.
    package func render(_ error: any Error) -> String {
        let label = useColor ? Self.red + "error:" + Self.reset : "error:"
        return label + " " + body(of: error, boldLocation: false)
    }

    /// The error as a GitHub Actions workflow command, one line:
    /// `::error file=F,line=L,col=C,title=mcp-run::step 'x': message (hint: …)`, or `::error::…`
    /// without a location. Masked, with control characters neutralised, then escaped as the
    /// runner reads workflow commands (`%`, CR and LF in the message; also `:` and `,` in values).
    package func githubAnnotation(_ error: any Error) -> String {
        func escaped(_ text: String, property: Bool) -> String {
            var result = text.replacingOccurrences(of: "%", with: "%25")
                .replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
            if property {
                result = result.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
            }
            return result
        }
        var properties: [String] = []
        var text: String
        if let error = error as? any UserFacingError {
            if let location = error.context.location {
                properties += [
                    "file=" + escaped(shown(location.file), property: true), "line=\(location.line)",
                    "col=\(location.column)",
                ]
            }
            var parts: [String] = []
            if let step = error.context.step { parts.append("step '\(step)'") }
            if let server = error.context.server { parts.append("server '\(server)'") }
            parts.append(error.message)
            text = shown(parts.joined(separator: ": "))
            if let hint = error.hint { text += " (hint: " + shown(hint) + ")" }
        } else {
            text = shown(Self.describe(error))
        }
        properties.append("title=mcp-run")
        return "::error " + properties.joined(separator: ",") + "::" + escaped(text, property: false)
    }

    /// A warning line in the same shape: `warning: message`, then `  hint: …`.
    package func renderWarning(_ message: String, hint: String? = nil) -> String {
        let label = useColor ? Self.yellow + "warning:" + Self.reset : "warning:"
        var lines = [label + " " + indentContinuation(shown(message), by: 2)]
        if let hint { lines.append(hintLine(hint)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `validate`'s report: one `file:line:col: message` line per problem, each followed by its hint.
    ///
    /// Problems without a location show their other context (`step 'x': …`) or just the message.
    package func render(problems: [any Error]) -> String {
        problems.map { body(of: $0, boldLocation: useColor) }.joined()
    }

    /// Whether to color output, by the usual rules: only on a terminal, never with `--no-color`, a
    /// non-empty `NO_COLOR` (no-color.org) or `TERM=dumb`.
    package static func shouldUseColor(isTerminal: Bool, environment: [String: String], noColorFlag: Bool) -> Bool {
        guard isTerminal, !noColorFlag else { return false }
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        return environment["TERM"] != "dumb"
    }

    /// `shouldUseColor` for this process's stderr and environment.
    package static func standardErrorUsesColor(noColorFlag: Bool) -> Bool {
        shouldUseColor(
            isTerminal: isatty(STDERR_FILENO) == 1, environment: ProcessInfo.processInfo.environment,
            noColorFlag: noColorFlag)
    }

    /// The error's prefixed message and its hint and cause lines, newline-terminated.
    private func body(of error: any Error, boldLocation: Bool) -> String {
        var lines: [String]
        if let error = error as? any UserFacingError {
            var prefix: [String] = []
            if let location = error.context.location {
                let text = shown("\(location)")
                prefix.append(boldLocation ? Self.bold + text + Self.reset : text)
            }
            if let step = error.context.step { prefix.append(shown("step '\(step)'")) }
            if let server = error.context.server { prefix.append(shown("server '\(server)'")) }
            prefix.append(shown(error.message))
            lines = [indentContinuation(prefix.joined(separator: ": "), by: 2)]
            if let hint = error.hint { lines.append(hintLine(hint)) }
            if showsCauses {
                var cause = error.underlying
                var depth = 0
                while let current = cause, depth < 8 {
                    lines.append("  cause: " + indentContinuation(shown(Self.describe(current)), by: 9))
                    cause = (current as? any UserFacingError)?.underlying
                    depth += 1
                }
            }
        } else {
            lines = [indentContinuation(shown(Self.describe(error)), by: 2)]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func hintLine(_ hint: String) -> String {
        "  hint: " + indentContinuation(shown(hint), by: 8)
    }

    /// `text` as it may be shown: secrets masked, then control characters neutralised.
    private func shown(_ text: String) -> String {
        TerminalText.neutralized(masker.mask(text))
    }

    private static func describe(_ error: any Error) -> String {
        if error is CancellationError { return "interrupted" }
        return String(describing: error)
    }

    /// `text` with every line after the first indented by `width` spaces, so a multi-line message stays
    /// visually attached to its label.
    private func indentContinuation(_ text: String, by width: Int) -> String {
        guard text.contains("\n") else { return text }
        let indent = String(repeating: " ", count: width)
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset == 0 ? String($0.element) : indent + $0.element }
            .joined(separator: "\n")
    }
}
