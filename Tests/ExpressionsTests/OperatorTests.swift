import Basics
import Expressions
import Testing

@Suite("Operators")
struct OperatorTests {
    @Test(
        "arithmetic keeps integers integral and follows precedence",
        arguments: [
            ("1 + 2 * 3", .integer(7)),
            ("(1 + 2) * 3", .integer(9)),
            ("10 - 2 - 3", .integer(5)),
            ("12 / 2 / 3", .integer(2)),
            ("inputs.days * 50", .integer(50)),
            ("6 / 3", .integer(2)),
            ("7 / 2", .double(3.5)),
            ("1.5 * 2", .double(3)),
            ("inputs.ratio + 1", .double(1.5)),
            ("-inputs.days", .integer(-1)),
            ("- 3 + 1", .integer(-2)),
            ("2 * -3", .integer(-6)),
            ("--2", .integer(2)),
            ("-(1 + 2)", .integer(-3)),
            ("9223372036854775807 + 1", .double(9_223_372_036_854_775_808)),
            ("1e3", .double(1000)),
            ("2.5e-1", .double(0.25)),
            ("index - 1", .integer(2)),
            ("'a' + 'b'", .string("ab")),
            ("inputs.project + '-' + 'x'", .string("ENG-x")),
        ] as [(String, JSONValue)])
    func arithmetic(expression: String, expected: JSONValue) throws {
        #expect(try value(of: expression) == expected)
    }

    @Test(
        "comparisons and equality",
        arguments: [
            ("1 == 1.0", true), ("1 != 1.0", false), ("'abc' == 'abc'", true), ("'A' == 'a'", false),
            ("null == null", true), ("null == false", false), ("0 == false", false), ("'1' == 1", false),
            ("inputs.project != 'ENG'", false), ("steps.site.json == steps.site.json", true),
            ("fromJSON('{\"a\":[1,2]}') == fromJSON('{\"a\":[1.0,2]}')", true),
            ("fromJSON('[1,2]') == fromJSON('[2,1]')", false),
            ("1 < 2", true), ("2 <= 2", true), ("3 > 2.5", true), ("2 >= 3", false), ("'a' < 'b'", true),
            ("'b' <= 'a'", false), ("1 + 1 == 2 && 2 > 1", true), ("1 < 2 == true", true),
        ])
    func comparison(expression: String, expected: Bool) throws {
        #expect(try value(of: expression) == .bool(expected))
    }

    @Test(
        "'&&' and '||' return an operand, like GitHub Actions",
        arguments: [
            ("true && 'x'", .string("x")), ("null && 'x'", .null), ("'' && 'x'", .string("")),
            ("0 || 'fallback'", .string("fallback")), ("'a' || 'b'", .string("a")), ("false || null", .null),
            ("true || false && false", .bool(true)), ("(true || false) && false", .bool(false)),
            ("steps && 1", .integer(1)), ("fromJSON('[]') || 1", .array([])),
        ] as [(String, JSONValue)])
    func logical(expression: String, expected: JSONValue) throws {
        #expect(try value(of: expression) == expected)
    }

    @Test(
        "'!' uses truthiness: null, false, 0 and '' are falsy, arrays and objects truthy",
        arguments: [
            ("!true", false), ("!null", true), ("!0", true), ("!0.0", true), ("!''", true), ("!'0'", false),
            ("!steps", false), ("!fromJSON('[]')", false), ("!fromJSON('{}')", false), ("!!inputs.days", true),
            ("!(1 == 2)", true),
        ])
    func not(expression: String, expected: Bool) throws {
        #expect(try value(of: expression) == .bool(expected))
    }

    @Test(
        "access by name, quoted name, index and computed index",
        arguments: [
            ("steps.site.json[0].id", .string("cloud-1")),
            ("steps['site'].json[0]['name']", .string("acme")),
            ("steps.fetch-data.status", .string("skipped")),
            ("steps['fetch-data'].status", .string("skipped")),
            ("inputs['pro' + 'ject']", .string("ENG")),
            ("steps.site.json[inputs.days - 1].id", .string("cloud-1")),
            ("steps.search.json.issues[1.0].key", .string("ENG-2")),
            ("(steps.search).json.total", .integer(2)),
            ("steps.nothing.json", .null),
            ("'it''s'", .string("it's")),
            ("  null  ", .null),
        ] as [(String, JSONValue)])
    func access(expression: String, expected: JSONValue) throws {
        #expect(try value(of: expression) == expected)
    }

    @Test(
        "'&&' and '||' short-circuit: the right side is not evaluated",
        arguments: [
            "steps.nothing.json && steps.nothing.json.x", "false && (1 / 0)", "true || stpes",
            "inputs.days || inputs.nope", "null && 'a' + 1",
        ])
    func shortCircuit(expression: String) throws {
        _ = try value(of: expression)
    }

    @Test(
        "operators refuse values of the wrong type",
        arguments: [
            ("'a' + 1", ExpressionError.Code.typeMismatch), ("1 - 'a'", .typeMismatch), ("null < 1", .typeMismatch),
            ("'1' < 2", .typeMismatch), ("-'a'", .typeMismatch), ("steps * 2", .typeMismatch),
            ("inputs[true]", .typeMismatch), ("steps.site.json[0.5]", .typeMismatch),
            ("1 / 0", .divisionByZero), ("1.5 / 0", .divisionByZero), ("inputs.days / inputs.zero", .divisionByZero),
        ])
    func typeMismatch(expression: String, code: ExpressionError.Code) throws {
        let error = try #require(failure(of: "${{ \(expression) }}"))
        #expect(error.code == code)
        #expect(error.offset >= 4)
    }
}
