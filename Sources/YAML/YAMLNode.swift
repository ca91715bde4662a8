import Basics

/// One node of a parsed YAML document: a scalar, a sequence or a mapping, with where it starts.
///
/// Aliases are already expanded into copies and merge keys (`<<`) already applied, so a consumer never sees
/// either. The root of an alias's copy carries the alias's location; the nodes inside it keep the locations of
/// the anchored original, where their text is.
package struct YAMLNode: Sendable, Equatable {
    /// The node's shape and content.
    package enum Kind: Sendable, Equatable {
        /// A scalar with its text, style, tag and resolved value.
        case scalar(YAMLScalar)
        /// A sequence's elements, in order.
        case sequence([YAMLNode])
        /// A mapping's entries, in file order, without duplicate keys.
        case mapping([YAMLMapEntry])
    }

    /// The node's shape and content.
    package var kind: Kind
    /// Where the node starts, 1-based (at its anchor or tag when it has one).
    package var location: SourceLocation

    /// Creates a node.
    package init(kind: Kind, location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

/// One `key: value` entry of a mapping.
package struct YAMLMapEntry: Sendable, Equatable {
    /// The key node; usually a scalar.
    package var key: YAMLNode
    /// The value node.
    package var value: YAMLNode

    /// Creates an entry.
    package init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

extension YAMLNode {
    /// The node as a JSON value.
    ///
    /// Scalars give their core-schema value; mapping keys become their scalar text (`1: x` gives `{"1": "x"}`),
    /// and a collection used as a key becomes its compact JSON text.
    package func toJSON() -> JSONValue {
        switch kind {
        case .scalar(let scalar):
            return scalar.value
        case .sequence(let elements):
            return .array(elements.map { $0.toJSON() })
        case .mapping(let entries):
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(entries.count)
            for entry in entries where object[entry.key.keyText] == nil {
                object[entry.key.keyText] = entry.value.toJSON()
            }
            return .object(object)
        }
    }

    /// The scalar's text as written (after unescaping and folding); nil for a sequence or mapping.
    package var scalarText: String? {
        if case .scalar(let scalar) = kind { return scalar.text }
        return nil
    }

    /// The scalar, if this node is one.
    package var scalar: YAMLScalar? {
        if case .scalar(let scalar) = kind { return scalar }
        return nil
    }

    /// The mapping's entries in file order, if this node is a mapping.
    package var mappingEntries: [YAMLMapEntry]? {
        if case .mapping(let entries) = kind { return entries }
        return nil
    }

    /// The sequence's elements, if this node is a sequence.
    package var sequenceElements: [YAMLNode]? {
        if case .sequence(let elements) = kind { return elements }
        return nil
    }

    /// The value of the first entry whose key's text is `key`, if this node is a mapping that has one.
    package subscript(key: String) -> YAMLNode? {
        mappingEntries?.first { $0.key.keyText == key }?.value
    }

    /// What kind of value this is, for error messages such as "expected a mapping, got a sequence".
    ///
    /// `mapping` or `sequence` for collections; for scalars the JSON Schema name of the resolved value:
    /// `null`, `boolean`, `integer`, `number` (a float), `string`.
    package var kindName: String {
        switch kind {
        case .mapping: return "mapping"
        case .sequence: return "sequence"
        case .scalar(let scalar): return scalar.value.typeName
        }
    }

    /// The text that identifies this node as a mapping key: the scalar text, else the compact JSON text.
    ///
    /// Duplicate keys are detected on this text, so `1` and `"1"` are duplicates: both would become the same
    /// JSON member name.
    package var keyText: String {
        if case .scalar(let scalar) = kind { return scalar.text }
        return toJSON().serialized()
    }
}
