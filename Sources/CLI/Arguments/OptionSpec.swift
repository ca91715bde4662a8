/// One option in a command's option table: how it is spelled, whether it takes a value, and its help.
///
/// The same table binds arguments and generates `--help` (STYLE.md §8), so the two cannot drift.
/// Parsed values are looked up by `long`, so one spec can appear in several commands' tables.
package struct OptionSpec: Sendable, Hashable {
    /// Whether the option takes a value, and how many times it may be given.
    package enum Kind: Sendable, Hashable {
        /// Present or absent: `--dry-run`.
        case flag
        /// Takes one value; given twice, the last one wins: `--output PATH`.
        case value
        /// Takes a value and may be given many times; every value is kept in order: `--input K=V`.
        case repeatable
    }

    /// The long name without dashes: `output`.
    package var long: String
    /// The one-letter name without the dash, if any: `o`.
    package var short: Character?
    /// Flag, value or repeatable value.
    package var kind: Kind
    /// The value's placeholder in help and messages (`PATH`); empty for flags.
    package var valueName: String
    /// One line of help, lower-case start, no trailing period.
    package var help: String
    /// The value used when the option is not given, shown in help.
    package var defaultValue: String?
    /// The allowed values; empty when any value is allowed.
    package var choices: [String]
    /// The shape each value must have.
    package var format: ValueFormat

    /// Creates an option spec.
    package init(
        long: String, short: Character? = nil, kind: Kind, valueName: String = "", help: String,
        defaultValue: String? = nil, choices: [String] = [], format: ValueFormat = .any
    ) {
        self.long = long
        self.short = short
        self.kind = kind
        self.valueName = valueName
        self.help = help
        self.defaultValue = defaultValue
        self.choices = choices
        self.format = format
    }

    /// `--output`.
    package var longSpelling: String { "--" + long }

    /// `-o, --output PATH` or `    --dry-run`: the left column of help.
    var helpLabel: String {
        let names = short.map { "-\($0), " } ?? "    "
        return names + longSpelling + (kind == .flag ? "" : " " + valueName)
    }

    /// This spec with other help text, for a command where the option means something more specific.
    package func withHelp(_ help: String, defaultValue: String? = nil) -> OptionSpec {
        var copy = self
        copy.help = help
        if let defaultValue { copy.defaultValue = defaultValue }
        return copy
    }
}

/// The shape an option's or positional's value must have, checked while binding.
package enum ValueFormat: Sendable, Hashable {
    /// Any text.
    case any
    /// `KEY=VALUE` with a non-empty key; the value may be empty or contain `=`.
    case keyValue
}

/// One positional argument in a command's table.
package struct PositionalSpec: Sendable, Hashable {
    /// How many arguments the positional takes.
    package enum Arity: Sendable, Hashable {
        /// Exactly one.
        case required
        /// Zero or one.
        case optional
        /// One or more; must be the last positional.
        case oneOrMore
        /// Zero or more; must be the last positional.
        case zeroOrMore
    }

    /// The placeholder in help and messages, and the key values are found under: `FILE`.
    package var name: String
    /// How many arguments it takes.
    package var arity: Arity
    /// One line of help.
    package var help: String
    /// The allowed values; empty when any value is allowed.
    package var choices: [String]
    /// The shape each value must have.
    package var format: ValueFormat
    /// The long name of an option that stands in for this positional (`stdio` for `SERVER`): when
    /// that option is given, the positional takes no argument.
    package var replacedBy: String?

    /// Creates a positional spec.
    package init(
        name: String, arity: Arity, help: String, choices: [String] = [], format: ValueFormat = .any,
        replacedBy: String? = nil
    ) {
        self.name = name
        self.arity = arity
        self.help = help
        self.choices = choices
        self.format = format
        self.replacedBy = replacedBy
    }

    /// `FILE`, `[SERVER]`, `FILE...` or `[KEY=VALUE...]`: how the usage line shows it.
    var usageSpelling: String {
        switch arity {
        case .required: return replacedBy.map { "(\(name) | --\($0) CMD)" } ?? name
        case .optional: return "[\(name)]"
        case .oneOrMore: return "\(name)..."
        case .zeroOrMore: return "[\(name)...]"
        }
    }
}
