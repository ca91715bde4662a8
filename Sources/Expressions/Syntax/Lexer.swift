import Basics

/// A token of the expression language.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        /// A name: `[A-Za-z_][A-Za-z0-9_-]*`, a `-` only when a name character follows it. Keywords too.
        case identifier(String)
        case number(JSONValue)
        case string(String)
        case symbol(Symbol)
        case end
    }

    var kind: Kind
    /// Scalar offset in the template text.
    var start: Int
    /// Scalar offset just past the token.
    var end: Int

    /// How an error message names this token.
    var quoted: String {
        switch kind {
        case .identifier(let name): return "'\(name)'"
        case .number(let value): return "'\(value.serialized())'"
        case .string: return "a string"
        case .symbol(let symbol): return "'\(symbol.rawValue)'"
        case .end: return "the end of the expression"
        }
    }
}

/// Punctuation and operators; the raw value is the spelling.
enum Symbol: String, Sendable {
    case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]", dot = ".", comma = ","
    case not = "!", equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">"
    case greaterOrEqual = ">=", and = "&&", or = "||", plus = "+", minus = "-", star = "*", slash = "/"
}

/// Splits expression source into tokens.
///
/// Strings are single-quoted with `''` for a quote, as in GitHub Actions. Names may contain `-`
/// (step ids such as `fetch-data` do), so subtraction needs a space before the `-`: `a - b`.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private let base: Int
    private var position = 0

    /// - Parameters:
    ///   - text: the expression source.
    ///   - offset: the scalar offset of `text` in the template text.
    init(_ text: String, offset: Int) {
        scalars = Array(text.unicodeScalars)
        base = offset
    }

    /// All tokens, ending with `.end`.
    /// - Throws: `ExpressionError` `.syntax` for an unterminated string or an unexpected character.
    mutating func tokenize() throws(ExpressionError) -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = try next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        let index = position + ahead
        return index < scalars.count ? scalars[index] : nil
    }

    private mutating func next() throws(ExpressionError) -> Token {
        while let c = peek(), c == " " || c == "\t" || c == "\n" || c == "\r" { position += 1 }
        let start = position
        guard let c = peek() else { return Token(kind: .end, start: base + start, end: base + start) }
        if Self.isNameStart(c) { return identifier() }
        if Self.isDigit(c) { return number() }
        if c == "'" { return try string() }
        position += 1
        let symbol: Symbol
        switch c {
        case "(": symbol = .leftParen
        case ")": symbol = .rightParen
        case "[": symbol = .leftBracket
        case "]": symbol = .rightBracket
        case ".": symbol = .dot
        case ",": symbol = .comma
        case "+": symbol = .plus
        case "-": symbol = .minus
        case "*": symbol = .star
        case "/": symbol = .slash
        case "!": symbol = take("=") ? .notEqual : .not
        case "<": symbol = take("=") ? .lessOrEqual : .less
        case ">": symbol = take("=") ? .greaterOrEqual : .greater
        case "=":
            guard take("=") else { throw unexpected(c, at: start, hint: "compare with '=='") }
            symbol = .equal
        case "&":
            guard take("&") else { throw unexpected(c, at: start, hint: "write '&&' for 'and'") }
            symbol = .and
        case "|":
            guard take("|") else { throw unexpected(c, at: start, hint: "write '||' for 'or'") }
            symbol = .or
        case "\"": throw unexpected(c, at: start, hint: "quote strings with single quotes: 'text'")
        default: throw unexpected(c, at: start, hint: nil)
        }
        return Token(kind: .symbol(symbol), start: base + start, end: base + position)
    }

    private mutating func take(_ expected: Unicode.Scalar) -> Bool {
        guard peek() == expected else { return false }
        position += 1
        return true
    }

    private func unexpected(_ c: Unicode.Scalar, at offset: Int, hint: String?) -> ExpressionError {
        ExpressionError(code: .syntax, message: "unexpected character '\(c)'", hint: hint, offset: base + offset)
    }

    private mutating func identifier() -> Token {
        let start = position
        position += 1
        while let c = peek() {
            if Self.isNameStart(c) || Self.isDigit(c) {
                position += 1
            } else if c == "-", let after = peek(1), Self.isNameStart(after) || Self.isDigit(after) {
                position += 1
            } else {
                break
            }
        }
        let name = String(String.UnicodeScalarView(scalars[start..<position]))
        return Token(kind: .identifier(name), start: base + start, end: base + position)
    }

    private mutating func number() -> Token {
        let start = position
        var isInteger = true
        while let c = peek(), Self.isDigit(c) { position += 1 }
        if peek() == ".", let after = peek(1), Self.isDigit(after) {
            isInteger = false
            position += 1
            while let c = peek(), Self.isDigit(c) { position += 1 }
        }
        if let e = peek(), e == "e" || e == "E" {
            var ahead = 1
            if let sign = peek(1), sign == "+" || sign == "-" { ahead = 2 }
            if let digit = peek(ahead), Self.isDigit(digit) {
                isInteger = false
                position += ahead
                while let c = peek(), Self.isDigit(c) { position += 1 }
            }
        }
        let text = String(String.UnicodeScalarView(scalars[start..<position]))
        let value: JSONValue
        if isInteger, let integer = Int(text) {
            value = .integer(integer)
        } else {
            value = .double(Double(text) ?? .infinity)
        }
        return Token(kind: .number(value), start: base + start, end: base + position)
    }

    private mutating func string() throws(ExpressionError) -> Token {
        let start = position
        position += 1
        var text = String.UnicodeScalarView()
        while let c = peek() {
            position += 1
            if c == "'" {
                guard peek() == "'" else {
                    return Token(kind: .string(String(text)), start: base + start, end: base + position)
                }
                position += 1
            }
            text.append(c)
        }
        throw ExpressionError(
            code: .syntax, message: "unterminated string",
            hint: "close the string with a single quote; write '' for a quote inside it", offset: base + start)
    }

    private static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
}
