import Basics
import Expressions
import Testing

@testable import Runner

@Suite("template scope: secrets and the evaluation context")
struct TemplateScopeTests {
    static let scope = TemplateScope(
        secrets: ["TOKEN": Secret("from-the-file")], environment: ["TOKEN": "from-env", "OTHER": "other-value"])

    @Test("the --secrets file wins over the environment, which fills the rest")
    func precedence() throws {
        let values = try Self.scope.secretValues(
            [.init(name: "TOKEN", isRequired: true), .init(name: "OTHER", isRequired: true)], masker: nil)
        #expect(values == ["TOKEN": "from-the-file", "OTHER": "other-value"])
    }

    @Test("a required secret set nowhere is invalid input naming it; an optional one is left out")
    func missing() throws {
        #expect(try Self.scope.secretValues([.init(name: "GONE", isRequired: false)], masker: nil).isEmpty)
        do {
            _ = try Self.scope.secretValues(
                [.init(name: "GONE", isRequired: true)], masker: nil, context: ErrorContext(server: "s"))
            Issue.record("no error")
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.message == "secret 'GONE' is not set")
            #expect(error.context.server == "s")
        }
    }

    @Test("the context taints secrets and holds env, inputs, steps and workflow")
    func context() {
        let context = Self.scope.context(secrets: ["TOKEN": "t"], inputs: ["n": 1], workflow: ["name": "w"])
        #expect(context.secretRoots == ["secrets"])
        #expect(context.variables["env"]?["OTHER"] == "other-value")
        #expect(context.variables["inputs"] == ["n": 1])
        #expect(context.variables["steps"] == [:])
        #expect(context.variables["workflow"] == ["name": "w"])
        #expect(Self.scope.context(secrets: [:]).variables["workflow"] == nil)
    }
}
