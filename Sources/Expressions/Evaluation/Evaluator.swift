import Basics

/// Walks a parsed expression against an `EvaluationContext`.
///
/// Values carry a taint flag: anything read through a secret root is secret, and so is anything
/// computed from a secret. Error messages never show a secret value.
struct Evaluator {
    let context: EvaluationContext
    let expression: Expression
    /// True inside the first argument of `default()`, which catches every missing property: such
    /// errors are thrown without their message and hint, which nobody would read.
    var isGuarded = false

    func evaluate(_ node: Node) throws(ExpressionError) -> Evaluated {
        switch node.kind {
        case .literal(let value):
            return Evaluated(value: value)
        case .variable(let name):
            guard let value = context.variables[name] else { throw unknownName(name, at: node) }
            return Evaluated(value: value, isSecret: context.secretRoots.contains(name))
        case .member(let baseNode, let name):
            let base = try evaluate(baseNode)
            return try property(name, isSecret: false, of: base, baseNode: baseNode, node: node)
        case .index(let baseNode, let indexNode):
            let base = try evaluate(baseNode)
            let index = try evaluate(indexNode)
            switch index.value {
            case .string(let name):
                return try property(name, isSecret: index.isSecret, of: base, baseNode: baseNode, node: node)
            case .integer, .double:
                // A whole number beyond Int (1e300) is outside every array: a missing element.
                let whole = index.value.doubleValue.map { $0.rounded() == $0 } ?? false
                guard let position = index.value.intValue ?? (whole ? Int.max : nil) else { break }
                return try element(position, isSecret: index.isSecret, of: base, baseNode: baseNode, node: node)
            default:
                break
            }
            let problem =
                index.value.doubleValue != nil
                ? "an array index must be a whole number"
                : "an index must be a string or a whole number, not \(index.value.typeDescription)"
            throw ExpressionError(code: .typeMismatch, message: problem, offset: indexNode.start)
        case .unary(.not, let operandNode):
            let operand = try evaluate(operandNode)
            return Evaluated(value: .bool(!operand.value.isTruthy), isSecret: operand.isSecret)
        case .unary(.negate, let operandNode):
            let operand = try evaluate(operandNode)
            switch operand.value {
            case .integer(let i):
                let (negated, overflow) = Int(0).subtractingReportingOverflow(i)
                return Evaluated(value: overflow ? .double(-Double(i)) : .integer(negated), isSecret: operand.isSecret)
            case .double(let d):
                return Evaluated(value: .double(-d), isSecret: operand.isSecret)
            default:
                throw ExpressionError(
                    code: .typeMismatch, message: "cannot negate \(operand.value.typeDescription)", offset: node.start)
            }
        case .binary(.and, let leftNode, let rightNode):
            let left = try evaluate(leftNode)
            guard left.value.isTruthy else { return left }
            let right = try evaluate(rightNode)
            return Evaluated(value: right.value, isSecret: left.isSecret || right.isSecret)
        case .binary(.or, let leftNode, let rightNode):
            let left = try evaluate(leftNode)
            if left.value.isTruthy { return left }
            let right = try evaluate(rightNode)
            return Evaluated(value: right.value, isSecret: left.isSecret || right.isSecret)
        case .binary(let op, let leftNode, let rightNode):
            let left = try evaluate(leftNode)
            let right = try evaluate(rightNode)
            let value = try binary(op, left.value, right.value, node: node)
            return Evaluated(value: value, isSecret: left.isSecret || right.isSecret)
        case .call(.default, let arguments):
            return try evaluateDefault(arguments)
        case .call(let function, let argumentNodes):
            var arguments: [Evaluated] = []
            arguments.reserveCapacity(argumentNodes.count)
            var isSecret = false
            for argumentNode in argumentNodes {
                let argument = try evaluate(argumentNode)
                arguments.append(argument)
                isSecret = isSecret || argument.isSecret
            }
            let call = Call(function: function, node: node, argumentNodes: argumentNodes, arguments: arguments)
            return Evaluated(value: try self.call(call), isSecret: isSecret)
        }
    }

    /// `default(value, fallback)`: the fallback when the value is missing or null.
    private func evaluateDefault(_ arguments: [Node]) throws(ExpressionError) -> Evaluated {
        guard arguments.count == 2 else {
            preconditionFailure("invariant: the parser checks that default() has 2 arguments")
        }
        var guarded = self
        guarded.isGuarded = true
        let value: Evaluated
        do {
            value = try guarded.evaluate(arguments[0])
        } catch let error where error.code == .missingProperty {
            return try evaluate(arguments[1])
        }
        guard value.value.isNull else { return value }
        let fallback = try evaluate(arguments[1])
        return Evaluated(value: fallback.value, isSecret: fallback.isSecret || value.isSecret)
    }

    // MARK: - Access

    private func property(
        _ name: String, isSecret keyIsSecret: Bool, of base: Evaluated, baseNode: Node, node: Node
    ) throws(ExpressionError) -> Evaluated {
        let shownName = keyIsSecret ? "***" : name
        guard case .object(let members) = base.value else {
            guard !isGuarded else { throw caughtMissing(node) }
            throw missing(node, reason: notContainer(base.value, baseNode: baseNode, wanted: "an object"))
        }
        if let value = members[name] { return Evaluated(value: value, isSecret: base.isSecret || keyIsSecret) }
        guard !isGuarded else { throw caughtMissing(node) }
        let keys = members.keys.sorted()
        var hint: String
        if keys.isEmpty {
            hint = "'\(label(baseNode))' is an empty object"
        } else {
            var ordered = keys
            var suggestion = ""
            if !keyIsSecret, let near = nearestMatch(to: name, in: keys), let at = ordered.firstIndex(of: near) {
                ordered.remove(at: at)
                ordered.insert(near, at: 0)
                suggestion = "did you mean '\(near)'? "
            }
            hint = suggestion + "'\(label(baseNode))' has " + Self.abbreviatedList(ordered)
        }
        if !keyIsSecret, let prefix = name.split(separator: "-").first, prefix.count < name.count,
            members[String(prefix)] != nil
        {
            hint += "; put spaces around '-' to subtract"
        }
        throw missing(node, reason: "'\(label(baseNode))' has no property '\(shownName)'", hint: hint)
    }

    private func element(
        _ position: Int, isSecret indexIsSecret: Bool, of base: Evaluated, baseNode: Node, node: Node
    ) throws(ExpressionError) -> Evaluated {
        guard case .array(let elements) = base.value else {
            guard !isGuarded else { throw caughtMissing(node) }
            throw missing(node, reason: notContainer(base.value, baseNode: baseNode, wanted: "an array"))
        }
        if elements.indices.contains(position) {
            return Evaluated(value: elements[position], isSecret: base.isSecret || indexIsSecret)
        }
        guard !isGuarded else { throw caughtMissing(node) }
        let count = elements.count == 1 ? "1 element" : "\(elements.count) elements"
        throw missing(
            node, reason: "'\(label(baseNode))' has \(count)",
            hint: elements.isEmpty ? nil : "indexes run from 0 to \(elements.count - 1)")
    }

    private func notContainer(_ value: JSONValue, baseNode: Node, wanted: String) -> String {
        if value.isNull { return "'\(label(baseNode))' is null" }
        return "'\(label(baseNode))' is \(value.typeDescription), not \(wanted)"
    }

    /// The last name of an access chain as written (`json` for `steps.site.json`), else its whole text.
    private func label(_ node: Node) -> String {
        switch node.kind {
        case .variable(let name), .member(_, let name): return name
        default: return expression.text(of: node)
        }
    }

    private func missing(_ node: Node, reason: String, hint: String? = nil) -> ExpressionError {
        let path = expression.text(of: node)
        let guardHint = "write default(\(path), fallback) where it may be missing"
        return ExpressionError(
            code: .missingProperty, message: "'\(path)' is missing: \(reason)",
            hint: hint.map { "\($0); \(guardHint)" } ?? guardHint, offset: node.start)
    }

    /// The error for a missing property that an enclosing `default()` will catch.
    func caughtMissing(_ node: Node) -> ExpressionError {
        ExpressionError(code: .missingProperty, message: "missing", offset: node.start)
    }

    private func unknownName(_ name: String, at node: Node) -> ExpressionError {
        guard !isGuarded else { return caughtMissing(node) }
        let known = context.variables.keys.sorted()
        let suggestion = nearestMatch(to: name, in: known).map { "did you mean '\($0)'? " } ?? ""
        return ExpressionError(
            code: .missingProperty, message: "unknown name '\(name)'",
            hint: suggestion + "known names are \(known.quotedList)", offset: node.start)
    }

    /// `'a', 'b' and 'c'`, cut after ten names.
    static func abbreviatedList(_ names: [String]) -> String {
        guard names.count > 10 else { return names.quotedList }
        return names.prefix(10).map { "'\($0)'" }.joined(separator: ", ") + " and \(names.count - 10) more"
    }

    // MARK: - Operators

    private func binary(
        _ op: BinaryOperator, _ left: JSONValue, _ right: JSONValue, node: Node
    )
        throws(ExpressionError) -> JSONValue
    {
        switch op {
        case .equal: return .bool(left.isEqualForExpressions(to: right))
        case .notEqual: return .bool(!left.isEqualForExpressions(to: right))
        case .less, .lessOrEqual, .greater, .greaterOrEqual: return .bool(try compare(op, left, right, node: node))
        case .add, .subtract, .multiply, .divide: return try arithmetic(op, left, right, node: node)
        case .and, .or: preconditionFailure("invariant: '&&' and '||' are evaluated with short-circuit above")
        }
    }

    private func compare(
        _ op: BinaryOperator, _ left: JSONValue, _ right: JSONValue, node: Node
    )
        throws(ExpressionError) -> Bool
    {
        let order: Int
        switch (left, right) {
        case (.integer(let a), .integer(let b)):
            order = a < b ? -1 : (a == b ? 0 : 1)
        case (.integer, .double), (.double, .integer), (.double, .double):
            let a = left.doubleValue ?? .nan
            let b = right.doubleValue ?? .nan
            guard !a.isNaN, !b.isNaN else { return false }
            order = a < b ? -1 : (a == b ? 0 : 1)
        case (.string(let a), .string(let b)):
            order = a < b ? -1 : (a == b ? 0 : 1)
        default:
            throw ExpressionError(
                code: .typeMismatch,
                message: "cannot compare \(left.typeDescription) with \(right.typeDescription) using '\(op.rawValue)'",
                hint: "compare numbers with numbers and strings with strings", offset: node.start)
        }
        switch op {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        default: return order >= 0
        }
    }

    private func arithmetic(
        _ op: BinaryOperator, _ left: JSONValue, _ right: JSONValue, node: Node
    )
        throws(ExpressionError) -> JSONValue
    {
        switch (left, right) {
        case (.integer(let a), .integer(let b)):
            let result: (partialValue: Int, overflow: Bool)
            switch op {
            case .add: result = a.addingReportingOverflow(b)
            case .subtract: result = a.subtractingReportingOverflow(b)
            case .multiply: result = a.multipliedReportingOverflow(by: b)
            default:
                guard b != 0 else { throw divisionByZero(node) }
                let (quotient, overflow) = a.dividedReportingOverflow(by: b)
                guard !overflow, quotient * b == a else { return .double(Double(a) / Double(b)) }
                return .integer(quotient)
            }
            guard result.overflow else { return .integer(result.partialValue) }
            return .double(doubleArithmetic(op, Double(a), Double(b)))
        case (.integer, .double), (.double, .integer), (.double, .double):
            let a = left.doubleValue ?? .nan
            let b = right.doubleValue ?? .nan
            if op == .divide, b == 0 { throw divisionByZero(node) }
            return .double(doubleArithmetic(op, a, b))
        case (.string(let a), .string(let b)) where op == .add:
            return .string(a + b)
        default:
            let verb: String
            switch op {
            case .add: verb = "add"
            case .subtract: verb = "subtract"
            case .multiply: verb = "multiply"
            default: verb = "divide"
            }
            let hint =
                op == .add && (left.stringValue != nil || right.stringValue != nil)
                ? "join text with format('{0}{1}', a, b)" : "use numbers on both sides of '\(op.rawValue)'"
            throw ExpressionError(
                code: .typeMismatch,
                message: "cannot \(verb) \(left.typeDescription) and \(right.typeDescription)", hint: hint,
                offset: node.start)
        }
    }

    private func doubleArithmetic(_ op: BinaryOperator, _ a: Double, _ b: Double) -> Double {
        switch op {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        default: return a / b
        }
    }

    private func divisionByZero(_ node: Node) -> ExpressionError {
        ExpressionError(
            code: .divisionByZero, message: "division by zero in '\(expression.text(of: node))'", offset: node.start)
    }
}
