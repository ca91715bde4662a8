import Basics

/// Phase 2 of argument parsing: picks the command and binds the tokens against its table (STYLE.md §8).
///
/// Rules, in order:
/// - The command is the first positional token. A known command name selects that command. Anything
///   else that looks like a file name (it contains `/` or `.`) means `run` with that file. A bare
///   unknown word is an unknown command, with a "did you mean" hint.
/// - With no positional at all, `--help`/`-h` or `--version` parse as the `help` command; otherwise
///   the command is missing.
/// - `--opt value`, `--opt=value`, `-o value`, `-ovalue` and clusters of flags (`-qv`) all work. An
///   option's value is the next argument taken as is (`-o -`, `--json '-1'`), unless that argument is
///   `--` or starts with `--`: write `--opt=--text` for such a value.
/// - `--` ends the options; everything after it is positional. A lone `-` is positional.
/// - A value option given twice keeps the last value; a repeatable one keeps all.
/// - With `--help` or `--version`, missing positionals are not an error, so `mcp-run call --help` works.
package enum ArgumentParser {
    /// Parses a whole command line (program name excluded).
    /// - Throws: `UsageError`, with every code but `.missingCommand` naming the offending argument's index.
    package static func parse(_ arguments: [String]) throws(UsageError) -> ParsedCommand {
        var tokens = ArgumentTokenizer.tokenize(arguments)
        guard let wordPosition = commandWordPosition(in: tokens) else {
            let wantsInfo = tokens.contains { token in
                switch token.kind {
                case .longOption(let name, _): return name == OptionSpec.help.long || name == OptionSpec.version.long
                case .shortOptions(let characters): return characters.contains("h")
                default: return false
                }
            }
            guard wantsInfo else {
                throw UsageError(
                    code: .missingCommand, message: "no workflow file or command given",
                    hint: "run 'mcp-run FILE' to run a workflow, or 'mcp-run --help' to see the commands")
            }
            return try bind(tokens, to: CommandTable.help)
        }
        let word = tokens[wordPosition]
        if let command = CommandName(rawValue: word.text) {
            tokens.remove(at: wordPosition)
            return try bind(tokens, to: command.spec)
        }
        guard looksLikeFile(word.text) else {
            let names = CommandName.allCases.map(\.rawValue)
            let fileHint = "to run a workflow file, give its path, such as './\(word.text).yaml'"
            let hint =
                nearestMatch(to: word.text, in: names).map { "did you mean '\($0)'?" }
                ?? "commands are \(names.quotedList); \(fileHint)"
            throw UsageError(
                code: .unknownCommand(word.text), message: "unknown command '\(word.text)'", hint: hint,
                argumentIndex: word.index)
        }
        var parsed = try bind(tokens, to: CommandTable.run)
        parsed.isImplicitRun = true
        return parsed
    }

    /// Binds tokens (the command word already removed) against one command's table.
    /// - Throws: `UsageError`.
    package static func bind(_ tokens: [ArgumentToken], to spec: CommandSpec) throws(UsageError) -> ParsedCommand {
        var binder = Binder(spec: spec, tokens: tokens)
        try binder.bindOptions()
        var parsed = ParsedCommand(
            command: spec.name, spec: spec, values: binder.values, flags: binder.flags,
            positionals: binder.positionals.map(\.text))
        try checkExclusive(parsed, spec: spec, tokens: tokens)
        parsed.positionalValues = try assignPositionals(
            binder.positionals, spec: spec, lenient: parsed.flag(.help) || parsed.flag(.version),
            given: Set(parsed.values.keys))
        return parsed
    }

    /// Where the command word is: the first `.value` token that is not the value of an option before
    /// it. Options before the word are read as `run`'s, since `mcp-run -o out.json FILE` is the form
    /// that puts them there.
    private static func commandWordPosition(in tokens: [ArgumentToken]) -> Int? {
        var position = 0
        while position < tokens.count {
            let token = tokens[position]
            switch token.kind {
            case .value: return position
            case .terminator: return tokens.count > position + 1 ? position + 1 : nil
            case .longOption(let name, let value):
                if value == nil, let option = CommandTable.run.option(long: name), option.kind != .flag {
                    position += 1
                }
            case .shortOptions(let characters):
                if let last = characters.last, let option = CommandTable.run.option(short: last), option.kind != .flag,
                    characters.dropLast().allSatisfy({ CommandTable.run.option(short: $0)?.kind == .flag })
                {
                    position += 1
                }
            }
            position += 1
        }
        return nil
    }

    /// Whether an unknown first word names a file rather than a mistyped command.
    static func looksLikeFile(_ word: String) -> Bool {
        word.contains("/") || word.contains(".")
    }

    private static func checkExclusive(
        _ parsed: ParsedCommand, spec: CommandSpec, tokens: [ArgumentToken]
    ) throws(UsageError) {
        for group in spec.exclusiveOptions {
            let given = group.filter { parsed.flags.contains($0) || parsed.values[$0] != nil }
            guard given.count > 1 else { continue }
            let first = "--" + given[0]
            let second = "--" + given[1]
            throw UsageError(
                code: .conflictingOptions(first, second),
                message: "options '\(first)' and '\(second)' cannot be used together",
                hint: "give only one of them", command: spec.name)
        }
    }

    private static func assignPositionals(
        _ tokens: [ArgumentToken], spec: CommandSpec, lenient: Bool, given: Set<String>
    ) throws(UsageError) -> [String: [String]] {
        var result: [String: [String]] = [:]
        var remaining = tokens[...]
        for positional in spec.positionals {
            // `--stdio CMD` stands in for SERVER: the next word is the TOOL.
            if let option = positional.replacedBy, given.contains(option) { continue }
            let taken: ArraySlice<ArgumentToken>
            switch positional.arity {
            case .required, .optional: taken = remaining.prefix(1)
            case .oneOrMore, .zeroOrMore: taken = remaining
            }
            remaining = remaining.dropFirst(taken.count)
            if taken.isEmpty, positional.arity == .required || positional.arity == .oneOrMore {
                if lenient { continue }
                throw UsageError(
                    code: .missingArgument(positional.name),
                    message: "missing \(positional.name) for '\(spec.invocation)'",
                    hint: "usage: \(spec.usageLine)", command: spec.name)
            }
            for token in taken {
                try check(
                    token.text, name: positional.name, choices: positional.choices, format: positional.format,
                    index: token.index, spec: spec)
            }
            if !taken.isEmpty { result[positional.name] = taken.map(\.text) }
        }
        if let extra = remaining.first {
            throw UsageError(
                code: .unexpectedArgument(extra.text),
                message: "unexpected argument '\(extra.text)' for '\(spec.invocation)'",
                hint: "usage: \(spec.usageLine)", argumentIndex: extra.index, command: spec.name)
        }
        return result
    }

    /// Checks a value against choices and format.
    ///
    /// `name` is an option's quoted spelling (`'--input'`) or a positional's bare name (`ACTION`).
    static func check(
        _ value: String, name: String, choices: [String], format: ValueFormat, index: Int, spec: CommandSpec
    ) throws(UsageError) {
        if !choices.isEmpty, !choices.contains(value) {
            let hint =
                nearestMatch(to: value, in: choices).map { "did you mean '\($0)'?" }
                ?? "use one of \(choices.quotedList)"
            throw UsageError(
                code: .invalidValue(option: name, value: value),
                message: "invalid value '\(value)' for \(name)", hint: hint, argumentIndex: index, command: spec.name)
        }
        if format == .keyValue {
            let key = value.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard value.contains("="), !key.isEmpty else {
                let subject = name.hasPrefix("'") ? "value '\(value)' for \(name)" : "argument '\(value)'"
                throw UsageError(
                    code: .invalidValue(option: name, value: value),
                    message: "invalid \(subject): expected KEY=VALUE",
                    hint: value.contains("=") ? "give a name before '='" : "write '\(value)=VALUE'",
                    argumentIndex: index, command: spec.name)
            }
        }
    }
}

/// The state of binding one command's tokens.
private struct Binder {
    let spec: CommandSpec
    let tokens: [ArgumentToken]
    var position = 0
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [ArgumentToken] = []

    init(spec: CommandSpec, tokens: [ArgumentToken]) {
        self.spec = spec
        self.tokens = tokens
    }

    mutating func bindOptions() throws(UsageError) {
        while position < tokens.count {
            let token = tokens[position]
            position += 1
            switch token.kind {
            case .terminator: continue
            case .value: positionals.append(token)
            case .longOption(let name, let inlineValue):
                guard let option = spec.option(long: name) else {
                    throw unknownOption("--" + name, token: token)
                }
                try bind(option, spelled: option.longSpelling, inlineValue: inlineValue, token: token)
            case .shortOptions(let characters):
                for (offset, character) in characters.enumerated() {
                    guard let option = spec.option(short: character) else {
                        throw unknownOption("-\(character)", token: token)
                    }
                    guard option.kind != .flag else {
                        flags.insert(option.long)
                        continue
                    }
                    let rest = String(characters[(offset + 1)...])
                    try bind(option, spelled: "-\(character)", inlineValue: rest.isEmpty ? nil : rest, token: token)
                    break
                }
            }
        }
    }

    private mutating func bind(
        _ option: OptionSpec, spelled: String, inlineValue: String?, token: ArgumentToken
    ) throws(UsageError) {
        if option.kind == .flag {
            guard inlineValue == nil else {
                throw UsageError(
                    code: .unexpectedValue(option: option.longSpelling),
                    message: "option '\(option.longSpelling)' takes no value",
                    hint: "write '\(option.longSpelling)' alone", argumentIndex: token.index, command: spec.name)
            }
            flags.insert(option.long)
            return
        }
        let value: String
        let index: Int
        if let inlineValue {
            value = inlineValue
            index = token.index
        } else {
            guard position < tokens.count, Self.canBeValue(tokens[position]) else {
                var hint = "write '\(spelled) \(option.valueName)'"
                if position < tokens.count {
                    hint =
                        "to give a value that starts with '--', write '\(option.longSpelling)=\(tokens[position].text)'"
                }
                throw UsageError(
                    code: .missingValue(option: option.longSpelling),
                    message: "option '\(spelled)' needs a value (\(option.valueName))", hint: hint,
                    argumentIndex: token.index, command: spec.name)
            }
            value = tokens[position].text
            index = tokens[position].index
            position += 1
        }
        try ArgumentParser.check(
            value, name: "'\(option.longSpelling)'", choices: option.choices, format: option.format, index: index,
            spec: spec)
        switch option.kind {
        case .repeatable: values[option.long, default: []].append(value)
        case .value, .flag: values[option.long] = [value]
        }
    }

    /// A token can be taken as a value unless it is `--` or a long option.
    private static func canBeValue(_ token: ArgumentToken) -> Bool {
        switch token.kind {
        case .terminator, .longOption: return false
        case .value, .shortOptions: return true
        }
    }

    private func unknownOption(_ spelled: String, token: ArgumentToken) -> UsageError {
        let longNames = spec.options.map(\.longSpelling)
        var hint: String
        if spelled.hasPrefix("--"), let match = nearestMatch(to: spelled, in: longNames) {
            hint = "did you mean '\(match)'?"
        } else {
            let others = CommandTable.all.filter { other in
                other.name != spec.name
                    && other.options.contains { $0.longSpelling == spelled || "-" + String($0.short ?? " ") == spelled }
            }
            if others.isEmpty {
                hint = "run '\(spec.invocation) --help' to see its options"
            } else {
                hint = "'\(spelled)' is an option of " + others.map(\.invocation).quotedList
            }
        }
        let clusterNote = spelled.hasPrefix("--") || token.text == spelled ? "" : " (in '\(token.text)')"
        return UsageError(
            code: .unknownOption(spelled),
            message: "unknown option '\(spelled)'\(clusterNote) for '\(spec.invocation)'",
            hint: hint, argumentIndex: token.index, command: spec.name)
    }
}
