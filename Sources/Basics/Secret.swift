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

/// Every secret value this process has seen, in every encoding mcp-run itself produces.
///
/// The one registry behind every `SecretMasker`: each place a credential is born (a `secrets.*`
/// value, a `--secrets` file, an `apiKey`/`token`/`password`, a built `Authorization` header,
/// an OAuth token, code, verifier, client secret or device code) registers it here, and every
/// output boundary (the terminal, the `-v` trace, error messages, the results document, `jsonl`
/// events) masks through it. Thread-safe; values are never removed.
package final class SecretRegistry: Sendable {
    /// The process's registry, read by every masker unless a test gives it its own.
    package static let shared = SecretRegistry()

    /// The byte patterns to mask, longest first.
    private let state = Locked<[[UInt8]]>([])

    /// An empty registry (tests use their own, so they do not mask each other's text).
    package init() {}

    /// Registers `secret`'s value and its encodings.
    package func register(_ secret: Secret) {
        secret.withRevealedValue { register(value: $0) }
    }

    /// The patterns to mask, longest first.
    package var patterns: [[UInt8]] { state.value }

    /// Whether nothing is registered.
    package var isEmpty: Bool { state.withLock { $0.isEmpty } }

    private func register(value: String) {
        let added = Self.encodings(of: value).map { Array($0.utf8) }
        guard !added.isEmpty else { return }
        state.withLock { patterns in
            var changed = false
            for pattern in added where !patterns.contains(pattern) {
                patterns.append(pattern)
                changed = true
            }
            if changed { patterns.sort { $0.count > $1.count } }
        }
    }

    /// `value` as mcp-run may write it: raw, JSON-escaped (the serializer's escapes), form-encoded
    /// (token request bodies, `client_secret_basic`'s `id:secret`), percent-encoded (URLs); for an
    /// `Authorization`-style value (`Basic …`, `Bearer …`), the credential after the scheme too;
    /// for a multi-line value (a PEM key), each line too, since a stdio server's stderr and the
    /// first line of a tool error are shown line by line.
    package static func encodings(of value: String) -> [String] {
        var values = [value]
        if value.utf8.contains(UInt8(ascii: "\n")) {
            for line in value.utf8.split(separator: UInt8(ascii: "\n")) {
                let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
                values.append(String(decoding: trimmed, as: UTF8.self))
            }
        }
        if let space = value.firstIndex(of: " ") {
            let scheme = value[..<space]
            let rest = value[value.index(after: space)...].drop { $0 == " " }
            if !rest.isEmpty, ["basic", "bearer"].contains(scheme.lowercased()) {
                values.append(String(rest))
            }
        }
        var out: [String] = []
        // A value too short to mask is not masked in any encoding either.
        for text in values where text.utf8.count >= SecretMasker.minimumLength {
            for encoded in [
                text, jsonEscaped(text), percentEncoded(text, form: true), percentEncoded(text, form: false),
            ] where !out.contains(encoded) {
                out.append(encoded)
            }
        }
        return out
    }

    /// The text between the quotes `JSONValue.serialized()` writes for `text`.
    static func jsonEscaped(_ text: String) -> String {
        String(JSONValue.string(text).serialized().dropFirst().dropLast())
    }

    /// `application/x-www-form-urlencoded` (`form`: ASCII letters, digits and `-._*` kept, space
    /// as `+`) or RFC 3986 (`-._~` kept, space as `%20`) percent-encoding, upper-case hex.
    static func percentEncoded(_ text: String, form: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                out.append(byte)
            case UInt8(ascii: "*") where form, UInt8(ascii: "~") where !form:
                out.append(byte)
            case UInt8(ascii: " ") where form:
                out.append(UInt8(ascii: "+"))
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xf)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Secret {
    /// A credential mcp-run obtained or built: wrapped, and registered with `registry` so every
    /// output masks it from now on.
    package static func credential(_ value: String, registry: SecretRegistry = .shared) -> Secret {
        let secret = Secret(value)
        registry.register(secret)
        return secret
    }
}

/// Replaces every occurrence of each secret's text in `text` with `***`.
///
/// The second line of defence (STYLE.md §7), applied at every output boundary: log and trace
/// lines, error messages, the results document and `jsonl` events. It reads one
/// `SecretRegistry` (the process's, unless given another), so a secret registered anywhere is
/// masked everywhere, in every encoding `SecretRegistry.encodings(of:)` lists. Matching is on
/// UTF-8 bytes, so a secret with a CR, a combining mark or any other character is found wherever
/// its bytes are. Secrets shorter than 3 bytes are not masked, since masking them would shred
/// ordinary text; such values are refused as secrets elsewhere where it matters.
package struct SecretMasker: Sendable {
    /// The shortest value masked, in UTF-8 bytes.
    package static let minimumLength = 3

    /// The registry this masker reads and `add` writes.
    package let registry: SecretRegistry

    /// A masker reading `registry`, with `secrets` registered there.
    package init(_ secrets: [Secret] = [], registry: SecretRegistry = .shared) {
        self.registry = registry
        for secret in secrets { registry.register(secret) }
    }

    /// Adds more secrets to mask (to the registry, so every masker reading it masks them).
    package func add(_ secret: Secret) {
        registry.register(secret)
    }

    /// Whether there is nothing to mask.
    package var isEmpty: Bool { registry.isEmpty }

    /// `text` with every secret replaced by `***`.
    ///
    /// Text with no secret in it is returned as it is, never copied.
    package func mask(_ text: String) -> String {
        let patterns = registry.patterns
        guard !patterns.isEmpty else { return text }
        var text = text
        guard text.withUTF8({ utf8 in patterns.contains { Self.occurs($0, in: utf8) } }) else { return text }
        var bytes = Array(text.utf8)
        for pattern in patterns { Self.replace(pattern, in: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Replaces every secret in `bytes` with `***`, in place; the bytes are copied only where
    /// a secret is found. The results document is masked this way, as bytes, not as a string.
    package func mask(_ bytes: inout [UInt8]) {
        for pattern in registry.patterns { Self.replace(pattern, in: &bytes) }
    }

    /// Whether `pattern` occurs in `bytes`.
    private static func occurs(_ pattern: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = pattern.first, bytes.count >= pattern.count else { return false }
        var index = 0
        while index <= bytes.count - pattern.count {
            if bytes[index] == first, bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return true }
            index += 1
        }
        return false
    }

    /// At most `limit` characters of `text`, secrets masked before the cut, so a cut never leaves
    /// the start of a secret showing. Every excerpt of server text in a message is made with it.
    package func maskedPrefix(_ text: some StringProtocol, _ limit: Int) -> String {
        String(mask(String(text)).prefix(limit))
    }

    private static let stars = Array("***".utf8)

    /// Replaces every occurrence of `pattern` in `bytes`; whether there was one.
    @discardableResult
    private static func replace(_ pattern: [UInt8], in bytes: inout [UInt8]) -> Bool {
        guard let first = pattern.first, bytes.count >= pattern.count else { return false }
        var out: [UInt8] = []
        var index = 0
        var found = false
        let last = bytes.count - pattern.count
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
                if !found {
                    out.reserveCapacity(bytes.count)
                    out.append(contentsOf: bytes[..<index])
                    found = true
                }
                out.append(contentsOf: stars)
                index += pattern.count
            } else {
                if found { out.append(bytes[index]) }
                index += 1
            }
        }
        guard found else { return false }
        out.append(contentsOf: bytes[index...])
        bytes = out
        return true
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
