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

    var kind: Kind
    /// Scalar offset in the template text where the node starts.
    var start: Int
    /// Scalar offset in the template text just past the node.
    var end: Int
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
