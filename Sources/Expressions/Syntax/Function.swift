/// A built-in function; the raw value is its name as written (case-sensitive).
enum Function: String, CaseIterable, Sendable {
    case toJSON, fromJSON, contains, startsWith, endsWith, format, join, length
    case `default`, now, formatDate, map, keys, lower, upper, trim
    /// Status functions (GitHub Actions semantics), only in a step's `if`.
    case success, failure, always, cancelled

    /// The status functions, which read the run's state rather than their arguments.
    static let statusFunctions: Set<Function> = [.success, .failure, .always, .cancelled]

    /// How many arguments it takes.
    var arity: ClosedRange<Int> {
        switch self {
        case .now, .success, .failure, .always, .cancelled: return 0...0
        case .toJSON, .fromJSON, .length, .keys, .lower, .upper, .trim: return 1...1
        case .contains, .startsWith, .endsWith, .default, .formatDate, .map: return 2...2
        case .join: return 1...2
        case .format: return 1...Int.max
        }
    }

    /// `1 argument`, `1 or 2 arguments`, `at least 1 argument`.
    var arityDescription: String {
        let range = arity
        func noun(_ n: Int) -> String { n == 1 ? "argument" : "arguments" }
        if range.upperBound == Int.max { return "at least \(range.lowerBound) \(noun(range.lowerBound))" }
        if range.count == 1 {
            return range.lowerBound == 0 ? "no arguments" : "\(range.lowerBound) \(noun(range.lowerBound))"
        }
        return "\(range.lowerBound) or \(range.upperBound) arguments"
    }

    /// How to call it, for hints.
    var signature: String {
        switch self {
        case .toJSON: return "toJSON(value)"
        case .fromJSON: return "fromJSON(text)"
        case .contains: return "contains(stringOrArray, value)"
        case .startsWith: return "startsWith(text, prefix)"
        case .endsWith: return "endsWith(text, suffix)"
        case .format: return "format('{0} and {1}', a, b)"
        case .join: return "join(array, ', ')"
        case .length: return "length(stringArrayOrObject)"
        case .default: return "default(value, fallback)"
        case .now: return "now()"
        case .formatDate: return "formatDate(date, 'yyyy-MM-dd')"
        case .map: return "map(array, 'path.to.field')"
        case .keys: return "keys(object)"
        case .lower: return "lower(text)"
        case .upper: return "upper(text)"
        case .trim: return "trim(text)"
        case .success: return "success()"
        case .failure: return "failure()"
        case .always: return "always()"
        case .cancelled: return "cancelled()"
        }
    }
}
