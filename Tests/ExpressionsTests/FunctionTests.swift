import Basics
import Expressions
import Testing

@Suite("Functions")
struct FunctionTests {
    @Test(
        "every built-in function",
        arguments: [
            ("toJSON(steps.site.json)", .string(#"[{"id":"cloud-1","name":"acme"}]"#)),
            ("toJSON('a')", .string(#""a""#)),
            ("toJSON(null)", .string("null")),
            ("fromJSON('[1, 2.5, \"x\", null]')", [1, 2.5, "x", nil]),
            ("fromJSON(inputs.raw).a[1]", .integer(2)),
            ("contains('hello', 'ell')", .bool(true)),
            ("contains('hello', 'ELL')", .bool(false)),
            ("contains('a1', 1)", .bool(true)),
            ("contains('abc', '')", .bool(true)),
            ("contains(steps.site.json, fromJSON('{\"id\":\"cloud-1\",\"name\":\"acme\"}'))", .bool(true)),
            ("contains(fromJSON('[1,2]'), 2.0)", .bool(true)),
            ("contains(fromJSON('[1,2]'), '2')", .bool(false)),
            ("startsWith('hello', 'he')", .bool(true)),
            ("startsWith('hello', 'lo')", .bool(false)),
            ("endsWith('hello', 'lo')", .bool(true)),
            ("format('{0} and {1}', 'a', 2)", .string("a and 2")),
            ("format('{1}{0}{1}', null, true)", .string("truetrue")),
            ("format('{{{0}}} {{}}', 'x')", .string("{x} {}")),
            ("format('plain')", .string("plain")),
            ("join(fromJSON('[1,\"a\",null,true]'))", .string("1,a,,true")),
            ("join(fromJSON('[\"a\",\"b\"]'), ' | ')", .string("a | b")),
            ("join(fromJSON('[]'), '-')", .string("")),
            ("join('abc')", .string("abc")),
            ("length('h\u{E9}llo')", .integer(5)),
            ("length(steps.site.json)", .integer(1)),
            ("length(steps.search.json)", .integer(2)),
            ("length(steps.search.json.issues) > 0", .bool(true)),
            ("default(steps.search.json.nope, 'none')", .string("none")),
            ("default(steps.nothing.json, 'none')", .string("none")),
            ("default(inputs.zero, 5)", .integer(0)),
            ("default(inputs.empty, 5)", .string("")),
            ("default(stpes.x, 1)", .integer(1)),
            ("default(steps.site.json[9].id, 'x')", .string("x")),
            ("default(steps.nothing.json.deep.er, 'x')", .string("x")),
            ("default(default(inputs.a, inputs.b), 'c')", .string("c")),
            ("now()", .string("2026-11-24T07:00:00.000Z")),
            ("formatDate(now(), 'yyyy-MM-dd')", .string("2026-11-24")),
            ("formatDate(now(), 'yyyyMMdd')", .string("20261124")),
            ("formatDate(0, 'yyyy-MM-dd HH:mm:ss.SSS')", .string("1970-01-01 00:00:00.000")),
            ("formatDate(-86400, 'yyyy-MM-dd')", .string("1969-12-31")),
            ("formatDate(1.5, 'ss.SSS S')", .string("01.500 5")),
            ("formatDate('2026-03-01T01:30:00+02:00', 'yyyy-MM-dd HH:mm')", .string("2026-02-28 23:30")),
            ("formatDate('2026-03-01T01:30-0130', 'HH:mm')", .string("03:00")),
            ("formatDate('2024-02-29', 'dd/MM/yy')", .string("29/02/24")),
            ("formatDate('2026-11-24T07:00:00.123456Z', 'SSS')", .string("123")),
            ("formatDate('2026-11-24 07:05:09', 'H:m:s d/M')", .string("7:5:9 24/11")),
            ("formatDate(now(), 'yyyy''T''HH')", .string("2026T07")),
            ("formatDate(now(), 'HH''''mm')", .string("07'00")),
            ("formatDate(now(), 'dd.MM. – HH')", .string("24.11. – 07")),
            ("map(steps.search.json.issues, 'key')", ["ENG-1", "ENG-2"]),
            ("map(steps.search.json.issues, 'fields.summary')", ["first", "second"]),
            ("map(steps.search.json.issues, 'labels.0')", ["a", "c"]),
            ("map(fromJSON('[]'), 'x')", []),
            ("default(map(steps.search.json.issues, 'fields.nope'), 'none')", .string("none")),
            ("keys(steps.search.json)", ["issues", "total"]),
            ("keys(fromJSON('{}'))", []),
            ("lower('AbC')", .string("abc")),
            ("upper('AbC')", .string("ABC")),
            ("trim('  a b \n\t')", .string("a b")),
            ("trim('   ')", .string("")),
        ] as [(String, JSONValue)])
    func builtIn(expression: String, expected: JSONValue) throws {
        #expect(try value(of: expression) == expected)
    }

    @Test(
        "wrong argument types and counts are bad arguments",
        arguments: [
            "fromJSON('nope')", "fromJSON(1)", "contains(1, 1)", "contains('a', fromJSON('[1]'))",
            "startsWith(1, 'a')", "endsWith('a', null)", "format('{1}', 'a')", "format('{x}')", "format('{0')",
            "format(1)", "join(1)", "join(fromJSON('[]'), 1)", "length(1)", "length(null)", "keys(fromJSON('[]'))",
            "lower(1)", "upper(null)", "trim(true)", "map(steps, 'a')", "map(fromJSON('[]'), '')",
            "map(fromJSON('[]'), 'a..b')", "formatDate('not a date', 'yyyy')", "formatDate('2026-02-30', 'dd')",
            "formatDate('2026-11-24T25:00Z', 'dd')", "formatDate(now(), 'EEE')", "formatDate(now(), 'MMM')",
            "formatDate(now(), 'yyyy ''open')", "formatDate(true, 'yyyy')", "formatDate(now(), 1)",
            "length()", "length(1, 2)", "now(1)", "default(1)", "join()", "format()", "formatDate(now())",
        ])
    func badArguments(expression: String) throws {
        let error = try #require(failure(of: "${{ \(expression) }}"))
        #expect(error.code == .badArguments, "\(error.message)")
        #expect(error.hint != nil)
    }

    @Test("an argument count error is found when the template is parsed")
    func arityAtParseTime() throws {
        #expect(throws: ExpressionError.self) { try Template.parse("${{ length() }}") }
    }

    @Test("an unknown function is an error at parse time with the nearest name")
    func unknownFunction() throws {
        let error = try #require(failure(of: "ab ${{ lenght(steps) }}"))
        #expect(error.code == .unknownFunction)
        #expect(error.message == "unknown function 'lenght'")
        #expect(error.offset == 7)
        #expect(error.hint?.hasPrefix("did you mean 'length'?") == true)
        let upper = try #require(failure(of: "${{ ToJSON(1) }}"))
        #expect(upper.code == .unknownFunction)
        #expect(upper.hint?.contains("'toJSON'") == true)
    }

    @Test("a missing path in map() is a missing property that names the element")
    func mapMissing() throws {
        let error = try #require(failure(of: "${{ map(steps.search.json.issues, 'fields.nope') }}"))
        #expect(error.code == .missingProperty)
        #expect(error.message.hasPrefix("'map(steps.search.json.issues, 'fields.nope')' is missing: "))
        #expect(error.message.hasSuffix(": 'fields' of element 0 has no property 'nope'"))
        #expect(error.hint?.contains("'summary'") == true)
    }

    @Test("now() shows milliseconds, rounded down")
    func nowMilliseconds() throws {
        let context = EvaluationContext(variables: [:], now: { 1_795_503_600.25 })
        #expect(try evaluate("${{ now() }}", in: context).value == "2026-11-24T07:00:00.250Z")
        let early = EvaluationContext(variables: [:], now: { -0.5 })
        #expect(try evaluate("${{ now() }}", in: early).value == "1969-12-31T23:59:59.500Z")
    }

    @Test("fromJSON keeps the parse error as the underlying cause")
    func fromJSONUnderlying() throws {
        let error = try #require(failure(of: "${{ fromJSON('{') }}"))
        #expect(error.underlying is JSONParseError)
    }

    @Test(
        "status functions read the run state a step's if is evaluated with",
        arguments: [
            (false, false, [true, false, true, false]), (true, false, [false, true, true, false]),
            (false, true, [false, false, true, true]), (true, true, [false, true, true, true]),
        ])
    func statusFunctions(failed: Bool, cancelled: Bool, expected: [Bool]) throws {
        var context = sampleContext
        context.runState = EvaluationContext.RunState(hasFailedDependency: failed, isCancelled: cancelled)
        let values = try ["success()", "failure()", "always()", "cancelled()"].map {
            try evaluate("${{ \($0) }}", in: context).value
        }
        #expect(values == expected.map { JSONValue.bool($0) })
        #expect(try Template.parse("${{ failure() || x }}").callsStatusFunction)
        #expect(try !Template.parse("${{ contains(x, 'failure()') }}").callsStatusFunction)
    }

    @Test("a status function outside a step's if is an error naming where it may be used")
    func statusFunctionWithoutState() {
        #expect {
            try evaluate("${{ failure() }}")
        } throws: { error in
            "\(error)".contains("failure() can only be used in a step's 'if'")
        }
    }
}
