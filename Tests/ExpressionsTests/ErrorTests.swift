import Basics
import Expressions
import Testing

@Suite("Errors")
struct ErrorTests {
    @Test("a missing key names the full path, the object, the keys and default()")
    func missingKey() throws {
        let error = try #require(failure(of: "${{ length(steps.other.json.issues) > 0 }}"))
        #expect(error.code == .missingProperty)
        #expect(error.message == "'steps.other.json.issues' is missing: 'json' has no property 'issues'")
        #expect(error.offset == 11)
        #expect(
            error.hint
                == "'json' has 'isLast' and 'total'; "
                + "write default(steps.other.json.issues, fallback) where it may be missing"
        )
    }

    @Test("the nearest key is suggested and listed first")
    func nearestKeyFirst() throws {
        let error = try #require(failure(of: "${{ steps.search.json.isues }}"))
        #expect(error.message == "'steps.search.json.isues' is missing: 'json' has no property 'isues'")
        #expect(error.hint?.hasPrefix("did you mean 'issues'? 'json' has 'issues' and 'total';") == true)
    }

    @Test(
        "missing properties name the path as written and start at its root",
        arguments: [
            ("${{ steps.site.json[3].id }}", "'steps.site.json[3]' is missing: 'json' has 1 element", 4),
            ("x ${{ steps.nothing.json.x }}", "'steps.nothing.json.x' is missing: 'json' is null", 6),
            ("${{ inputs.project.name }}", "'inputs.project.name' is missing: 'project' is a string, not an object", 4),
            ("${{ inputs.days[0] }}", "'inputs.days[0]' is missing: 'days' is a number, not an array", 4),
            ("${{ steps.site.json.id }}", "'steps.site.json.id' is missing: 'json' is an array, not an object", 4),
            ("${{ steps['nope'] }}", "'steps['nope']' is missing: 'steps' has no property 'nope'", 4),
            ("${{ steps.site.json[-1] }}", "'steps.site.json[-1]' is missing: 'json' has 1 element", 4),
            ("${{ fromJSON('{}').a }}", "'fromJSON('{}').a' is missing: 'fromJSON('{}')' has no property 'a'", 4),
            ("\u{E9}\u{1F600} ${{ inputs.nope }}", "'inputs.nope' is missing: 'inputs' has no property 'nope'", 7),
            ("${{ 1 + stpes.x }}", "unknown name 'stpes'", 8),
        ])
    func missingPaths(template: String, message: String, offset: Int) throws {
        let error = try #require(failure(of: template))
        #expect(error.code == .missingProperty)
        #expect(error.message == message)
        #expect(error.offset == offset)
    }

    @Test("an unknown root name lists the known names")
    func unknownRoot() throws {
        let error = try #require(failure(of: "${{ stpes.search }}"))
        #expect(
            error.hint
                == "did you mean 'steps'? known names are 'env', 'index', 'inputs', 'item', 'secrets' and 'steps'")
    }

    @Test("a name with a dash that was meant as subtraction gets a hint")
    func dashHint() throws {
        let error = try #require(failure(of: "${{ inputs.days-1 }}"))
        #expect(error.hint?.contains("put spaces around '-' to subtract") == true)
    }

    @Test("default() does not catch errors other than missing properties")
    func defaultOnlyCatchesMissing() throws {
        #expect(failure(of: "${{ default('a' + 1, 2) }}")?.code == .typeMismatch)
        #expect(failure(of: "${{ default(1 / 0, 2) }}")?.code == .divisionByZero)
        #expect(failure(of: "${{ default(inputs.nope, steps.nope) }}")?.message.contains("steps.nope") == true)
    }

    @Test(
        "syntax errors point at the offending scalar",
        arguments: [
            ("${{ 1 + }}", "expected a value but found the end of the expression", 8),
            ("abc ${{ x", "unterminated '${{'", 4),
            ("${{ 'abc }}", "unterminated string", 4),
            ("${{ }}", "empty expression", 4),
            ("${{ a = b }}", "unexpected character '='", 6),
            ("${{ \"x\" }}", "unexpected character '\"'", 4),
            ("${{ (1 }}", "expected ')' but found the end of the expression", 7),
            ("${{ a b }}", "unexpected 'b'", 6),
            ("${{ a. }}", "expected a property name after '.' but found the end of the expression", 7),
            ("${{ a.0 }}", "expected a property name after '.' but found '0'", 6),
            ("${{ a[1 }}", "expected ']' but found the end of the expression", 8),
            ("${{ length(a b) }}", "expected ',' or ')' but found 'b'", 13),
            ("${{ a & b }}", "unexpected character '&'", 6),
            ("${{ a | b }}", "unexpected character '|'", 6),
            ("${{ a.b( }}", "unexpected '('", 7),
            ("${{ 1 }} ${{ ) }}", "expected a value but found ')'", 13),
            ("${{ # }}", "unexpected character '#'", 4),
        ])
    func syntax(template: String, message: String, offset: Int) throws {
        let error = try #require(failure(of: template))
        #expect(error.code == .syntax)
        #expect(error.message == message)
        #expect(error.offset == offset)
    }

    @Test("absurd nesting is a syntax error, not a crash")
    func deepNesting() throws {
        let deep = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
        #expect(failure(of: "${{ \(deep) }}")?.code == .syntax)
        let negations = String(repeating: "!", count: 500) + "true"
        #expect(failure(of: "${{ \(negations) }}")?.code == .syntax)
    }

    @Test("Expression.parse adds its offset to error offsets")
    func expressionOffset() throws {
        #expect(throws: ExpressionError.self) { try Expression.parse(" a b ", offset: 10) }
        do {
            _ = try Expression.parse(" a b ", offset: 10)
        } catch {
            #expect(error.offset == 13)
        }
    }

    @Test("errors describe themselves in the one-line form")
    func description() throws {
        let error = try #require(failure(of: "${{ inputs.nope }}"))
        #expect(error.description == "'inputs.nope' is missing: 'inputs' has no property 'nope'")
        let location = SourceLocation(file: "w.yaml", line: 3, column: 9)
        let located = error.adding(ErrorContext(location: location, step: "s"))
        #expect(located.description.hasPrefix("w.yaml:3:9: step 's': 'inputs.nope' is missing"))
    }
}
