/// One command-line argument after the first parsing phase, remembering where it came from.
///
/// Phase 1 (`ArgumentTokenizer`) only looks at spelling; phase 2 (`ArgumentParser`) binds tokens
/// against a command's option table, and may take any token's `text` verbatim as an option's value.
package struct ArgumentToken: Sendable, Hashable {
    /// What the argument looks like.
    package enum Kind: Sendable, Hashable {
        /// `--name` or `--name=value` (the value may be empty: `--name=`).
        case longOption(name: String, value: String?)
        /// `-q`, or a cluster `-qv`: the characters after the dash. For an option that takes a
        /// value, the rest of the cluster is its value (`-ofile`).
        case shortOptions([Character])
        /// Anything else: a positional argument or an option's value. A lone `-` is one, and so is
        /// every argument after `--`.
        case value
        /// The `--` that ends option parsing.
        case terminator
    }

    /// What the argument looks like.
    package var kind: Kind
    /// The argument exactly as given.
    package var text: String
    /// Its index in the argument list (program name excluded).
    package var index: Int

    /// Creates a token.
    package init(kind: Kind, text: String, index: Int) {
        self.kind = kind
        self.text = text
        self.index = index
    }
}

/// Phase 1 of argument parsing: splits argv into `ArgumentToken`s (STYLE.md §8).
package enum ArgumentTokenizer {
    /// The tokens of `arguments` (without the program name), one per argument, in order.
    package static func tokenize(_ arguments: [String]) -> [ArgumentToken] {
        var tokens: [ArgumentToken] = []
        var optionsEnded = false
        for (index, text) in arguments.enumerated() {
            let kind: ArgumentToken.Kind
            if optionsEnded {
                kind = .value
            } else if text == "--" {
                optionsEnded = true
                kind = .terminator
            } else if text.hasPrefix("--") {
                let body = text.dropFirst(2)
                if let equals = body.firstIndex(of: "=") {
                    kind = .longOption(name: String(body[..<equals]), value: String(body[body.index(after: equals)...]))
                } else {
                    kind = .longOption(name: String(body), value: nil)
                }
            } else if text.hasPrefix("-"), text.count > 1 {
                kind = .shortOptions(Array(text.dropFirst()))
            } else {
                kind = .value
            }
            tokens.append(ArgumentToken(kind: kind, text: text, index: index))
        }
        return tokens
    }
}
