import Basics

/// Builds the `YAMLNode` tree from an `EventReader`'s events: resolves scalars, expands aliases within a bound,
/// applies merge keys and drops duplicate keys, collecting the non-fatal problems.
///
/// Every node is built together with its size (node count) and height, so an alias's expansion is priced
/// before it is copied: a "billion laughs" file is caught after a few thousand nodes, not a billion.
struct TreeBuilder {
    /// A node with its node count and height (a scalar has both 1).
    struct Built {
        var node: YAMLNode
        var size: Int
        var height: Int
    }

    /// The non-fatal problems found so far, in file order.
    private(set) var problems: [YAMLError] = []

    private let reader: EventReader
    private let expansionLimit: Int
    private let maxDepth: Int
    private var anchors: [String: Built] = [:]
    /// Anchors whose node is still being built: an alias to one of them would be recursive.
    private var openAnchors: Set<String> = []
    /// Nodes produced by alias expansion so far in this document.
    private var expandedNodes = 0
    /// Set once an alias crossed `expansionLimit`: every later alias becomes null, and only the first is reported.
    private var isExpansionExhausted = false

    init(reader: EventReader, expansionLimit: Int, maxDepth: Int) {
        self.reader = reader
        self.expansionLimit = expansionLimit
        self.maxDepth = maxDepth
    }

    /// Reads the whole stream and returns its one document's root, or nil when it has none.
    ///
    /// - Throws: `YAMLError`: libyaml's errors, `.multipleDocuments` at the second document's start, and the
    ///   fatal tree errors (`.unknownAlias`, `.nestingTooDeep`).
    mutating func buildStream() throws(YAMLError) -> YAMLNode? {
        var root: YAMLNode?
        var hasDocument = false
        while true {
            switch try reader.next() {
            case .streamStart:
                continue
            case .streamEnd:
                return root
            case .documentStart(let location):
                guard !hasDocument else {
                    throw YAMLError(
                        code: .multipleDocuments, message: "the file holds more than one YAML document",
                        hint: "keep one document per file: move this '---' and what follows to a file of its own",
                        location: location)
                }
                hasDocument = true
                root = try buildNode(reader.next(), depth: 1).node
                guard case .documentEnd = try reader.next() else { throw unexpectedEvent(at: root?.location) }
            default:
                throw unexpectedEvent(at: root?.location)
            }
        }
    }

    /// Builds the node that starts with `event`, reading the events of its children.
    private mutating func buildNode(_ event: Event, depth: Int) throws(YAMLError) -> Built {
        switch event {
        case .alias(let name, let location):
            return try expandAlias(name, at: location, depth: depth)
        case .scalar(let text, let style, let properties, let location):
            let scalar = resolveScalar(text: text, style: style, tag: properties.tag, at: location)
            let built = Built(node: YAMLNode(kind: .scalar(scalar), location: location), size: 1, height: 1)
            register(properties.anchor, built)
            return built
        case .sequenceStart(let properties, let location):
            try checkDepth(depth, at: location)
            open(properties.anchor)
            var elements: [YAMLNode] = []
            var size = 1
            var height = 0
            while true {
                let next = try reader.next()
                if case .sequenceEnd = next { break }
                let element = try buildNode(next, depth: depth + 1)
                elements.append(element.node)
                size += element.size
                height = max(height, element.height)
            }
            let built = Built(
                node: YAMLNode(kind: .sequence(elements), location: location), size: size, height: height + 1)
            register(properties.anchor, built)
            return built
        case .mappingStart(let properties, let location):
            try checkDepth(depth, at: location)
            open(properties.anchor)
            var pairs: [(key: Built, value: Built)] = []
            // Where each key was first seen; checked as soon as a key is read, so problems stay in file order.
            var firstSeen: [String: SourceLocation] = [:]
            while true {
                let next = try reader.next()
                if case .mappingEnd = next { break }
                let key = try buildNode(next, depth: depth + 1)
                let text = key.node.keyText
                let first = firstSeen[text]
                if let first { problems.append(duplicateKey(text, at: key.node.location, first: first)) }
                let value = try buildNode(reader.next(), depth: depth + 1)
                if first == nil {
                    firstSeen[text] = key.node.location
                    pairs.append((key, value))
                }
            }
            let built = finishMapping(pairs, at: location)
            register(properties.anchor, built)
            return built
        default:
            throw unexpectedEvent(at: nil)
        }
    }

    // MARK: Scalars

    /// The scalar with its value: core schema for untagged plain scalars, strings for quoted and block ones,
    /// and as the tag says for tagged ones (a misfit is a problem, and the value stays a string).
    private mutating func resolveScalar(
        text: String, style: YAMLScalar.Style, tag: String?, at location: SourceLocation
    ) -> YAMLScalar {
        let value: JSONValue
        if let tag, tag != "!" {
            if let resolved = CoreSchema.resolveTagged(text, tag: tag) {
                value = resolved
            } else {
                problems.append(
                    YAMLError(
                        code: .invalidTaggedValue(tag),
                        message: "'\(text)' is not \(Self.describe(tag: tag)), as its tag '\(tag)' requires",
                        hint: "remove the tag '\(tag)', or write the value in the form the tag requires",
                        location: location))
                value = .string(text)
            }
        } else if style == .plain && tag == nil {
            value = CoreSchema.resolvePlain(text)
        } else {
            // Quoted, block, and the non-specific tag `!`: always a string.
            value = .string(text)
        }
        return YAMLScalar(text: text, style: style, tag: tag, value: value)
    }

    private static func describe(tag: String) -> String {
        switch tag {
        case "!!int": return "an integer"
        case "!!float": return "a number"
        case "!!bool": return "a boolean (true or false)"
        case "!!null": return "null"
        default: return "valid"
        }
    }

    // MARK: Anchors and aliases

    private mutating func open(_ anchor: String?) {
        if let anchor { openAnchors.insert(anchor) }
    }

    private mutating func register(_ anchor: String?, _ built: Built) {
        guard let anchor else { return }
        openAnchors.remove(anchor)
        anchors[anchor] = built
    }

    /// A copy of the anchored node, located at the alias; null (and a problem) once expansion passes the bound.
    ///
    /// - Throws: `YAMLError` `.unknownAlias` for an undefined or enclosing anchor, `.nestingTooDeep` when the
    ///   copy would nest too deep.
    private mutating func expandAlias(
        _ name: String, at location: SourceLocation, depth: Int
    ) throws(YAMLError)
        -> Built
    {
        guard let target = anchors[name] else {
            if openAnchors.contains(name) {
                throw YAMLError(
                    code: .unknownAlias(name), message: "alias '*\(name)' refers to a node that contains it",
                    hint: "recursive YAML structures are not supported: alias a complete node instead",
                    location: location)
            }
            throw YAMLError(
                code: .unknownAlias(name), message: "unknown alias '*\(name)'",
                hint: "define the anchor '&\(name)' on a node before this alias", location: location)
        }
        if isExpansionExhausted || expandedNodes + target.size > expansionLimit {
            if !isExpansionExhausted {
                isExpansionExhausted = true
                problems.append(
                    YAMLError(
                        code: .aliasExpansionLimit,
                        message: "expanding alias '*\(name)' would produce more than \(expansionLimit) nodes, "
                            + "so it and every later alias are read as null",
                        hint: "use fewer or smaller aliases; a file that nests aliases of aliases grows exponentially",
                        location: location))
            }
            let null = YAMLScalar(text: "", style: .plain, tag: nil, value: .null)
            return Built(node: YAMLNode(kind: .scalar(null), location: location), size: 1, height: 1)
        }
        try checkDepth(depth + target.height - 1, at: location)
        expandedNodes += target.size
        var copy = target.node
        copy.location = location
        return Built(node: copy, size: target.size, height: target.height)
    }

    private func checkDepth(_ depth: Int, at location: SourceLocation) throws(YAMLError) {
        guard depth <= maxDepth else {
            throw YAMLError(
                code: .nestingTooDeep, message: "collections are nested more than \(maxDepth) levels deep",
                hint: "flatten the structure", location: location)
        }
    }

    // MARK: Mappings

    /// One piece of a mapping being assembled: an explicit entry, or the candidates of one merge key.
    private enum Piece {
        case entry(YAMLMapEntry)
        case merge([YAMLMapEntry])
    }

    /// A duplicate key problem; the mapping keeps the first value.
    private func duplicateKey(_ text: String, at location: SourceLocation, first: SourceLocation) -> YAMLError {
        YAMLError(
            code: .duplicateKey(text),
            message: "duplicate key '\(text)' (first defined at \(first.line):\(first.column))",
            hint: "remove or rename one of the two '\(text)' keys; only the first is used", location: location)
    }

    /// The mapping with merge keys applied where they are written.
    ///
    /// Explicit keys win over merged ones, and earlier merged mappings over later ones. `pairs` holds no
    /// duplicate keys.
    private mutating func finishMapping(_ pairs: [(key: Built, value: Built)], at location: SourceLocation) -> Built {
        var pieces: [Piece] = []
        pieces.reserveCapacity(pairs.count)
        var size = 1
        var height = 0
        var hasMerge = false
        for (key, value) in pairs {
            if Self.isMergeKey(key.node) {
                hasMerge = true
                pieces.append(.merge(mergeCandidates(value.node)))
                continue
            }
            pieces.append(.entry(YAMLMapEntry(key: key.node, value: value.node)))
            size += key.size + value.size
            height = max(height, key.height, value.height)
        }
        guard hasMerge else {
            let entries = pieces.compactMap { piece -> YAMLMapEntry? in
                if case .entry(let entry) = piece { return entry }
                return nil
            }
            return Built(node: YAMLNode(kind: .mapping(entries), location: location), size: size, height: height + 1)
        }
        var present = Set(pairs.map { $0.key.node.keyText })
        var entries: [YAMLMapEntry] = []
        for piece in pieces {
            switch piece {
            case .entry(let entry):
                entries.append(entry)
            case .merge(let candidates):
                for candidate in candidates where present.insert(candidate.key.keyText).inserted {
                    entries.append(candidate)
                    let key = Self.measure(candidate.key)
                    let value = Self.measure(candidate.value)
                    size += key.size + value.size
                    height = max(height, key.height, value.height)
                }
            }
        }
        return Built(node: YAMLNode(kind: .mapping(entries), location: location), size: size, height: height + 1)
    }

    /// A plain, untagged (or `!!merge`-tagged) `<<` key.
    private static func isMergeKey(_ key: YAMLNode) -> Bool {
        guard case .scalar(let scalar) = key.kind else { return false }
        return scalar.style == .plain && scalar.text == "<<" && (scalar.tag == nil || scalar.tag == "!!merge")
    }

    /// The entries a merge key's value offers, in priority order.
    ///
    /// A value that is neither a mapping nor a sequence of mappings is a problem and offers nothing. Null (as
    /// from an alias past the bound) offers nothing quietly.
    private mutating func mergeCandidates(_ value: YAMLNode) -> [YAMLMapEntry] {
        switch value.kind {
        case .mapping(let entries):
            return entries
        case .sequence(let elements):
            var candidates: [YAMLMapEntry] = []
            for element in elements {
                if let entries = element.mappingEntries {
                    candidates.append(contentsOf: entries)
                } else if case .scalar(let scalar) = element.kind, scalar.value.isNull {
                    continue
                } else {
                    problems.append(invalidMerge(at: element.location, got: element.kindName))
                }
            }
            return candidates
        case .scalar(let scalar):
            if !scalar.value.isNull { problems.append(invalidMerge(at: value.location, got: value.kindName)) }
            return []
        }
    }

    private func invalidMerge(at location: SourceLocation, got kind: String) -> YAMLError {
        YAMLError(
            code: .invalidMerge, message: "a merge key '<<' needs a mapping or a sequence of mappings, not a \(kind)",
            hint: "merge an alias of a mapping, such as '<<: *defaults'", location: location)
    }

    /// The node count and height of an already built node.
    private static func measure(_ node: YAMLNode) -> (size: Int, height: Int) {
        switch node.kind {
        case .scalar:
            return (1, 1)
        case .sequence(let elements):
            var size = 1
            var height = 0
            for element in elements {
                let measured = measure(element)
                size += measured.size
                height = max(height, measured.height)
            }
            return (size, height + 1)
        case .mapping(let entries):
            var size = 1
            var height = 0
            for entry in entries {
                let key = measure(entry.key)
                let value = measure(entry.value)
                size += key.size + value.size
                height = max(height, key.height, value.height)
            }
            return (size, height + 1)
        }
    }

    private func unexpectedEvent(at location: SourceLocation?) -> YAMLError {
        YAMLError(
            code: .syntax, message: "libyaml produced an unexpected event",
            location: location ?? SourceLocation(file: "", line: 1, column: 1))
    }
}
