import Basics

/// The value of an expression or template, and whether it was derived from a secret.
package struct Evaluated: Sendable, Hashable {
    /// The value.
    package var value: JSONValue
    /// True when any value read through a secret root contributed to this one: mask it in output.
    package var isSecret: Bool

    /// Creates a result.
    package init(value: JSONValue, isSecret: Bool = false) {
        self.value = value
        self.isSecret = isSecret
    }
}
