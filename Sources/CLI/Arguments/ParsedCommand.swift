import Basics

/// A command line bound against one command's table: what `ArgumentParser.parse(_:)` returns.
///
/// Values are looked up through the same `OptionSpec` and `PositionalSpec` values the tables are built
/// from, so a typo in an option name is a compile error, not a silent nil:
///
///     let parsed = try ArgumentParser.parse(arguments)
///     if parsed.isVersionRequested { … } else if parsed.isHelpRequested { print(parsed.helpText) }
///     let file = parsed.argument(.workflowFile)          // "flows/report.yaml"
///     let inputs = parsed.keyValues(.input)              // [("project", "ENG")]
///     let output = parsed.value(.output)                 // nil when not given (and no default)
///
/// Every value has already been checked against the table: choices, `KEY=VALUE` shape, required
/// positionals (except when help or the version was asked for).
package struct ParsedCommand: Sendable, Hashable {
    /// The command to run.
    package var command: CommandName
    /// The table the arguments were bound against.
    package var spec: CommandSpec
    /// Whether the command was implied: `mcp-run FILE` rather than `mcp-run run FILE`.
    package var isImplicitRun: Bool
    /// Values of value and repeatable options, by long name, in the order given.
    package var values: [String: [String]]
    /// The flags given, by long name.
    package var flags: Set<String>
    /// Positional arguments by their spec's name, in the order given.
    package var positionalValues: [String: [String]]
    /// Every positional argument in order (the command word excluded).
    package var positionals: [String]

    /// Creates a parsed command; normally only `ArgumentParser` does.
    package init(
        command: CommandName, spec: CommandSpec? = nil, isImplicitRun: Bool = false, values: [String: [String]] = [:],
        flags: Set<String> = [], positionalValues: [String: [String]] = [:], positionals: [String] = []
    ) {
        self.command = command
        self.spec = spec ?? command.spec
        self.isImplicitRun = isImplicitRun
        self.values = values
        self.flags = flags
        self.positionalValues = positionalValues
        self.positionals = positionals
    }

    /// Whether the flag was given.
    package func flag(_ option: OptionSpec) -> Bool { flags.contains(option.long) }

    /// The option's last value, else its default, else nil.
    package func value(_ option: OptionSpec) -> String? {
        values[option.long]?.last ?? spec.option(long: option.long)?.defaultValue
    }

    /// Every value given for the option, in order; empty when it was not given.
    package func values(_ option: OptionSpec) -> [String] { values[option.long] ?? [] }

    /// The option's values split at their first `=`: `--input a=b=c` gives `("a", "b=c")`.
    package func keyValues(_ option: OptionSpec) -> [(key: String, value: String)] {
        values(option).map(splitKeyValue)
    }

    /// The positional's first value, or nil when it was not given.
    package func argument(_ positional: PositionalSpec) -> String? { positionalValues[positional.name]?.first }

    /// Every value of the positional, in order.
    package func arguments(_ positional: PositionalSpec) -> [String] { positionalValues[positional.name] ?? [] }

    /// The positional's values split at their first `=`.
    package func keyValues(_ positional: PositionalSpec) -> [(key: String, value: String)] {
        arguments(positional).map(splitKeyValue)
    }

    /// `-h`/`--help` was given (or the command is `help`): print `helpText` to stdout and exit 0.
    package var isHelpRequested: Bool { command == .help || flag(.help) }

    /// `--version` was given: print the version and exit 0. Check this before `isHelpRequested`.
    package var isVersionRequested: Bool { flag(.version) }

    /// The help to show: the command's own, or for `help COMMAND` that command's, or the overview.
    package var helpText: String {
        if command == .help {
            guard let topic = argument(.helpTopic).flatMap(CommandName.init(rawValue:)) else {
                return HelpFormatter.overview()
            }
            return HelpFormatter.help(for: topic.spec)
        }
        return HelpFormatter.help(for: spec)
    }

    /// `-q` → `.quiet`, `-v` → `.verbose`, else `.normal`.
    package var logLevel: LogLevel {
        if flag(.quiet) { return .quiet }
        if flag(.verbose) { return .verbose }
        return .normal
    }

    /// `--no-color` was given.
    package var isColorDisabled: Bool { flag(.noColor) }

    /// `auth`'s action; nil for other commands.
    package var authAction: AuthAction? { argument(.authAction).flatMap(AuthAction.init(rawValue:)) }

    /// `run`'s `--format`, `json` unless given.
    package var resultsFormat: ResultsFormat {
        value(.format).flatMap(ResultsFormat.init(rawValue:)) ?? .json
    }

    private func splitKeyValue(_ text: String) -> (key: String, value: String) {
        guard let equals = text.firstIndex(of: "=") else { return (text, "") }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }
}
