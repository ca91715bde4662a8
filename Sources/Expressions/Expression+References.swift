import Basics

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

    /// Whether the expression calls `success()`, `failure()`, `always()` or `cancelled()`.
    package var callsStatusFunction: Bool { Self.callsStatusFunction(root) }

    private static func callsStatusFunction(_ node: Node) -> Bool {
        switch node.kind {
        case .literal, .variable: return false
        case .member(let base, _): return callsStatusFunction(base)
        case .index(let base, let index): return callsStatusFunction(base) || callsStatusFunction(index)
        case .unary(_, let operand): return callsStatusFunction(operand)
        case .binary(_, let left, let right): return callsStatusFunction(left) || callsStatusFunction(right)
        case .call(let function, let arguments):
            return Function.statusFunctions.contains(function) || arguments.contains(where: callsStatusFunction)
        }
    }
}
