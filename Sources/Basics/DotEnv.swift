/// A parser for dotenv files (`--secrets FILE`), in the Swift standard library only.
///
/// The conventions followed, one entry per line:
/// - `NAME=value`, with spaces or tabs allowed around `=`; `export NAME=value` is the same.
/// - Blank lines and lines whose first non-blank character is `#` are skipped.
/// - An unquoted value runs to the end of the line, or to a `#` that follows a space or tab (an
///   inline comment); blanks around it are trimmed. `pass#word` keeps its `#`.
/// - `'…'` is taken literally; `"…"` reads `\n`, `\r`, `\t`, `\"`, `\\`, `\$` and `\'` as escapes.
///   Both may span lines. After the closing quote only blanks and a `#` comment may follow.
/// - Line ends may be LF, CRLF or CR; a byte order mark at the start is skipped.
/// - A name is a letter or `_`, then letters, digits, `_`, `.` or `-`. A name given twice keeps
///   its last value. Values are not expanded (`$OTHER` stays as written).
///
/// Any other line is an error naming its line and column: a value is never guessed.
package enum DotEnv {
    /// One `NAME=value` entry and the line it starts on.
    package struct Entry: Sendable, Equatable {
        /// The name before `=`.
        package var key: String
        /// The value after unquoting and unescaping.
        package var value: String
        /// The 1-based line where the entry starts.
        package var line: Int

        /// Creates an entry.
        package init(key: String, value: String, line: Int) {
            self.key = key
            self.value = value
            self.line = line
        }
    }

    /// Parses the text of a dotenv file.
    ///
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - file: the path as the user named it, for error locations.
    /// - Returns: the entries in file order (a repeated name appears each time; the last wins).
    /// - Throws: `DotEnvError` for the first line that does not follow the conventions.
    package static func parse(_ text: String, file: String) throws(DotEnvError) -> [Entry] {
        var scanner = DotEnvScanner(text: text, file: file)
        return try scanner.entries()
    }
}

/// A line of a dotenv file that does not follow the conventions.
package struct DotEnvError: UserFacingError, Equatable {
    /// For people: lower-case start, no trailing period.
    package var message: String
    /// What to write instead.
    package var hint: String?
    /// The file, line and column.
    package var context: ErrorContext
    /// Always nil: nothing below this layer fails.
    package var underlying: (any Error)? { nil }

    /// Creates an error at `location`.
    package init(message: String, hint: String?, location: SourceLocation) {
        self.message = message
        self.hint = hint
        self.context = ErrorContext(location: location)
    }

    /// Equal when message, hint and location are.
    package static func == (lhs: DotEnvError, rhs: DotEnvError) -> Bool {
        lhs.message == rhs.message && lhs.hint == rhs.hint && lhs.context.location == rhs.context.location
    }
}

/// Walks the text scalar by scalar, tracking line and column.
private struct DotEnvScanner {
    let scalars: [Unicode.Scalar]
    let file: String
    var position = 0
    var line = 1
    var column = 1

    init(text: String, file: String) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        self.scalars = scalars
        self.file = file
    }

    var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    var isAtLineEnd: Bool { current == nil || current == "\n" || current == "\r" }

    /// Moves past one scalar; a line end (LF, CRLF or CR) counts as one step to the next line.
    mutating func advance() {
        guard let c = current else { return }
        position += 1
        if c == "\r", current == "\n" { position += 1 }
        if c == "\r" || c == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
    }

    mutating func skipBlanks() {
        while let c = current, c == " " || c == "\t" { advance() }
    }

    func fail(_ message: String, hint: String? = nil, line: Int? = nil, column: Int? = nil) -> DotEnvError {
        DotEnvError(
            message: message, hint: hint,
            location: SourceLocation(file: file, line: line ?? self.line, column: column ?? self.column))
    }

    mutating func entries() throws(DotEnvError) -> [DotEnv.Entry] {
        var entries: [DotEnv.Entry] = []
        while current != nil {
            skipBlanks()
            if current == "#" {
                while !isAtLineEnd { advance() }
            }
            if isAtLineEnd {
                advance()
                continue
            }
            entries.append(try entry())
        }
        return entries
    }

    /// One `[export ]NAME=value [# comment]` line, from its first non-blank character.
    mutating func entry() throws(DotEnvError) -> DotEnv.Entry {
        let startLine = line
        var name = try self.name()
        if name == "export", current == " " || current == "\t" {
            skipBlanks()
            if !isAtLineEnd, current != "=" { name = try self.name() }
        }
        skipBlanks()
        guard current == "=" else {
            let found = isAtLineEnd ? "the end of the line" : "'\(printable(current))'"
            throw fail(
                "expected '=' after '\(name)' but found \(found)",
                hint: "write one NAME=value per line; '#' starts a comment")
        }
        advance()
        let afterEquals = position
        skipBlanks()
        let value: String
        switch current {
        case "'": value = try quoted(by: "'")
        case "\"": value = try quoted(by: "\"")
        default: value = unquoted(afterBlank: position > afterEquals)
        }
        advance()  // the line end
        return DotEnv.Entry(key: name, value: value, line: startLine)
    }

    mutating func name() throws(DotEnvError) -> String {
        var name = String.UnicodeScalarView()
        guard let first = current, Self.isNameStart(first) else {
            let found = isAtLineEnd ? "the end of the line" : "'\(printable(current))'"
            throw fail(
                "expected a name but found \(found)",
                hint: "a name starts with a letter or '_' and has letters, digits, '_', '.' or '-'")
        }
        while let c = current, Self.isNameStart(c) || (c >= "0" && c <= "9") || c == "." || c == "-" {
            name.append(c)
            advance()
        }
        return String(name)
    }

    /// An unquoted value: to the line end or a `#` after a blank (a comment), blanks trimmed.
    /// `afterBlank`: blanks came between `=` and the value, so a `#` at its start begins a comment.
    mutating func unquoted(afterBlank: Bool) -> String {
        var value = String.UnicodeScalarView()
        var trailingBlanks = 0
        while !isAtLineEnd, let c = current {
            if c == "#", value.isEmpty ? afterBlank : trailingBlanks > 0 {
                while !isAtLineEnd { advance() }
                break
            }
            value.append(c)
            trailingBlanks = c == " " || c == "\t" ? trailingBlanks + 1 : 0
            advance()
        }
        value.removeLast(trailingBlanks)
        return String(value)
    }

    /// A value in `quote`s, then the rest of its line (blanks and an optional comment).
    mutating func quoted(by quote: Unicode.Scalar) throws(DotEnvError) -> String {
        let openLine = line
        let openColumn = column
        advance()
        var value = String.UnicodeScalarView()
        while true {
            guard let c = current else {
                throw fail(
                    "the value quoted at line \(openLine) column \(openColumn) has no closing \(quote)",
                    hint: "end the value with \(quote)", line: openLine, column: openColumn)
            }
            if c == quote {
                advance()
                break
            }
            if c == "\r" || c == "\n" {
                value.append("\n")
                advance()
                continue
            }
            if quote == "\"", c == "\\" {
                let escapeColumn = column
                advance()
                switch current {
                case "n": value.append("\n")
                case "r": value.append("\r")
                case "t": value.append("\t")
                case "\"", "\\", "$", "'":
                    if let escaped = current { value.append(escaped) }
                default:
                    let found = isAtLineEnd ? "a backslash at the end of a line" : "'\\\(printable(current))'"
                    throw fail(
                        "unknown escape \(found) in a double-quoted value",
                        hint: #"write \\ for a backslash, or use single quotes, which keep every character"#,
                        column: escapeColumn)
                }
                advance()
                continue
            }
            value.append(c)
            advance()
        }
        skipBlanks()
        if current == "#" {
            while !isAtLineEnd { advance() }
        }
        guard isAtLineEnd else {
            throw fail(
                "unexpected '\(printable(current))' after the closing \(quote)",
                hint: "put a comment after a space and '#', or quote the whole value")
        }
        return String(value)
    }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    /// A scalar for a message, a control character escaped (`TerminalText.inline`).
    func printable(_ c: Unicode.Scalar?) -> String {
        c.map { TerminalText.inline(String($0)) } ?? ""
    }
}
