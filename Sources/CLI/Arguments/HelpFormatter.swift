import Basics

/// Generates `--help` text from the command tables, so help and parsing cannot drift apart.
package enum HelpFormatter {
    /// The width help text is wrapped to.
    static let width = 80
    /// The widest left column before the help text moves to its own line.
    static let maximumLabelWidth = 28

    /// `mcp-run --help`: usage forms and the command list.
    package static func overview() -> String {
        var lines = [
            "Usage: mcp-run FILE [options]",
            "       mcp-run COMMAND [options] [ARGUMENTS]",
            "",
            "Run MCP tool calls declared in a YAML workflow file.",
            "",
            "Commands:",
        ]
        lines += table(CommandTable.all.map { ($0.name.rawValue, $0.summary) })
        lines += ["", "Options on every command:"]
        lines += table(OptionSpec.common.map { ($0.helpLabel, $0.help) })
        lines += ["", "Run 'mcp-run help COMMAND' or 'mcp-run COMMAND --help' for a command's arguments and options."]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A command's `--help`: usage line, description, arguments and options, all from its table.
    package static func help(for spec: CommandSpec) -> String {
        var lines = ["Usage: \(spec.usageLine)"]
        if spec.name == .run {
            lines.append("       mcp-run FILE [options]")
        }
        lines += ["", capitalized(spec.summary) + "."]
        if !spec.discussion.isEmpty {
            lines.append("")
            lines += wrap(spec.discussion, width: width)
        }
        if !spec.positionals.isEmpty {
            lines += ["", "Arguments:"]
            lines += table(spec.positionals.map { ($0.name, describe($0)) })
        }
        lines += ["", "Options:"]
        lines += table(spec.options.map { ($0.helpLabel, describe($0)) })
        return lines.joined(separator: "\n") + "\n"
    }

    private static func describe(_ option: OptionSpec) -> String {
        var text = option.help
        if option.kind == .repeatable, !text.contains("repeatable") { text += " (repeatable)" }
        if !option.choices.isEmpty { text += "; one of \(option.choices.quotedList)" }
        if let defaultValue = option.defaultValue { text += " (default: \(defaultValue))" }
        return text
    }

    private static func describe(_ positional: PositionalSpec) -> String {
        var text = positional.help
        if !positional.choices.isEmpty { text += ": " + positional.choices.joined(separator: ", ") }
        return text
    }

    /// Two columns: labels padded to a common width, help wrapped beside them.
    private static func table(_ rows: [(label: String, text: String)]) -> [String] {
        let labelWidth = min(maximumLabelWidth, rows.map(\.label.count).max() ?? 0)
        let indent = String(repeating: " ", count: 2 + labelWidth + 2)
        var lines: [String] = []
        for row in rows {
            let wrapped = wrap(row.text, width: width - indent.count)
            if row.label.count > labelWidth {
                lines.append("  " + row.label)
                lines += wrapped.map { indent + $0 }
                continue
            }
            let padded = row.label + String(repeating: " ", count: labelWidth - row.label.count)
            lines.append("  " + padded + "  " + (wrapped.first ?? ""))
            lines += wrapped.dropFirst().map { indent + $0 }
        }
        return lines
    }

    /// Words of `text` on lines no wider than `width` (a longer word gets a line of its own).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    private static func capitalized(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }
}
