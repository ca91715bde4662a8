import Basics
import Expressions
import YAML

/// Collects problems while decoding, so that `validate` reports all of them in one pass.
struct ProblemCollector {
    var problems: [WorkflowError] = []

    mutating func add(
        _ code: WorkflowError.Code, _ message: String, at location: SourceLocation?, hint: String? = nil,
        step: String? = nil, server: String? = nil
    ) {
        problems.append(
            WorkflowError(
                code: code, message: message, hint: hint,
                context: ErrorContext(location: location, step: step, server: server)))
    }
}

/// A mapping node's entries by key, with unknown keys reported against a list of known ones.
struct Fields {
    let node: YAMLNode
    private(set) var entries: [(key: String, keyNode: YAMLNode, value: YAMLNode)] = []

    /// Reads `node` as a mapping described as `what` (e.g. "server 'jira'"); nil (with a problem) when it is not one.
    init?(_ node: YAMLNode, what: String, known: [String], problems: inout ProblemCollector) {
        self.node = node
        guard let mapping = node.mappingEntries else {
            problems.add(
                .wrongType(what), "\(what) must be a mapping, not a \(node.kindName)", at: node.location)
            return nil
        }
        for entry in mapping {
            // A collection as a key is reported once, by `WorkflowLoader.reportCollectionKeys`.
            guard let key = entry.key.scalarText else { continue }
            if !known.contains(key) {
                let suggestion = nearestMatch(to: key, in: known)
                problems.add(
                    .unknownKey(key), "unknown key '\(key)' in \(what)", at: entry.key.location,
                    hint: suggestion.map { "did you mean '\($0)'?" } ?? "known keys are \(known.quotedList)")
                continue
            }
            entries.append((key, entry.key, entry.value))
        }
    }

    subscript(key: String) -> YAMLNode? {
        entries.first { $0.key == key }?.value
    }

    func keyLocation(_ key: String) -> SourceLocation? {
        entries.first { $0.key == key }?.keyNode.location
    }
}

/// Typed readers for scalar fields; each reports a wrong type at the value's location.
enum Read {
    static func string(_ node: YAMLNode?, _ what: String, _ problems: inout ProblemCollector) -> String? {
        guard let node else { return nil }
        switch node.kind {
        case .scalar(let scalar):
            switch scalar.value {
            case .null: return nil
            case .string(let s): return s
            case .integer, .double, .bool: return scalar.text
            default: return scalar.text
            }
        default:
            problems.add(.wrongType(what), "\(what) must be a string, not a \(node.kindName)", at: node.location)
            return nil
        }
    }

    /// A string of a key that is not templated: a `${{` in it would be sent as written, so it is
    /// reported (`cwd: ${{ env.HOME }}` would otherwise fail at run time with a misleading path).
    static func untemplated(
        _ node: YAMLNode?, _ what: String, _ problems: inout ProblemCollector, required: Bool = false
    ) -> String? {
        let text = required ? requiredString(node, what, &problems) : string(node, what, &problems)
        if let node, let text, text.contains("${{") {
            problems.add(
                .invalidValue(what), "\(what) is not templated, so '${{' in it would be taken literally",
                at: node.location, hint: "write the value itself; templates work in the keys the docs mark 'template'")
            return nil
        }
        return text
    }

    /// A string that must be given when its key is: null (`tool: ~`, `tool:`) and empty text are
    /// reported instead of being read as absent, which would hide the mistake.
    static func requiredString(_ node: YAMLNode?, _ what: String, _ problems: inout ProblemCollector) -> String? {
        guard let node else { return nil }
        if case .scalar(let scalar) = node.kind {
            if scalar.value.isNull {
                problems.add(
                    .wrongType(what), "\(what) must be a string, not null", at: node.location,
                    hint: "write the value after the colon, or remove the key")
                return nil
            }
            if scalar.text.isEmpty {
                problems.add(.invalidValue(what), "\(what) must not be empty", at: node.location)
                return nil
            }
        }
        return string(node, what, &problems)
    }

    /// A template whose key must have a value: null is reported, as `requiredString` does.
    static func requiredTemplate(
        _ node: YAMLNode?, _ what: String, _ problems: inout ProblemCollector
    ) -> TemplateValue? {
        guard let node else { return nil }
        if case .scalar = node.kind, requiredString(node, what, &problems) == nil { return nil }
        return template(node, &problems)
    }

    /// An integer in `range`; a value outside it is reported with the range, at the value's location.
    static func integer(
        _ node: YAMLNode?, _ what: String, _ problems: inout ProblemCollector, range: ClosedRange<Int>,
        unit: String = ""
    ) -> Int? {
        guard let node else { return nil }
        if case .scalar(let scalar) = node.kind, case .integer(let value) = scalar.value {
            guard range.contains(value) else {
                problems.add(
                    .invalidValue(what),
                    "\(what) must be from \(range.lowerBound) to \(range.upperBound)\(unit), not \(value)",
                    at: node.location, hint: "write a whole number from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return value
        }
        if case .scalar(let scalar) = node.kind, case .double(let d) = scalar.value, d.rounded() == d {
            // A whole number too large for 64 bits (`99999999999999999999`, `1e300`).
            problems.add(
                .invalidValue(what),
                "\(what) must be from \(range.lowerBound) to \(range.upperBound)\(unit), not \(scalar.text)",
                at: node.location, hint: "write a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        problems.add(.wrongType(what), "\(what) must be an integer, not \(describe(node))", at: node.location)
        return nil
    }

    static func bool(_ node: YAMLNode?, _ what: String, _ problems: inout ProblemCollector) -> Bool? {
        guard let node else { return nil }
        if case .scalar(let scalar) = node.kind, case .bool(let value) = scalar.value { return value }
        problems.add(
            .wrongType(what), "\(what) must be true or false, not \(describe(node))", at: node.location,
            hint: "YAML 1.2 reads yes, no, on and off as strings: write true or false")
        return nil
    }

    static func stringList(_ node: YAMLNode?, _ what: String, _ problems: inout ProblemCollector) -> [String]? {
        guard let node else { return nil }
        if let single = node.scalarText, case .scalar = node.kind { return [single] }
        guard let elements = node.sequenceElements else {
            problems.add(
                .wrongType(what), "\(what) must be a list of strings, not a \(node.kindName)", at: node.location)
            return nil
        }
        var result: [String] = []
        for element in elements {
            if let s = string(element, what, &problems) { result.append(s) }
        }
        return result
    }

    static func oneOf<T: RawRepresentable & CaseIterable>(
        _ node: YAMLNode?, _ what: String, _ problems: inout ProblemCollector
    ) -> T? where T.RawValue == String {
        guard let node, let text = string(node, what, &problems) else { return nil }
        if let value = T(rawValue: text) { return value }
        let allowed = T.allCases.map(\.rawValue)
        problems.add(
            .invalidValue(what), "\(what) must be one of \(allowed.quotedList), not '\(text)'", at: node.location,
            hint: nearestMatch(to: text, in: allowed).map { "did you mean '\($0)'?" })
        return nil
    }

    /// A value of any shape whose strings may hold templates.
    static func template(_ node: YAMLNode, _ problems: inout ProblemCollector) -> TemplateValue {
        switch node.kind {
        case .scalar(let scalar):
            checkFinite(node, "the value", &problems)
            guard case .string(let text) = scalar.value, text.contains("${{") else { return .literal(scalar.value) }
            guard let string = templateString(node, problems: &problems) else { return .literal(.string(text)) }
            return .template(string)
        case .sequence(let elements):
            let values = elements.map { template($0, &problems) }
            if values.allSatisfy(\.isLiteral) { return .literal(.array(values.compactMap(\.literalValue))) }
            return .array(values)
        case .mapping(let entries):
            var members: [String: TemplateValue] = [:]
            for entry in entries {
                // A collection as a key is reported by `WorkflowLoader.reportCollectionKeys`.
                guard let key = entry.key.scalarText else { continue }
                members[key] = template(entry.value, &problems)
            }
            if members.values.allSatisfy(\.isLiteral) {
                return .literal(.object(members.compactMapValues(\.literalValue)))
            }
            return .object(members)
        }
    }

    /// The scalar at `node` as a template; `bareExpression` treats text without `${{` as one expression (`if:`).
    static func templateString(
        _ node: YAMLNode, bareExpression: Bool = false, problems: inout ProblemCollector
    ) -> TemplateString? {
        guard case .scalar(let scalar) = node.kind else {
            problems.add(.wrongType("expression"), "expected an expression, not a \(node.kindName)", at: node.location)
            return nil
        }
        var text = scalar.text
        if case .bool(let b) = scalar.value { text = b ? "true" : "false" }
        let origin = origin(of: node, scalar: scalar)
        var source = text
        var shift = 0
        if bareExpression, !text.contains("${{") {
            source = "${{ " + text + " }}"
            shift = 4
        }
        do {
            let template = try Template.parse(source)
            let adjusted = TextOrigin(
                start: origin.start.advanced(byColumns: -shift), text: source,
                startsOnNextLine: origin.startsOnNextLine, continuationColumn: origin.continuationColumn)
            return TemplateString(template: template, origin: shift == 0 ? origin : adjusted)
        } catch let error {
            problems.add(
                .expression, error.message, at: origin.location(at: max(0, error.offset - shift)), hint: error.hint)
            return nil
        }
    }

    static func origin(of node: YAMLNode, scalar: YAMLScalar) -> TextOrigin {
        switch scalar.style {
        case .singleQuoted, .doubleQuoted:
            return TextOrigin(start: node.location.advanced(byColumns: 1), text: scalar.text)
        case .literal, .folded:
            return TextOrigin(
                start: node.location, text: scalar.text, startsOnNextLine: true,
                continuationColumn: max(1, node.location.column))
        case .plain:
            return TextOrigin(start: node.location, text: scalar.text)
        }
    }

    static func describe(_ node: YAMLNode) -> String {
        if case .scalar(let scalar) = node.kind { return "'\(scalar.text)'" }
        return "a \(node.kindName)"
    }
}
