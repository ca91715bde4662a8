/// A value that must never appear in output, logs, errors or the results document.
package struct Secret: Sendable, Hashable {
    private let value: String

    /// Wraps a secret value.
    package init(_ value: String) { self.value = value }

    /// The only way to read the value. Keep call sites few and easy to grep for.
    package func withRevealedValue<R>(_ body: (String) throws -> R) rethrows -> R { try body(value) }
}

extension Secret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable, Encodable {
    /// Always `***`.
    package var description: String { "***" }
    /// Always `Secret(***)`.
    package var debugDescription: String { "Secret(***)" }
    /// Empty, so `dump` shows nothing either.
    package var customMirror: Mirror { Mirror(self, children: [:]) }
    /// Encodes as `"***"`.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode("***")
    }
}

/// Replaces every occurrence of each secret's text in `text` with `***`.
///
/// The second line of defence (STYLE.md §7): applied to every log line, error message and
/// results document. Secrets shorter than 3 characters are not masked, since masking them
/// would shred ordinary text; such values are refused as secrets elsewhere where it matters.
package struct SecretMasker: Sendable {
    private var values: [String]

    /// A masker for the given secrets.
    package init(_ secrets: [Secret] = []) {
        values = secrets.map { $0.withRevealedValue { $0 } }.filter { $0.count >= 3 }
        values.sort { $0.count > $1.count }
    }

    /// Adds more secrets to mask.
    package mutating func add(_ secret: Secret) {
        let text = secret.withRevealedValue { $0 }
        guard text.count >= 3, !values.contains(text) else { return }
        values.append(text)
        values.sort { $0.count > $1.count }
    }

    /// Whether there is nothing to mask.
    package var isEmpty: Bool { values.isEmpty }

    /// `text` with every secret replaced by `***`.
    package func mask(_ text: String) -> String {
        guard !values.isEmpty else { return text }
        var result = text
        for value in values where result.contains(value) {
            result = result.replacingAll(value, with: "***")
        }
        return result
    }
}

extension String {
    /// Every occurrence of `target` replaced, without Foundation.
    package func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }
}
