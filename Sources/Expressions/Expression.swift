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
