import Basics

/// A scalar's text as written, how it was written, and its value under the YAML 1.2 core schema.
package struct YAMLScalar: Sendable, Equatable {
    /// How the scalar was written.
    package enum Style: Sendable, Hashable {
        /// Unquoted: the only style whose value is resolved by the core schema.
        case plain
        /// `'single quoted'`.
        case singleQuoted
        /// `"double quoted"`.
        case doubleQuoted
        /// A `|` block.
        case literal
        /// A `>` block.
        case folded
    }

    /// The text as written, after YAML unescaping and folding.
    package var text: String
    /// How it was written.
    package var style: Style
    /// The explicit tag, if any, with the standard prefix shortened (`!!str`, `!!int`, `!local`).
    package var tag: String?
    /// The value: core-schema resolution for untagged plain scalars, a string for quoted and block ones, or as
    /// the explicit tag says.
    package var value: JSONValue

    /// Creates a scalar with an already resolved value.
    package init(text: String, style: Style, tag: String?, value: JSONValue) {
        self.text = text
        self.style = style
        self.tag = tag
        self.value = value
    }
}
