/// The shape every layer's error type has (STYLE.md §4).
///
/// Each layer has one struct conforming to this protocol with a `code` enum of its own;
/// `CLI/ErrorRenderer.swift` is the only code that prints one.
package protocol UserFacingError: Error, Sendable, CustomStringConvertible {
    /// For people: lower-case start, no trailing period, user values in single quotes.
    var message: String { get }
    /// What the user can do next, imperative, when we know.
    var hint: String? { get }
    /// Where it happened.
    var context: ErrorContext { get set }
    /// The cause from the layer below, if any.
    var underlying: (any Error)? { get }
}

extension UserFacingError {
    /// `file:line:col: step 'x': server 'y': message` — the one-line form without the hint.
    package var description: String {
        var parts: [String] = []
        if let location = context.location { parts.append("\(location)") }
        if let step = context.step { parts.append("step '\(step)'") }
        if let server = context.server { parts.append("server '\(server)'") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// This error with the parts of `context` filled in where it has none yet.
    package func adding(_ extra: ErrorContext) -> Self {
        var copy = self
        copy.context = copy.context.merging(extra)
        return copy
    }
}

extension Array where Element == String {
    /// `'a', 'b' and 'c'` — for hints that list user values.
    package var quotedList: String {
        let quoted = map { "'\($0)'" }
        switch quoted.count {
        case 0: return "none"
        case 1: return quoted[0]
        default: return quoted.dropLast().joined(separator: ", ") + " and " + (quoted.last ?? "")
        }
    }
}

/// The closest of `candidates` to `word` by edit distance, when it is close enough to suggest.
package func nearestMatch(to word: String, in candidates: [String]) -> String? {
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(word.lowercased(), candidate.lowercased())
        if distance <= max(2, candidate.count / 3), best.map({ distance < $0.1 }) ?? true {
            best = (candidate, distance)
        }
    }
    return best?.0
}

/// Levenshtein distance over Unicode scalars.
package func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars)
    let b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
