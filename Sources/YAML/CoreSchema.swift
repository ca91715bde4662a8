import Basics

/// The YAML 1.2 core schema (YAML 1.2.2, section 10.3): how a plain scalar's text becomes a value.
///
/// Only the core schema's forms are recognised. YAML 1.1's `yes`, `no`, `on`, `off`, `y`, `n`, `0777` octals,
/// `1_000` and sexagesimal numbers are plain strings.
enum CoreSchema {
    /// The value of an untagged plain scalar.
    static func resolvePlain(_ text: String) -> JSONValue {
        if let null = null(text) { return null }
        if let bool = bool(text) { return .bool(bool) }
        if let integer = integer(text) { return integer }
        if let double = float(text) { return .double(double) }
        return .string(text)
    }

    /// `null`, `Null`, `NULL`, `~` or empty gives `.null`; anything else nil.
    static func null(_ text: String) -> JSONValue? {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        default: return nil
        }
    }

    /// `true`/`True`/`TRUE` and `false`/`False`/`FALSE`; anything else nil.
    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`; nil for anything else.
    ///
    /// A value too large for `Int` becomes a `.double`, as a JSON parser would make it.
    static func integer(_ text: String) -> JSONValue? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
            if bytes[1] == UInt8(ascii: "o") { return digits(bytes.dropFirst(2), radix: 8, negative: false) }
            if bytes[1] == UInt8(ascii: "x") { return digits(bytes.dropFirst(2), radix: 16, negative: false) }
        }
        var body = bytes[...]
        var negative = false
        if let sign = body.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        return digits(body, radix: 10, negative: negative)
    }

    /// The digits in `radix` as an integer, or a double when they overflow `Int`; nil when a byte is no digit.
    private static func digits(_ bytes: ArraySlice<UInt8>, radix: Int, negative: Bool) -> JSONValue? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        var overflowed = false
        var approximate = 0.0
        for byte in bytes {
            guard let digit = digitValue(byte), digit < radix else { return nil }
            approximate = approximate * Double(radix) + Double(digit)
            if !overflowed {
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: radix)
                // Negative values accumulate downwards, so that `Int.min` fits.
                let (added, overflow2) =
                    negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                overflowed = overflow1 || overflow2
                value = added
            }
        }
        if overflowed {
            // Decimal text parses exactly rounded; other radixes are rare enough to accumulate.
            if radix == 10, let double = Double(String(decoding: bytes, as: UTF8.self)) {
                return .double(negative ? -double : double)
            }
            return .double(negative ? -approximate : approximate)
        }
        return .integer(value)
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?\.(inf|Inf|INF)` or `\.(nan|NaN|NAN)`;
    /// nil for anything else.
    static func float(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let bytes = Array(text.utf8)
        var index = 0
        func skipDigits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }
        func skipSign() {
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
        }
        skipSign()
        let integerDigits = skipDigits()
        var fractionDigits = 0
        var hasPoint = false
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            hasPoint = true
            index += 1
            fractionDigits = skipDigits()
        }
        // `.5` needs fraction digits; `5.` and `5` need integer digits.
        guard integerDigits > 0 || (hasPoint && fractionDigits > 0) else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            skipSign()
            guard skipDigits() > 0 else { return nil }
        }
        guard index == bytes.count else { return nil }
        // Swift's parser wants digits on both sides of the point: `5.` → `5.0`, `-.5` → `-0.5`.
        var normalized = text
        if hasPoint && fractionDigits == 0, let point = normalized.firstIndex(of: ".") {
            normalized.insert("0", at: normalized.index(after: point))
        }
        if hasPoint && integerDigits == 0, let point = normalized.firstIndex(of: ".") {
            normalized.insert("0", at: point)
        }
        return Double(normalized)
    }

    /// The value of a scalar with an explicit tag, or nil when its text does not fit the tag.
    ///
    /// `!!str` and every tag outside the core schema (`!local`, `!!binary`) give the text as a string; the
    /// non-specific tag `!` does too.
    static func resolveTagged(_ text: String, tag: String) -> JSONValue? {
        switch tag {
        case "!!null": return null(text)
        case "!!bool": return bool(text).map(JSONValue.bool)
        case "!!int": return integer(text)
        case "!!float":
            if let double = float(text) { return .double(double) }
            return nil
        default: return .string(text)
        }
    }
}
