import Basics

extension JSONValue {
    /// Falsy: `null`, `false`, `0`, NaN and `''`. Everything else, every array and object included, is truthy.
    /// Truthiness as expressions see it: null, false, 0, NaN and "" are false; everything else is true.
    package var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .integer(let i): return i != 0
        case .double(let d): return d != 0 && !d.isNaN
        case .string(let s): return !s.isEmpty
        case .array, .object: return true
        }
    }

    /// The value as text in an interpolated template: strings as they are, null as nothing,
    /// everything else as compact JSON.
    var interpolationText: String {
        switch self {
        case .null: return ""
        case .string(let s): return s
        default: return serialized()
        }
    }

    /// Deep JSON equality in which `1` equals `1.0`.
    func isEqualForExpressions(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.integer(let a), .integer(let b)): return a == b
        case (.integer, .double), (.double, .integer), (.double, .double):
            return doubleValue == other.doubleValue
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where !x.isEqualForExpressions(to: y) { return false }
            return true
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, x) in a {
                guard let y = b[key], x.isEqualForExpressions(to: y) else { return false }
            }
            return true
        default:
            return self == other
        }
    }

    /// The type with an article, for messages: `a string`, `an array`, `null`.
    var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
