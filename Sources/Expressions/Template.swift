import Basics

/// A string with `${{ expression }}` parts, parsed once at load time.
///
/// A `{{ x }}` without the `$` is literal text: tool payloads often carry templates of their own.
/// A `}}` inside a quoted string of an expression does not end it.
package struct Template: Sendable, Hashable {
    /// A run of literal text, or one expression.
    package enum Part: Sendable, Hashable {
        /// Text copied as it is.
        case literal(String)
        /// A `${{ }}` expression.
        case expression(Expression)
    }

    /// The parts in order; an empty string has none.
    package var parts: [Part]

    /// Creates a template from parts.
    package init(parts: [Part]) {
        self.parts = parts
    }

    /// Parses a template.
    ///
    /// - Parameter text: the string as the user wrote it (after YAML unescaping).
    /// - Throws: `ExpressionError` for an unterminated `${{` or string, or any error of
    ///   `Expression.parse`; its `offset` counts Unicode scalars from the start of `text`.
    package static func parse(_ text: String) throws(ExpressionError) -> Template {
        let scalars = Array(text.unicodeScalars)
        var parts: [Part] = []
        var literal = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "$", i + 2 < scalars.count, scalars[i + 1] == "{", scalars[i + 2] == "{" else {
                literal.append(scalars[i])
                i += 1
                continue
            }
            let end = try closingBraces(in: scalars, openedAt: i)
            if !literal.isEmpty {
                parts.append(.literal(String(literal)))
                literal = String.UnicodeScalarView()
            }
            let source = String(String.UnicodeScalarView(scalars[(i + 3)..<end]))
            parts.append(.expression(try Expression.parse(source, offset: i + 3)))
            i = end + 2
        }
        if !literal.isEmpty { parts.append(.literal(String(literal))) }
        return Template(parts: parts)
    }

    /// The index of the `}}` that ends the expression opened at `start`, skipping quoted strings.
    private static func closingBraces(
        in scalars: [Unicode.Scalar], openedAt start: Int
    )
        throws(ExpressionError) -> Int
    {
        var quoteStart: Int?
        var j = start + 3
        while j < scalars.count {
            let c = scalars[j]
            if quoteStart != nil {
                if c == "'" { quoteStart = nil }  // `''` closes and reopens: an escaped quote
            } else if c == "'" {
                quoteStart = j
            } else if c == "}", j + 1 < scalars.count, scalars[j + 1] == "}" {
                return j
            }
            j += 1
        }
        if let quoteStart {
            throw ExpressionError(
                code: .syntax, message: "unterminated string",
                hint: "close the string with a single quote; write '' for a quote inside it", offset: quoteStart)
        }
        throw ExpressionError(
            code: .syntax, message: "unterminated '${{'", hint: "close the expression with '}}'", offset: start)
    }

    /// True when the text is exactly one `${{ }}`, with nothing around it (not even whitespace):
    /// its value keeps its JSON type.
    package var isSingleExpression: Bool {
        if parts.count == 1, case .expression = parts[0] { return true }
        return false
    }

    /// True when the template has no expression at all.
    package var isLiteral: Bool {
        !parts.contains { if case .expression = $0 { return true } else { return false } }
    }

    /// The expressions, in order.
    package var expressions: [Expression] {
        parts.compactMap { if case .expression(let expression) = $0 { return expression } else { return nil } }
    }

    /// Whether an expression of the template calls a status function (`success()`, `failure()`,
    /// `always()`, `cancelled()`).
    package var callsStatusFunction: Bool { expressions.contains(where: \.callsStatusFunction) }

    /// Every access path read by the template's expressions, for static checks.
    package var references: [Reference] { expressions.flatMap(\.references) }

    /// The template's text as written.
    package var text: String {
        var text = ""
        for part in parts {
            switch part {
            case .literal(let literal): text += literal
            case .expression(let expression): text += "${{" + expression.source + "}}"
            }
        }
        return text
    }

    /// Computes the template's value.
    ///
    /// A single expression keeps its JSON type. Otherwise the parts are joined as text: strings
    /// as they are, null as nothing, booleans and numbers as JSON, arrays and objects as compact JSON.
    /// The result is secret when any part is.
    /// - Throws: `ExpressionError` from the first expression that fails; see `Expression.evaluate(in:)`.
    package func evaluate(in context: EvaluationContext) throws(ExpressionError) -> Evaluated {
        if parts.count == 1 {
            switch parts[0] {
            case .expression(let expression): return try expression.evaluate(in: context)
            case .literal(let literal): return Evaluated(value: .string(literal))
            }
        }
        var text = ""
        var isSecret = false
        for part in parts {
            switch part {
            case .literal(let literal):
                text += literal
            case .expression(let expression):
                let result = try expression.evaluate(in: context)
                text += result.value.interpolationText
                isSecret = isSecret || result.isSecret
            }
        }
        return Evaluated(value: .string(text), isSecret: isSecret)
    }
}
