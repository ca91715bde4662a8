/// Response header fields, in the order received, looked up case-insensitively.
///
/// Names are stored lower-cased (HTTP field names are case-insensitive, RFC 9110 §5.1); values are
/// stored with surrounding whitespace removed.
package struct HTTPHeaders: Sendable, Sequence {
    /// One header field.
    package struct Field: Sendable, Hashable {
        /// The lower-cased name.
        package var name: String
        /// The value, trimmed.
        package var value: String
    }

    /// Every field, in the order received.
    package private(set) var fields: [Field]

    /// Creates headers from `(name, value)` pairs; names are lower-cased.
    package init(_ pairs: [(String, String)] = []) {
        fields = pairs.map { Field(name: $0.0.lowercased(), value: $0.1) }
    }

    /// Appends a field; its name is lower-cased.
    package mutating func append(name: String, value: String) {
        fields.append(Field(name: name.lowercased(), value: value))
    }

    /// The value of the first field named `name` (any case), or `nil`.
    package func value(for name: String) -> String? {
        let key = name.lowercased()
        return fields.first { $0.name == key }?.value
    }

    /// The values of every field named `name` (any case), in order.
    package func values(for name: String) -> [String] {
        let key = name.lowercased()
        return fields.filter { $0.name == key }.map(\.value)
    }

    /// Iterates over the fields in order.
    package func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}
