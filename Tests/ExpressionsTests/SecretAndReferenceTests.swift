import Basics
import Expressions
import Testing

@Suite("Secrets")
struct SecretTests {
    @Test(
        "anything read through a secret root is secret, through operators, functions and interpolation",
        arguments: [
            ("${{ secrets.TOKEN }}", true), ("Bearer ${{ secrets.TOKEN }}", true), ("${{ secrets }}", true),
            ("${{ length(secrets.TOKEN) }}", true), ("${{ upper(secrets.TOKEN) }}", true),
            ("${{ secrets.TOKEN == 'x' }}", true), ("${{ format('{0}', secrets.TOKEN) }}", true),
            ("${{ secrets.TOKEN && 'x' }}", true), ("${{ toJSON(secrets) }}", true),
            ("${{ inputs[secrets.NAME] }}", true), ("${{ !secrets.TOKEN }}", true),
            ("${{ default(secrets.NOPE, secrets.TOKEN) }}", true), ("${{ default(null, secrets.TOKEN) }}", true),
            ("${{ inputs.project }}", false), ("a ${{ inputs.project }} ${{ 1 }}", false), ("plain", false),
            ("${{ default(secrets.NOPE, 'x') }}", false), ("${{ inputs.project || secrets.TOKEN }}", false),
            ("${{ false && secrets.TOKEN }}", false),
        ])
    func taint(template: String, isSecret: Bool) throws {
        #expect(try evaluate(template).isSecret == isSecret)
    }

    @Test("a secret value never appears in an error message or hint")
    func errorsDoNotLeak() throws {
        for template in [
            "${{ fromJSON(secrets.TOKEN) }}", "${{ formatDate(secrets.TOKEN, 'yyyy') }}",
            "${{ inputs[secrets.TOKEN] }}", "${{ secrets.TOKEN + 1 }}", "${{ secrets.TOKEN.x }}",
        ] {
            let error = try #require(failure(of: template))
            let text = error.message + (error.hint ?? "") + (error.underlying.map { "\($0)" } ?? "")
            #expect(!text.contains("t0k3n") && !text.contains("'t'"), "\(template): \(text)")
        }
    }

    @Test("a JSON parse error does not quote a secret's text")
    func fromJSONDoesNotLeak() throws {
        let context = EvaluationContext(variables: ["secrets": ["KEY": "zebra"]], secretRoots: ["secrets"], now: { 0 })
        let error = try #require(failure(of: "${{ fromJSON(secrets.KEY) }}", in: context))
        #expect(error.message == "fromJSON(): the argument is not valid JSON")
        #expect(error.underlying == nil)
        let plain = try #require(failure(of: "${{ fromJSON('zebra') }}", in: context))
        #expect(plain.message.contains("'z'"))
    }

    @Test("a context without secret roots taints nothing")
    func noSecretRoots() throws {
        let context = EvaluationContext(variables: ["secrets": ["A": "b"]], now: { 0 })
        #expect(try evaluate("${{ secrets.A }}", in: context).isSecret == false)
    }
}

/// A reference to the dotted `path`.
private func ref(_ path: String, _ offset: Int, guarded: Bool = false) -> Reference {
    Reference(path: path.split(separator: ".").map(String.init), offset: offset, isGuarded: guarded)
}

@Suite("References")
struct ReferenceTests {
    @Test(
        "every path from a root name, stopping at the first dynamic index",
        arguments: [
            ("${{ steps.site.json[0].id }}", [ref("steps.site.json", 4)]),
            ("${{ steps['fetch-data'].json }}", [ref("steps.fetch-data.json", 4)]),
            (
                "${{ default(steps.later.json.x, inputs.y) }}",
                [ref("steps.later.json.x", 12, guarded: true), ref("inputs.y", 32)]
            ),
            ("${{ steps.a.json[inputs.i].x }}", [ref("steps.a.json", 4), ref("inputs.i", 17)]),
            ("a ${{ inputs.x }} b ${{ env.HOME }}", [ref("inputs.x", 6), ref("env.HOME", 24)]),
            ("${{ length(steps.search.json.issues) > 0 }}", [ref("steps.search.json.issues", 11)]),
            ("${{ fromJSON(inputs.raw).a }}", [ref("inputs.raw", 13)]),
            ("${{ map(steps.s.json, 'a.b') }}", [ref("steps.s.json", 8)]),
            ("${{ (steps.x).y }}", [ref("steps.x.y", 5)]),
            ("${{ item }}", [ref("item", 4)]),
            ("${{ 1 + 2 }}", []),
            ("{{ steps.x }}", []),
            ("${{ default(a.b && c['d'], 1) }}", [ref("a.b", 12, guarded: true), ref("c.d", 19, guarded: true)]),
            (
                "${{ default(1, x.y) || default(steps.z.json, 0) }}",
                [ref("x.y", 15), ref("steps.z.json", 31, guarded: true)]
            ),
        ])
    func references(template: String, expected: [Reference]) throws {
        #expect(try Template.parse(template).references == expected)
    }
}
