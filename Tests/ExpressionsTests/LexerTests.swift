import Basics
import Testing

@testable import Expressions

@Suite("Lexer and dates")
struct LexerTests {
    /// The tokens of `source` in a compact spelling: names bare, numbers as JSON, strings quoted, symbols as written.
    private func spelled(_ source: String) throws -> [String] {
        var lexer = Lexer(source, offset: 0)
        return try lexer.tokenize().compactMap { token in
            switch token.kind {
            case .identifier(let name): return name
            case .number(let value): return "#" + value.serialized()
            case .string(let text): return "'\(text)'"
            case .symbol(let symbol): return symbol.rawValue
            case .end: return nil
            }
        }
    }

    @Test(
        "splits source into names, numbers, strings and symbols",
        arguments: [
            ("steps.fetch-data.json", ["steps", ".", "fetch-data", ".", "json"]),
            ("a-b", ["a-b"]),
            ("a - b", ["a", "-", "b"]),
            ("a- b", ["a", "-", "b"]),
            ("a-1", ["a-1"]),
            ("x[0].id", ["x", "[", "#0", "]", ".", "id"]),
            ("1.5e3 2E-2 7 1.x", ["#1500", "#0.02", "#7", "#1", ".", "x"]),
            ("'it''s' ''", ["'it's'", "''"]),
            ("a<=b>=c<d>e==f", ["a", "<=", "b", ">=", "c", "<", "d", ">", "e", "==", "f"]),
            ("f!=g&&h||!i+1*2/3", ["f", "!=", "g", "&&", "h", "||", "!", "i", "+", "#1", "*", "#2", "/", "#3"]),
            ("\tf(a,\n b)\r", ["f", "(", "a", ",", "b", ")"]),
            ("'\u{1F600} }}'", ["'\u{1F600} }}'"]),
        ])
    func tokens(source: String, expected: [String]) throws {
        #expect(try spelled(source) == expected)
    }

    @Test("token offsets count Unicode scalars and include the expression's offset")
    func offsets() throws {
        var lexer = Lexer("'\u{E9}\u{1F600}' + b", offset: 10)
        let tokens = try lexer.tokenize()
        #expect(tokens.map(\.start) == [10, 15, 17, 18])
    }

    @Test(
        "days since 1970 and calendar dates convert both ways",
        arguments: [
            (0, 1970, 1, 1), (-1, 1969, 12, 31), (59, 1970, 3, 1), (11_016, 2000, 2, 29), (11_017, 2000, 3, 1),
            (20_781, 2026, 11, 24), (-135_081, 1600, 2, 29), (2_932_896, 9999, 12, 31), (-719_528, 0, 1, 1),
        ])
    func civilDays(days: Int, year: Int, month: Int, day: Int) {
        #expect(UTCDateTime.days(year: year, month: month, day: day) == days)
        #expect(UTCDateTime.civil(fromDays: days) == (year, month, day))
    }

    @Test(
        "ISO 8601 dates are read into UTC",
        arguments: [
            ("2026-11-24T07:00:00Z", "2026-11-24T07:00:00.000Z"),
            ("2026-11-24t07:00:00.5z", "2026-11-24T07:00:00.500Z"),
            ("2026-11-24", "2026-11-24T00:00:00.000Z"),
            ("2026-11-24T07:00", "2026-11-24T07:00:00.000Z"),
            ("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00.000Z"),
            ("2026-12-31T23:30:00-0100", "2027-01-01T00:30:00.000Z"),
            ("2026-06-30T23:59:60Z", "2026-06-30T23:59:59.000Z"),
        ])
    func iso8601(text: String, expected: String) throws {
        #expect(try #require(UTCDateTime(iso8601: text)).iso8601 == expected)
    }

    @Test(
        "malformed ISO 8601 dates are refused",
        arguments: [
            "", "2026", "2026-1-2", "2026-13-01", "2025-02-29", "2026-11-24T7:00", "2026-11-24T07:00Zx",
            "2026-11-24T07:00:00.", "2026-11-24T07:00+2500", "tomorrow",
        ])
    func badISO8601(text: String) {
        #expect(UTCDateTime(iso8601: text) == nil)
    }
}
