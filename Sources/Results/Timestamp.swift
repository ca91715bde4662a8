#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A moment in UTC with millisecond precision, written as ISO 8601 (`2026-11-24T07:00:00.000Z`).
///
/// The results document's `startedAt` fields use it. It is formatted without Foundation so that the
/// `Results` target depends on `Basics` only.
package struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    package var millisecondsSince1970: Int64

    /// Creates a timestamp from milliseconds since the Unix epoch.
    package init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    /// Creates a timestamp from seconds since the Unix epoch (as `Date.timeIntervalSince1970` gives them),
    /// rounded down to the millisecond.
    package init(secondsSince1970: Double) {
        millisecondsSince1970 = Int64((secondsSince1970 * 1000).rounded(.down))
    }

    /// The current wall-clock time.
    package static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(millisecondsSince1970: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// Milliseconds from `self` to `later`, never negative (a wall clock may step backwards).
    package func milliseconds(until later: Timestamp) -> Int {
        Int(max(0, later.millisecondsSince1970 - millisecondsSince1970))
    }

    /// Earlier is less.
    package static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    /// ISO 8601 in UTC with milliseconds: `yyyy-MM-ddTHH:mm:ss.SSSZ`.
    package var iso8601: String {
        let (days, msOfDay) = floorDivide(millisecondsSince1970, 86_400_000)
        let (year, month, day) = Self.civilDate(daysSince1970: days)
        let hours = msOfDay / 3_600_000
        let minutes = msOfDay / 60_000 % 60
        let seconds = msOfDay / 1000 % 60
        let millis = msOfDay % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hours, 2)):\(pad(minutes, 2)):"
            + "\(pad(seconds, 2)).\(pad(millis, 3))Z"
    }

    /// Same as `iso8601`.
    package var description: String { iso8601 }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    ///
    /// Works in 400-year eras (146 097 days each) starting on March 1st, so that the leap day is the
    /// last day of an era-year and month lengths follow a fixed pattern.
    private static func civilDate(daysSince1970: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSince1970 + 719_468  // days from 0000-03-01 to 1970-01-01
        let (era, dayOfEra) = floorDivide(shifted, 146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}

/// Quotient and remainder rounded towards negative infinity, so the remainder is never negative.
private func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
    var quotient = value / divisor
    var remainder = value % divisor
    if remainder < 0 {
        quotient -= 1
        remainder += divisor
    }
    return (quotient, remainder)
}

/// `value` as decimal, zero-padded on the left to `width` digits.
private func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(abs(value))
    let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
    return value < 0 ? "-" + padded : padded
}
