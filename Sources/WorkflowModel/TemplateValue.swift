import Basics
import Expressions

/// A JSON-shaped value from YAML whose strings may hold `${{ }}` templates, parsed at load time.
package indirect enum TemplateValue: Sendable {
    /// A value with no template inside.
    case literal(JSONValue)
    /// A string holding at least one `${{ }}`.
    case template(TemplateString)
    /// An array whose elements may hold templates.
    case array([TemplateValue])
    /// An object whose values may hold templates.
    case object([String: TemplateValue])
}

/// One templated string with the source position of its scalar, so errors map back to file:line:col.
package struct TemplateString: Sendable {
    /// The parsed template.
    package var template: Template
    /// Where the scalar's text starts.
    package var origin: TextOrigin
}

/// Maps a scalar offset within a string back to file:line:col.
package struct TextOrigin: Sendable {
    /// The location of the first character of the text.
    package var start: SourceLocation
    /// The text itself, to count lines.
    package var text: String
    /// Whether the text starts on the line after `start` (block scalars).
    package var startsOnNextLine: Bool
    /// The column of continuation lines (block scalars' indentation), 1-based.
    package var continuationColumn: Int

    /// Creates an origin.
    package init(start: SourceLocation, text: String, startsOnNextLine: Bool = false, continuationColumn: Int = 1) {
        self.start = start
        self.text = text
        self.startsOnNextLine = startsOnNextLine
        self.continuationColumn = continuationColumn
    }

    /// The file:line:col of the Unicode scalar at `offset` in the text.
    package func location(at offset: Int) -> SourceLocation {
        var line = start.line + (startsOnNextLine ? 1 : 0)
        var column = startsOnNextLine ? continuationColumn : start.column
        var index = 0
        for scalar in text.unicodeScalars {
            if index >= offset { break }
            if scalar == "\n" {
                line += 1
                column = continuationColumn
            } else {
                column += 1
            }
            index += 1
        }
        return SourceLocation(file: start.file, line: line, column: column)
    }
}

extension TemplateValue {
    /// Whether no template is inside.
    package var isLiteral: Bool {
        if case .literal = self { return true }
        return false
    }

    /// Evaluates every template inside, keeping the JSON shape.
    ///
    /// A value placed inside the YAML structure around it may not make the result nest deeper
    /// than `JSONValue.maximumNesting`: without that bound, each step's `outputs` could wrap the
    /// one before and grow a value too deep to serialize.
    /// - Throws: `ExpressionError` with its context's location set to the template's file:line:col.
    package func evaluate(in context: EvaluationContext) throws -> Evaluated {
        try evaluate(in: context, level: 0)
    }

    /// `level`: how many arrays and objects of the YAML structure enclose this value.
    private func evaluate(in context: EvaluationContext, level: Int) throws -> Evaluated {
        switch self {
        case .literal(let value):
            return Evaluated(value: value, isSecret: false)
        case .template(let string):
            let evaluated: Evaluated
            do {
                evaluated = try string.template.evaluate(in: context)
            } catch let error {
                var located = error
                located.context.location = located.context.location ?? string.origin.location(at: error.offset)
                throw located
            }
            if level + evaluated.value.nestingDepth > JSONValue.maximumNesting {
                throw ExpressionError(
                    code: .tooDeep,
                    message: "the value would nest more than \(JSONValue.maximumNesting) levels of arrays and objects",
                    hint: "pass a smaller part of it, e.g. one property instead of the whole result", offset: 0,
                    context: ErrorContext(location: string.origin.location(at: 0)))
            }
            return evaluated
        case .array(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            var isSecret = false
            for element in elements {
                let evaluated = try element.evaluate(in: context, level: level + 1)
                values.append(evaluated.value)
                isSecret = isSecret || evaluated.isSecret
            }
            return Evaluated(value: .array(values), isSecret: isSecret)
        case .object(let members):
            var values: [String: JSONValue] = [:]
            var isSecret = false
            for (key, member) in members {
                let evaluated = try member.evaluate(in: context, level: level + 1)
                values[key] = evaluated.value
                isSecret = isSecret || evaluated.isSecret
            }
            return Evaluated(value: .object(values), isSecret: isSecret)
        }
    }

    /// Every template inside, for static checks.
    package var templates: [TemplateString] {
        switch self {
        case .literal: return []
        case .template(let string): return [string]
        case .array(let elements): return elements.flatMap(\.templates)
        case .object(let members): return members.keys.sorted().compactMap { members[$0] }.flatMap(\.templates)
        }
    }

    /// The value when it holds no template, else nil.
    package var literalValue: JSONValue? {
        switch self {
        case .literal(let value): return value
        case .template: return nil
        case .array(let elements):
            var values: [JSONValue] = []
            for element in elements {
                guard let value = element.literalValue else { return nil }
                values.append(value)
            }
            return .array(values)
        case .object(let members):
            var values: [String: JSONValue] = [:]
            for (key, member) in members {
                guard let value = member.literalValue else { return nil }
                values[key] = value
            }
            return .object(values)
        }
    }
}

extension TemplateValue {
    /// `text` given outside a file (a command-line option named by `origin`'s file): a literal
    /// string, or a template when it holds `${{ }}`.
    /// - Throws: `ExpressionError` for a malformed expression.
    package static func parsing(_ text: String, origin: SourceLocation) throws(ExpressionError) -> TemplateValue {
        let template = try Template.parse(text)
        if template.isLiteral { return .literal(.string(text)) }
        return .template(TemplateString(template: template, origin: TextOrigin(start: origin, text: text)))
    }
}
