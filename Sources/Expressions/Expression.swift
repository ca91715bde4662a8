import Basics

/// One parsed `${{ }}` expression.
///
/// Parsed once, when the workflow is loaded, and evaluated many times. Two expressions are equal
/// when their source and offset are.
package struct Expression: Sendable, Hashable {
    /// The text between `${{` and `}}`, as written.
    package let source: String
    /// The scalar offset of `source` within the template text.
    package let offset: Int
    let root: Node

    /// Parses an expression.
    ///
    /// Unknown functions and wrong argument counts are found here, not at evaluation.
    /// - Parameters:
    ///   - text: the expression source, without `${{` and `}}`.
    ///   - offset: the scalar offset of `text` in the template text; every error and reference offset adds it.
    /// - Throws: `ExpressionError` with code `.syntax`, `.unknownFunction` or `.badArguments`.
    package static func parse(_ text: String, offset: Int = 0) throws(ExpressionError) -> Expression {
        var lexer = Lexer(text, offset: offset)
        var parser = Parser(tokens: try lexer.tokenize())
        return Expression(source: text, offset: offset, root: try parser.parseExpression())
    }

    private init(source: String, offset: Int, root: Node) {
        self.source = source
        self.offset = offset
        self.root = root
    }

    /// Computes the expression's value.
    ///
    /// - Throws: `ExpressionError` with code `.missingProperty` (a missing key, an index out of
    ///   range, a property of a non-object, an unknown root name), `.typeMismatch`, `.badArguments`
    ///   or `.divisionByZero`; never `.syntax`. A missing property inside the first argument of
    ///   `default()` is caught there, not thrown.
    package func evaluate(in context: EvaluationContext) throws(ExpressionError) -> Evaluated {
        try Evaluator(context: context, expression: self).evaluate(root)
    }

    /// Equal when the source and offset are: the tree is a function of them.
    package static func == (lhs: Expression, rhs: Expression) -> Bool {
        lhs.source == rhs.source && lhs.offset == rhs.offset
    }

    /// Hashes the source and offset.
    package func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(offset)
    }

    /// The source text of `node`, as written.
    func text(of node: Node) -> String {
        let scalars = source.unicodeScalars
        let lower = max(0, min(scalars.count, node.start - offset))
        let upper = max(lower, min(scalars.count, node.end - offset))
        let from = scalars.index(scalars.startIndex, offsetBy: lower)
        let to = scalars.index(from, offsetBy: upper - lower)
        return String(scalars[from..<to])
    }
}

/// A path read from a root name, found without evaluating, for static checks.
package struct Reference: Sendable, Hashable {
    /// The names read, starting at the root: `steps.site.json[0].id` gives `["steps", "site", "json"]`.
    /// The path stops at the first index that is not a string literal (`['name']` counts as a name).
    package var path: [String]
    /// The scalar offset of the root name in the template text.
    package var offset: Int
    /// True inside the first argument of `default()`, where a missing value is allowed.
    package var isGuarded: Bool

    /// Creates a reference.
    package init(path: [String], offset: Int, isGuarded: Bool) {
        self.path = path
        self.offset = offset
        self.isGuarded = isGuarded
    }
}

extension Expression {
    /// Every access path that starts at a root name, in source order.
    ///
    /// Function names are not references; the string path given to `map()` is not one either.
    package var references: [Reference] {
        var found: [Reference] = []
        Self.collect(root, guarded: false, into: &found)
        return found.sorted { $0.offset < $1.offset }
    }

    private static func collect(_ node: Node, guarded: Bool, into found: inout [Reference]) {
        switch node.kind {
        case .literal:
            return
        case .variable, .member, .index:
            if let chain = chain(node) {
                found.append(Reference(path: chain.names, offset: chain.offset, isGuarded: guarded))
            }
            collectInside(node, guarded: guarded, into: &found)
        case .unary(_, let operand):
            collect(operand, guarded: guarded, into: &found)
        case .binary(_, let left, let right):
            collect(left, guarded: guarded, into: &found)
            collect(right, guarded: guarded, into: &found)
        case .call(let function, let arguments):
            for (i, argument) in arguments.enumerated() {
                collect(argument, guarded: guarded || (function == .default && i == 0), into: &found)
            }
        }
    }

    /// Visits what an access chain contains apart from its own path: index expressions, and a base
    /// that is not a name (`fromJSON(x).a`).
    private static func collectInside(_ node: Node, guarded: Bool, into found: inout [Reference]) {
        switch node.kind {
        case .variable: return
        case .member(let base, _): collectInside(base, guarded: guarded, into: &found)
        case .index(let base, let index):
            collectInside(base, guarded: guarded, into: &found)
            collect(index, guarded: guarded, into: &found)
        default: collect(node, guarded: guarded, into: &found)
        }
    }

    /// The names of an access chain from its root, where the root sits, and whether the names
    /// reach the end of the chain (false once a dynamic index was met).
    private struct Chain {
        var names: [String]
        var offset: Int
        var isComplete: Bool
    }

    private static func chain(_ node: Node) -> Chain? {
        switch node.kind {
        case .variable(let name):
            return Chain(names: [name], offset: node.start, isComplete: true)
        case .member(let base, let name):
            guard var chain = chain(base) else { return nil }
            if chain.isComplete { chain.names.append(name) }
            return chain
        case .index(let base, _):
            guard var chain = chain(base) else { return nil }
            chain.isComplete = false
            return chain
        default:
            return nil
        }
    }
}
