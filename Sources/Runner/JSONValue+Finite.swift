import Basics

extension JSONValue {
    /// The first number in this value (in sorted key order) that is not finite, with where it is
    /// (`a.b[2]`; empty for this value itself) and its name (`Infinity`, `-Infinity`, `NaN`).
    ///
    /// JSON has no such numbers, so a value holding one cannot be sent or written as it is.
    package var firstNonFiniteNumber: (path: String, name: String)? {
        switch self {
        case .double(let number) where !number.isFinite:
            return ("", number.isNaN ? "NaN" : (number < 0 ? "-Infinity" : "Infinity"))
        case .null, .bool, .integer, .double, .string:
            return nil
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let found = element.firstNonFiniteNumber { return ("[\(index)]" + found.path, found.name) }
            }
            return nil
        case .object(let members):
            for key in members.keys.sorted() {
                if let found = members[key]?.firstNonFiniteNumber {
                    let joint = found.path.hasPrefix("[") || found.path.isEmpty ? "" : "."
                    return (key + joint + found.path, found.name)
                }
            }
            return nil
        }
    }
}
