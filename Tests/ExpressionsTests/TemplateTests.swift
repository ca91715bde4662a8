import Basics
import Expressions
import Testing

@Suite("Template")
struct TemplateTests {
    @Test(
        "a lone expression keeps its JSON type; anything around it makes text",
        arguments: [
            ("${{ inputs.days }}", .integer(1)),
            ("${{ inputs.days * 50 }}", .integer(50)),
            ("${{ inputs.ratio }}", .double(0.5)),
            ("${{ null }}", .null),
            ("${{ true }}", .bool(true)),
            ("${{ steps.site.json[0] }}", ["id": "cloud-1", "name": "acme"]),
            (" ${{ inputs.days }}", " 1"),
            ("${{ inputs.days }} ", "1 "),
            ("n=${{ null }}.", "n=."),
            ("${{ true }}/${{ false }}", "true/false"),
            ("${{ 1 }}${{ 2 }}", "12"),
            ("r=${{ inputs.ratio }}", "r=0.5"),
            ("x ${{ steps.site.json }}", #"x [{"id":"cloud-1","name":"acme"}]"#),
            ("project = ${{ inputs.project }} AND updated >= -${{ inputs.days }}d", "project = ENG AND updated >= -1d"),
            ("", ""),
            ("plain text", "plain text"),
        ] as [(String, JSONValue)])
    func typedOrText(template: String, expected: JSONValue) throws {
        #expect(try evaluate(template).value == expected)
    }

    @Test(
        "text that looks like another template language stays literal",
        arguments: [
            ("{{ x }}", "{{ x }}"),
            ("{{ x }} ${{ 1 }}", "{{ x }} 1"),
            ("${ x }", "${ x }"),
            ("$${{ 1 }}", "$1"),
            ("${x}}", "${x}}"),
            ("a }} b", "a }} b"),
        ])
    func literalBraces(template: String, expected: String) throws {
        #expect(try evaluate(template).value == .string(expected))
    }

    @Test(
        "a '}}' inside a quoted string does not end the expression",
        arguments: [
            ("${{ '}}' }}", "}}"),
            ("${{ 'a }} b' }}x", "a }} bx"),
            ("${{ 'it''s }}' }}", "it's }}"),
            ("${{ format('{{{0}}}', 'x') }}", "{x}"),
        ])
    func bracesInStrings(template: String, expected: String) throws {
        #expect(try evaluate(template).value == .string(expected))
    }

    @Test(
        "isSingleExpression only for exactly one expression and no text",
        arguments: [
            ("${{ x }}", true), ("${{x}}", true), (" ${{ x }}", false), ("${{ x }}\n", false),
            ("${{ x }}${{ y }}", false), ("a", false), ("", false),
        ])
    func singleExpression(template: String, isSingle: Bool) throws {
        #expect(try Template.parse(template).isSingleExpression == isSingle)
    }

    @Test("isLiteral when there is no expression at all")
    func literal() throws {
        #expect(try Template.parse("{{ x }} and $ and {").isLiteral)
        #expect(try Template.parse("").isLiteral)
        #expect(try !Template.parse("a ${{ 1 }}").isLiteral)
    }

    @Test("parts keep the literal text and each expression's source and offset")
    func parts() throws {
        let template = try Template.parse("a ${{ inputs.x }} b")
        #expect(template.parts.count == 3)
        #expect(template.parts.first == .literal("a "))
        #expect(template.parts.last == .literal(" b"))
        let expression = try #require(template.expressions.first)
        #expect(expression.source == " inputs.x ")
        #expect(expression.offset == 5)
        #expect(template.text == "a ${{ inputs.x }} b")
    }

    @Test("a parsed template evaluates the same way many times")
    func reusable() throws {
        let template = try Template.parse("Jira digest ${{ formatDate(now(), 'yyyy-MM-dd') }}")
        for _ in 0..<100 {
            #expect(try template.evaluate(in: sampleContext).value == "Jira digest 2026-11-24")
        }
    }
}
