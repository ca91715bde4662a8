import Basics

/// A recursive-descent parser from tokens to a `Node` tree.
///
/// Precedence, lowest first: `||`, `&&`, `== !=`, `< <= > >=`, `+ -`, `* /`, prefix `! -`,
/// then postfix `.name`, `[index]` and calls. Binary operators are left-associative.
struct Parser {
    private var tokens: [Token]
    private var position = 0
    private var depth = 0

    /// Nesting beyond this is refused, so a hostile expression cannot exhaust the stack.
    static let maximumDepth = 200
    /// The tallest tree accepted (`Node.height`): each operator of a chain such as `a + b + c` adds a
    /// level, as do calls, brackets and prefix operators. Evaluating and walking a tree recurses
    /// this deep, so a taller one is refused here instead of overflowing the stack later.
    package static let maximumHeight = 256
    /// The most tokens one expression may have.
    package static let maximumTokens = 10_000

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// A node, refused when it makes the tree taller than `maximumHeight`.
    private func make(_ kind: Node.Kind, start: Int, end: Int) throws(ExpressionError) -> Node {
        let node = Node(kind: kind, start: start, end: end)
        guard node.height <= Self.maximumHeight else {
            throw ExpressionError(
                code: .syntax,
                message: "expression is nested more than \(Self.maximumHeight) levels deep "
                    + "(each operator in a chain like a + b + c is a level)",
                hint: "split it into simpler expressions, e.g. with format() or over several steps",
                offset: start)
        }
        return node
    }

    /// Parses the whole token list as one expression.
    /// - Throws: `ExpressionError` `.syntax`, `.unknownFunction` or `.badArguments` (a wrong argument count).
    mutating func parseExpression() throws(ExpressionError) -> Node {
        if tokens.count > Self.maximumTokens {
            throw ExpressionError(
                code: .syntax, message: "expression has more than \(Self.maximumTokens) tokens",
                hint: "split it into simpler expressions", offset: current.start)
        }
        if current.kind == .end {
            throw ExpressionError(
                code: .syntax, message: "empty expression", hint: "write an expression between '${{' and '}}'",
                offset: current.start)
        }
        let node = try parseBinary(level: 0)
        guard current.kind == .end else { throw unexpected(current) }
        return node
    }

    private var current: Token { tokens[min(position, tokens.count - 1)] }

    private mutating func advance() -> Token {
        let token = current
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private mutating func take(_ symbol: Symbol) -> Bool {
        guard current.kind == .symbol(symbol) else { return false }
        position += 1
        return true
    }

    private func unexpected(_ token: Token, expecting: String? = nil) -> ExpressionError {
        let message =
            if let expecting { "expected \(expecting) but found \(token.quoted)" } else { "unexpected \(token.quoted)" }
        var hint: String?
        if case .identifier = token.kind, position > 0, case .identifier = tokens[position - 1].kind {
            hint = "put an operator between the two names"
        }
        return ExpressionError(code: .syntax, message: message, hint: hint, offset: token.start)
    }

    /// The binary operators of each precedence level, lowest first.
    private static let levels: [[(Symbol, BinaryOperator)]] = [
        [(.or, .or)],
        [(.and, .and)],
        [(.equal, .equal), (.notEqual, .notEqual)],
        [(.less, .less), (.lessOrEqual, .lessOrEqual), (.greater, .greater), (.greaterOrEqual, .greaterOrEqual)],
        [(.plus, .add), (.minus, .subtract)],
        [(.star, .multiply), (.slash, .divide)],
    ]

    private mutating func parseBinary(level: Int) throws(ExpressionError) -> Node {
        guard level < Self.levels.count else { return try parseUnary() }
        var left = try parseBinary(level: level + 1)
        while case .symbol(let symbol) = current.kind,
            let op = Self.levels[level].first(where: { $0.0 == symbol })?.1
        {
            position += 1
            let right = try parseBinary(level: level + 1)
            left = try make(.binary(op, left, right), start: left.start, end: right.end)
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionError) -> Node {
        let token = current
        let op: UnaryOperator
        switch token.kind {
        case .symbol(.not): op = .not
        case .symbol(.minus): op = .negate
        default: return try parsePostfix()
        }
        position += 1
        try enter(at: token)
        defer { depth -= 1 }
        let operand = try parseUnary()
        if op == .negate, case .literal(let value) = operand.kind {
            switch value {
            case .integer(let i) where i != Int.min:
                return Node(kind: .literal(.integer(-i)), start: token.start, end: operand.end)
            case .double(let d):
                return Node(kind: .literal(.double(-d)), start: token.start, end: operand.end)
            default: break
            }
        }
        return try make(.unary(op, operand), start: token.start, end: operand.end)
    }

    private mutating func enter(at token: Token) throws(ExpressionError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw ExpressionError(
                code: .syntax, message: "expression nests too deeply", hint: "split it into simpler expressions",
                offset: token.start)
        }
    }

    private mutating func parsePostfix() throws(ExpressionError) -> Node {
        var node = try parsePrimary()
        while true {
            if take(.dot) {
                let name = current
                guard case .identifier(let property) = name.kind else {
                    var error = unexpected(name, expecting: "a property name after '.'")
                    if case .number = name.kind { error.hint = "index arrays with brackets: [0]" }
                    throw error
                }
                position += 1
                node = try make(.member(node, property), start: node.start, end: name.end)
            } else if current.kind == .symbol(.leftBracket) {
                let open = advance()
                try enter(at: open)
                let index = try parseBinary(level: 0)
                depth -= 1
                let close = current
                guard take(.rightBracket) else { throw unexpected(close, expecting: "']'") }
                if case .literal(.string(let property)) = index.kind {
                    node = try make(.member(node, property), start: node.start, end: close.end)
                } else {
                    node = try make(.index(node, index), start: node.start, end: close.end)
                }
            } else {
                return node
            }
        }
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Node {
        let token = advance()
        switch token.kind {
        case .number(let value):
            return Node(kind: .literal(value), start: token.start, end: token.end)
        case .string(let text):
            return Node(kind: .literal(.string(text)), start: token.start, end: token.end)
        case .identifier("true"):
            return Node(kind: .literal(.bool(true)), start: token.start, end: token.end)
        case .identifier("false"):
            return Node(kind: .literal(.bool(false)), start: token.start, end: token.end)
        case .identifier("null"):
            return Node(kind: .literal(.null), start: token.start, end: token.end)
        case .identifier(let name):
            if current.kind == .symbol(.leftParen) { return try parseCall(name: name, at: token) }
            return Node(kind: .variable(name), start: token.start, end: token.end)
        case .symbol(.leftParen):
            try enter(at: token)
            defer { depth -= 1 }
            let inner = try parseBinary(level: 0)
            let close = current
            guard take(.rightParen) else { throw unexpected(close, expecting: "')'") }
            return Node(kind: inner.kind, start: token.start, end: close.end)
        default:
            throw unexpected(token, expecting: "a value")
        }
    }

    private mutating func parseCall(name: String, at token: Token) throws(ExpressionError) -> Node {
        guard let function = Function(rawValue: name) else {
            let names = Function.allCases.map(\.rawValue)
            let suggestion = nearestMatch(to: name, in: names).map { "did you mean '\($0)'? " } ?? ""
            throw ExpressionError(
                code: .unknownFunction, message: "unknown function '\(name)'",
                hint: suggestion + "functions are \(names.sorted().quotedList)", offset: token.start)
        }
        let open = advance()
        try enter(at: open)
        defer { depth -= 1 }
        var arguments: [Node] = []
        if !take(.rightParen) {
            repeat {
                arguments.append(try parseBinary(level: 0))
            } while take(.comma)
            guard current.kind == .symbol(.rightParen) else { throw unexpected(current, expecting: "',' or ')'") }
        } else {
            position -= 1
        }
        let close = advance()
        guard function.arity.contains(arguments.count) else {
            throw ExpressionError(
                code: .badArguments,
                message: "\(name)() takes \(function.arityDescription), not \(arguments.count)",
                hint: "call it as \(function.signature)", offset: token.start)
        }
        return try make(.call(function, arguments), start: token.start, end: close.end)
    }
}
