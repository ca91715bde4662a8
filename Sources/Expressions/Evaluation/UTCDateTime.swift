/// A calendar date and time in UTC with millisecond precision, computed without Foundation.
///
/// Days are converted with the proleptic Gregorian calendar (civil-from-days arithmetic), which is
/// all `now()` and `formatDate()` need.
struct UTCDateTime: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var millisecond: Int

    /// Milliseconds since 1970-01-01T00:00:00Z.
    var millisecondsSinceEpoch: Int {
        let days = Self.days(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond
    }

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.millisecond = millisecond
    }

    init(millisecondsSinceEpoch ms: Int) {
        let msPerDay = 86_400_000
        let days = ms >= 0 ? ms / msPerDay : -((-ms + msPerDay - 1) / msPerDay)
        let rest = ms - days * msPerDay
        let (year, month, day) = Self.civil(fromDays: days)
        self.init(
            year: year, month: month, day: day, hour: rest / 3_600_000, minute: rest / 60_000 % 60,
            second: rest / 1000 % 60, millisecond: rest % 1000)
    }

    /// Seconds since 1970 (fractions kept to the millisecond, rounded down); nil beyond year ±1 000 000.
    init?(secondsSinceEpoch seconds: Double) {
        let ms = (seconds * 1000).rounded(.down)
        guard ms.isFinite, abs(ms) < 3.0e16 else { return nil }
        self.init(millisecondsSinceEpoch: Int(ms))
    }

    /// Parses `YYYY-MM-DD`, optionally followed by `T` (or a space) and `HH:MM[:SS[.fraction]]`
    /// and a zone (`Z`, `±HH:MM`, `±HHMM`, `±HH`); no zone means UTC. The result is in UTC.
    init?(iso8601 text: String) {
        var scanner = DigitScanner(Array(text.unicodeScalars))
        guard let year = scanner.number(digits: 4), scanner.take("-"),
            let month = scanner.number(digits: 2), scanner.take("-"),
            let day = scanner.number(digits: 2),
            (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var millisecond = 0
        var offsetMinutes = 0
        if scanner.take("T") || scanner.take("t") || scanner.take(" ") {
            guard let h = scanner.number(digits: 2), scanner.take(":"), let m = scanner.number(digits: 2),
                h <= 23, m <= 59
            else { return nil }
            hour = h
            minute = m
            if scanner.take(":") {
                guard let s = scanner.number(digits: 2), s <= 60 else { return nil }
                second = min(s, 59)  // a leap second is shown as :59
                if scanner.take(".") || scanner.take(",") {
                    var scale = 100
                    var any = false
                    while let digit = scanner.digit() {
                        millisecond += digit * scale
                        scale /= 10
                        any = true
                    }
                    guard any else { return nil }
                }
            }
            if scanner.take("Z") || scanner.take("z") {
                offsetMinutes = 0
            } else if let sign = scanner.sign() {
                guard let oh = scanner.number(digits: 2), oh <= 23 else { return nil }
                var om = 0
                if scanner.take(":") {
                    guard let value = scanner.number(digits: 2) else { return nil }
                    om = value
                } else if let value = scanner.number(digits: 2) {
                    om = value
                }
                guard om <= 59 else { return nil }
                offsetMinutes = sign * (oh * 60 + om)
            }
        }
        guard scanner.isAtEnd else { return nil }
        let local = UTCDateTime(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: millisecond)
        self.init(millisecondsSinceEpoch: local.millisecondsSinceEpoch - offsetMinutes * 60_000)
    }

    /// `2026-11-24T07:00:00.000Z`.
    var iso8601: String {
        Self.padded(year, 4) + "-" + Self.padded(month, 2) + "-" + Self.padded(day, 2) + "T" + Self.padded(hour, 2)
            + ":" + Self.padded(minute, 2) + ":" + Self.padded(second, 2) + "." + Self.padded(millisecond, 3) + "Z"
    }

    /// A problem with a date pattern.
    struct PatternError: Error {
        var message: String
    }

    /// Formats with a Unicode date pattern subset: `yyyy`/`y` (year), `yy` (two-digit year),
    /// `M`/`MM`, `d`/`dd`, `H`/`HH`, `m`/`mm`, `s`/`ss`, `S`…`SSS` (fraction), `'quoted text'`
    /// with `''` for a quote. Other ASCII letters are reserved and refused; everything else is copied.
    func formatted(pattern: String) throws(PatternError) -> String {
        let scalars = Array(pattern.unicodeScalars)
        var out = ""
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "'" {
                if i + 1 < scalars.count, scalars[i + 1] == "'" {
                    out += "'"
                    i += 2
                    continue
                }
                var j = i + 1
                var literal = String.UnicodeScalarView()
                while j < scalars.count {
                    if scalars[j] == "'" {
                        if j + 1 < scalars.count, scalars[j + 1] == "'" {
                            literal.append("'")
                            j += 2
                            continue
                        }
                        break
                    }
                    literal.append(scalars[j])
                    j += 1
                }
                guard j < scalars.count else { throw PatternError(message: "unterminated quote in the pattern") }
                out += String(literal)
                i = j + 1
                continue
            }
            guard (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") else {
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            var count = 1
            while i + count < scalars.count, scalars[i + count] == c { count += 1 }
            out += try field(c, count: count)
            i += count
        }
        return out
    }

    private func field(_ letter: Unicode.Scalar, count: Int) throws(PatternError) -> String {
        let run = String(repeating: String(letter), count: count)
        switch (letter, count) {
        case ("y", 2): return Self.padded(((year % 100) + 100) % 100, 2)
        case ("y", _): return Self.padded(year, count)
        case ("M", 1...2): return Self.padded(month, count)
        case ("d", 1...2): return Self.padded(day, count)
        case ("H", 1...2): return Self.padded(hour, count)
        case ("m", 1...2): return Self.padded(minute, count)
        case ("s", 1...2): return Self.padded(second, count)
        case ("S", 1...3): return String(Self.padded(millisecond, 3).prefix(count))
        default: throw PatternError(message: "'\(run)' is not a supported pattern field")
        }
    }

    /// `n` in decimal, zero-padded to `width` digits (after any minus sign).
    static func padded(_ n: Int, _ width: Int) -> String {
        let digits = String(n.magnitude)
        let padding = String(repeating: "0", count: max(0, width - digits.count))
        return (n < 0 ? "-" : "") + padding + digits
    }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Reads fixed-width numbers and punctuation from a date string.
private struct DigitScanner {
    let scalars: [Unicode.Scalar]
    var position = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var isAtEnd: Bool { position == scalars.count }

    mutating func take(_ c: Unicode.Scalar) -> Bool {
        guard position < scalars.count, scalars[position] == c else { return false }
        position += 1
        return true
    }

    mutating func digit() -> Int? {
        guard position < scalars.count, let value = decimalDigit(scalars[position]) else { return nil }
        position += 1
        return value
    }

    /// Exactly `digits` digits, else nil with nothing consumed.
    mutating func number(digits: Int) -> Int? {
        let start = position
        var value = 0
        for _ in 0..<digits {
            guard let d = digit() else {
                position = start
                return nil
            }
            value = value * 10 + d
        }
        return value
    }

    /// `+1` or `-1` for a sign, consumed; else nil.
    mutating func sign() -> Int? {
        if take("+") { return 1 }
        if take("-") { return -1 }
        return nil
    }
}
