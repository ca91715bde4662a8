import Basics
import Expressions
import Testing

@Suite("Depth and size limits")
struct DepthTests {
    /// `count` copies of `unit` joined by `separator`, wrapped as a template.
    private func template(_ unit: String, _ count: Int, separator: String) -> String {
        "${{ " + Array(repeating: unit, count: count).joined(separator: separator) + " }}"
    }

    @Test(
        "a tree taller than the limit is a syntax error, whatever builds it",
        arguments: [
            "${{ " + Array(repeating: "1", count: 300).joined(separator: " + ") + " }}",
            "${{ " + Array(repeating: "true", count: 300).joined(separator: " && ") + " }}",
            "${{ " + Array(repeating: "1", count: 300).joined(separator: " < ") + " }}",
            "${{ inputs" + String(repeating: ".a", count: 300) + " }}",
            "${{ inputs" + String(repeating: "[0]", count: 300) + " }}",
            // Parentheses alone add no level, but each holds a chain: 20 × 20 levels.
            "${{ " + String(repeating: "(", count: 20)
                + String(
                    repeating: "1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1) + ",
                    count: 20)
                + "1 }}",
        ])
    func tallTrees(text: String) {
        #expect {
            try Template.parse(text)
        } throws: { error in
            let error = error as? ExpressionError
            return error?.code == .syntax && error?.message.contains("nested more than 256 levels") == true
                && (error?.offset ?? -1) >= 4
        }
    }

    @Test(
        "deep nesting of brackets, calls and prefix operators is a syntax error",
        arguments: [
            "${{ " + String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000) + " }}",
            "${{ " + String(repeating: "!", count: 10_000) + "true }}",
            "${{ " + String(repeating: "- ", count: 10_000) + "x }}",
            "${{ " + String(repeating: "length(", count: 10_000) + "1" + String(repeating: ")", count: 10_000) + " }}",
            "${{ inputs" + String(repeating: "[inputs", count: 10_000) + String(repeating: "]", count: 10_000) + " }}",
        ])
    func deepNesting(text: String) {
        #expect(throws: ExpressionError.self) { try Template.parse(text) }
    }

    @Test("more tokens than the limit is a syntax error")
    func tooManyTokens() {
        #expect {
            try Template.parse(self.template("1", 8000, separator: " + "))
        } throws: { error in
            (error as? ExpressionError)?.message == "expression has more than 10000 tokens"
        }
    }

    @Test("a chain just under the limit parses and evaluates")
    func chainUnderLimit() throws {
        let value = try evaluate(template("1", 256, separator: " + "))
        #expect(value.value == 256)
        let negations = try evaluate("${{ " + String(repeating: "!", count: 150) + "true }}")
        #expect(negations.value == true)
    }

    @Test(
        "huge, fractional and negative indexes are errors or misses, never traps",
        arguments: [
            "${{ steps.search.json.issues[1e300] }}", "${{ steps.search.json.issues[-1] }}",
            "${{ steps.search.json.issues[-9223372036854775808] }}",
            "${{ steps.search.json.issues[9223372036854775807] }}",
            "${{ steps.search.json.issues[99999999999999999999] }}", "${{ steps.search.json.issues[0.5] }}",
            "${{ steps.search.json.issues[-1e300] }}", "${{ steps.search.json.issues[1e300 * 1e300] }}",
        ])
    func hostileIndexes(text: String) {
        #expect(throws: ExpressionError.self) { try evaluate(text) }
    }

    @Test(
        "a whole-number index beyond Int is a missing element, not a fraction",
        arguments: ["${{ steps.search.json.issues[1e300] }}", "${{ steps.search.json.issues[-1e300] }}"])
    func hugeIndex(text: String) {
        #expect {
            try evaluate(text)
        } throws: { error in
            let error = error as? ExpressionError
            return error?.code == .missingProperty && error?.message.hasSuffix("'issues' has 2 elements") == true
        }
    }

    @Test(
        "arithmetic at the edges of Int gives a number, never a trap",
        arguments: [
            ("${{ 9223372036854775807 + 1 }}", 9_223_372_036_854_775_808.0),
            ("${{ -9223372036854775807 - 2 }}", -9_223_372_036_854_775_809.0),
            ("${{ 9223372036854775807 * 2 }}", 18_446_744_073_709_551_614.0),
            ("${{ (-9223372036854775807 - 1) / -1 }}", 9_223_372_036_854_775_808.0),
            ("${{ -(-9223372036854775807 - 1) }}", 9_223_372_036_854_775_808.0),
            ("${{ 99999999999999999999 }}", 1e20),
        ])
    func edgeArithmetic(text: String, expected: Double) throws {
        let value = try evaluate(text).value
        #expect(value.doubleValue == expected, "\(value)")
    }
}
