import Basics

/// A node of a parsed expression, with the scalar range it covers in the template text.
struct Node: Sendable {
    /// What the node computes.
    indirect enum Kind: Sendable {
        /// `'text'`, a number, `true`, `false` or `null`.
        case literal(JSONValue)
        /// A root name such as `steps` or `inputs`.
        case variable(String)
        /// `base.name` or `base['name']`.
        case member(Node, String)
        /// `base[expression]` where the index is not a string literal.
        case index(Node, Node)
        /// `!x` or `-x`.
        case unary(UnaryOperator, Node)
        /// `a op b`, including `&&` and `||`, which short-circuit.
        case binary(BinaryOperator, Node, Node)
        /// `name(arguments…)`, resolved to a built-in at parse time.
        case call(Function, [Node])
    }

    let kind: Kind
    /// Scalar offset in the template text where the node starts.
    let start: Int
    /// Scalar offset in the template text just past the node.
    let end: Int
    /// The number of nodes on the longest path from this one down to a leaf (a leaf is 1). Every
    /// recursive walk of the tree goes this deep, so the parser bounds it.
    let height: Int

    init(kind: Kind, start: Int, end: Int) {
        self.kind = kind
        self.start = start
        self.end = end
        switch kind {
        case .literal, .variable: height = 1
        case .member(let base, _): height = base.height + 1
        case .index(let base, let index): height = max(base.height, index.height) + 1
        case .unary(_, let operand): height = operand.height + 1
        case .binary(_, let left, let right): height = max(left.height, right.height) + 1
        case .call(_, let arguments): height = (arguments.map(\.height).max() ?? 0) + 1
        }
    }
}

/// A prefix operator.
enum UnaryOperator: String, Sendable {
    case not = "!"
    case negate = "-"
}

/// An infix operator; its raw value is its spelling.
enum BinaryOperator: String, Sendable {
    case or = "||"
    case and = "&&"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
}
