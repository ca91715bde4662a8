import Basics

/// One call of a built-in, with its arguments already evaluated (every one but `default()`'s).
struct Call {
    var function: Function
    var node: Node
    var argumentNodes: [Node]
    var arguments: [Evaluated]

    func value(_ i: Int) -> JSONValue { arguments[i].value }

    /// A `.badArguments` error at argument `i`.
    func bad(_ i: Int, _ problem: String, hint: String? = nil) -> ExpressionError {
        ExpressionError(
            code: .badArguments, message: "\(function.rawValue)(): \(problem)",
            hint: hint ?? "call it as \(function.signature)",
            offset: argumentNodes.indices.contains(i) ? argumentNodes[i].start : node.start)
    }

    /// Argument `i` as a string, else a `.badArguments` error naming what it is.
    func string(_ i: Int, _ role: String) throws(ExpressionError) -> String {
        guard case .string(let s) = value(i) else {
            throw bad(i, "the \(role) must be a string, not \(value(i).typeDescription)")
        }
        return s
    }

    /// Argument `i` as user-visible text, `***` when it is secret.
    func shown(_ i: Int) -> String { arguments[i].isSecret ? "***" : value(i).interpolationText }
}

extension Evaluator {
    /// Computes a built-in other than `default()`; the caller works out the taint.
    func call(_ call: Call) throws(ExpressionError) -> JSONValue {
        switch call.function {
        case .toJSON:
            return .string(call.value(0).serialized())
        case .fromJSON:
            let text = try call.string(0, "argument")
            do {
                return try JSONValue.parse(text)
            } catch {
                // The parse error quotes the text it stopped at: not for a secret's text.
                guard !call.arguments[0].isSecret else { throw call.bad(0, "the argument is not valid JSON") }
                var failure = call.bad(0, "the argument is not valid JSON (\(error.description))")
                failure.underlying = error
                throw failure
            }
        case .contains:
            return .bool(try contains(call))
        case .startsWith:
            return .bool(try call.string(0, "text").hasPrefix(try call.string(1, "prefix")))
        case .endsWith:
            return .bool(try call.string(0, "text").hasSuffix(try call.string(1, "suffix")))
        case .format:
            return .string(try format(call))
        case .join:
            return try join(call)
        case .length:
            switch call.value(0) {
            case .string(let s): return .integer(s.count)
            case .array(let a): return .integer(a.count)
            case .object(let o): return .integer(o.count)
            default:
                throw call.bad(0, "takes a string, an array or an object, not \(call.value(0).typeDescription)")
            }
        case .default:
            preconditionFailure("invariant: default() is evaluated lazily by evaluateDefault")
        case .now:
            return .string(try instant(seconds: context.now(), call: call).iso8601)
        case .success, .failure, .always, .cancelled:
            guard let state = context.runState else {
                throw ExpressionError(
                    code: .badArguments, message: "\(call.function.rawValue)() can only be used in a step's 'if'",
                    hint: "status functions decide whether a step runs: 'if: ${{ failure() }}'", offset: call.node.start
                )
            }
            switch call.function {
            case .success: return .bool(!state.hasFailedDependency && !state.isCancelled)
            case .failure: return .bool(state.hasFailedDependency)
            case .cancelled: return .bool(state.isCancelled)
            default: return .bool(true)
            }
        case .formatDate:
            return .string(try formatDate(call))
        case .map:
            return try map(call)
        case .keys:
            guard case .object(let members) = call.value(0) else {
                throw call.bad(0, "takes an object, not \(call.value(0).typeDescription)")
            }
            return .array(members.keys.sorted().map { .string($0) })
        case .lower:
            return .string(try call.string(0, "argument").lowercased())
        case .upper:
            return .string(try call.string(0, "argument").uppercased())
        case .trim:
            let text = try call.string(0, "argument")
            let start = text.firstIndex { !$0.isWhitespace } ?? text.endIndex
            let end = text.lastIndex { !$0.isWhitespace }.map { text.index(after: $0) } ?? start
            return .string(String(text[start..<max(start, end)]))
        }
    }

    private func contains(_ call: Call) throws(ExpressionError) -> Bool {
        switch call.value(0) {
        case .array(let elements):
            let needle = call.value(1)
            return elements.contains { $0.isEqualForExpressions(to: needle) }
        case .string(let haystack):
            switch call.value(1) {
            case .array, .object:
                throw call.bad(1, "cannot look for \(call.value(1).typeDescription) in a string")
            case let needle:
                let text = needle.interpolationText
                return text.isEmpty || haystack.contains(text)
            }
        default:
            throw call.bad(0, "looks in a string or an array, not \(call.value(0).typeDescription)")
        }
    }

    /// `format('{0} and {1}', a, b)`; `{{` and `}}` are literal braces.
    private func format(_ call: Call) throws(ExpressionError) -> String {
        let pattern = Array(try call.string(0, "format string").unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < pattern.count {
            let c = pattern[i]
            if c == "{", i + 1 < pattern.count, pattern[i + 1] == "{" {
                out.append("{")
                i += 2
            } else if c == "}", i + 1 < pattern.count, pattern[i + 1] == "}" {
                out.append("}")
                i += 2
            } else if c == "{" {
                var j = i + 1
                var number = 0
                while j < pattern.count, let digit = decimalDigit(pattern[j]), number < 1_000_000 {
                    number = number * 10 + digit
                    j += 1
                }
                guard j > i + 1, j < pattern.count, pattern[j] == "}" else {
                    throw call.bad(
                        0, "'{' at position \(i) is not a placeholder like '{0}'", hint: "write '{{' for a brace")
                }
                guard number + 1 < call.arguments.count else {
                    let given = call.arguments.count - 1
                    throw call.bad(
                        0, "'{\(number)}' has no argument: \(given == 1 ? "1 was" : "\(given) were") given")
                }
                out.append(contentsOf: call.value(number + 1).interpolationText.unicodeScalars)
                i = j + 1
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(out)
    }

    private func join(_ call: Call) throws(ExpressionError) -> JSONValue {
        let separator = call.arguments.count > 1 ? try call.string(1, "separator") : ","
        switch call.value(0) {
        case .array(let elements): return .string(elements.map(\.interpolationText).joined(separator: separator))
        case .string: return call.value(0)
        default: throw call.bad(0, "takes an array, not \(call.value(0).typeDescription)")
        }
    }

    /// `map(list, 'a.b')`: the value at a dotted path in each element; a numeric segment indexes an array.
    private func map(_ call: Call) throws(ExpressionError) -> JSONValue {
        guard case .array(let elements) = call.value(0) else {
            throw call.bad(0, "takes an array, not \(call.value(0).typeDescription)")
        }
        let path = try call.string(1, "path")
        let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.isEmpty, !segments.contains("") else {
            throw call.bad(1, "'\(path)' is not a dotted path like 'fields.name'")
        }
        var plucked: [JSONValue] = []
        plucked.reserveCapacity(elements.count)
        for (position, element) in elements.enumerated() {
            var value = element
            for (depth, segment) in segments.enumerated() {
                let next: JSONValue?
                switch value {
                case .object(let members): next = members[segment]
                case .array(let items): next = Int(segment).flatMap { items.indices.contains($0) ? items[$0] : nil }
                default: next = nil
                }
                guard let next else {
                    guard !isGuarded else { throw caughtMissing(call.node) }
                    let reached = segments.prefix(depth).joined(separator: ".")
                    let whose = reached.isEmpty ? "element \(position)" : "'\(reached)' of element \(position)"
                    var hint = "write default(\(expression.text(of: call.node)), fallback) where it may be missing"
                    if case .object(let members) = value, !members.isEmpty {
                        hint = "it has " + Self.abbreviatedList(members.keys.sorted()) + "; " + hint
                    }
                    let written = expression.text(of: call.node)
                    throw ExpressionError(
                        code: .missingProperty,
                        message: "'\(written)' is missing: \(whose) has no property '\(segment)'", hint: hint,
                        offset: call.node.start)
                }
                value = next
            }
            plucked.append(value)
        }
        return .array(plucked)
    }

    private func formatDate(_ call: Call) throws(ExpressionError) -> String {
        let date: UTCDateTime
        switch call.value(0) {
        case .integer, .double:
            date = try instant(seconds: call.value(0).doubleValue ?? .nan, call: call)
        case .string(let text):
            guard let parsed = UTCDateTime(iso8601: text) else {
                throw call.bad(
                    0, "'\(call.shown(0))' is not an ISO 8601 date",
                    hint: "pass a date like '2026-11-24T07:00:00Z' or epoch seconds")
            }
            date = parsed
        default:
            throw call.bad(
                0, "the date must be an ISO 8601 string or epoch seconds, not \(call.value(0).typeDescription)")
        }
        let pattern = try call.string(1, "pattern")
        do {
            return try date.formatted(pattern: pattern)
        } catch {
            throw call.bad(1, error.message, hint: "use yyyy, yy, MM, dd, HH, mm, ss, SSS and 'quoted text'")
        }
    }

    private func instant(seconds: Double, call: Call) throws(ExpressionError) -> UTCDateTime {
        guard let date = UTCDateTime(secondsSinceEpoch: seconds) else {
            throw call.bad(0, "the time is out of range")
        }
        return date
    }
}

/// The value of an ASCII digit, else nil.
func decimalDigit(_ c: Unicode.Scalar) -> Int? {
    c.value >= 48 && c.value <= 57 ? Int(c.value - 48) : nil
}
