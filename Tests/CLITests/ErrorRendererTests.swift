import Basics
import Testing

@testable import CLI

@Suite("Error renderer")
struct ErrorRendererTests {
    struct SampleError: UserFacingError {
        var message: String
        var hint: String?
        var context: ErrorContext
        var underlying: (any Error)?
    }

    struct PlainError: Error, CustomStringConvertible {
        var description: String
    }

    static let workflowError = SampleError(
        message: "unknown server 'wether'", hint: "declared servers are 'weather' and 'files'",
        context: ErrorContext(
            location: SourceLocation(file: "flows/weather.yaml", line: 14, column: 9), step: "forecast"))

    @Test("a user-facing error renders as the style guide shows")
    func styleGuideExample() {
        let text = ErrorRenderer().render(Self.workflowError)
        #expect(
            text == """
                error: flows/weather.yaml:14:9: step 'forecast': unknown server 'wether'
                  hint: declared servers are 'weather' and 'files'

                """)
    }

    @Test("context parts appear in order: location, step, server; no hint line without a hint")
    func contextOrder() {
        let error = SampleError(
            message: "connection refused", hint: nil, context: ErrorContext(step: "s", server: "srv"))
        #expect(ErrorRenderer().render(error) == "error: step 's': server 'srv': connection refused\n")
    }

    @Test("a plain error renders its description; cancellation reads 'interrupted'")
    func plainErrors() {
        #expect(ErrorRenderer().render(PlainError(description: "boom")) == "error: boom\n")
        #expect(ErrorRenderer().render(CancellationError()) == "error: interrupted\n")
    }

    @Test("a usage error renders with its did-you-mean hint")
    func usageError() throws {
        let error = try #require(throws: UsageError.self) { try ArgumentParser.parse(["run", "a.yaml", "--ouput=x"]) }
        #expect(
            ErrorRenderer().render(error)
                == "error: unknown option '--ouput' for 'mcp-run run'\n  hint: did you mean '--output'?\n")
    }

    @Test("every rendered part is masked: message, hint, context and causes")
    func masking() {
        let secret = "t0k3n-fake"
        let error = SampleError(
            message: "bad token \(secret)", hint: "rotate \(secret)",
            context: ErrorContext(step: "s-\(secret)", server: secret),
            underlying: PlainError(description: "header Authorization: Bearer \(secret)"))
        let renderer = ErrorRenderer(masker: SecretMasker([Secret(secret)]), showsCauses: true)
        let text = renderer.render(error)
        #expect(!text.contains(secret))
        #expect(text.contains("bad token ***"))
        #expect(text.contains("  cause: header Authorization: Bearer ***"))
        #expect(!renderer.render(PlainError(description: secret)).contains(secret))
        #expect(!renderer.render(problems: [error]).contains(secret))
        #expect(!renderer.renderWarning("saw \(secret)", hint: secret).contains(secret))
    }

    @Test("server text shows control characters as escapes in every part; the renderer's own colour stays")
    func neutralised() {
        let hostile = "x\u{1B}]0;pwned\u{7}y\rz\u{8}\u{9B}\u{202E}"
        let shown = #"x\x1b]0;pwned\x07y\rz\x08\u{009B}\u{202E}"#
        let error = SampleError(
            message: "line one \(hostile)\nline two", hint: "hint \(hostile)",
            context: ErrorContext(step: "s", server: "srv\(hostile)"),
            underlying: PlainError(description: "cause \(hostile)"))
        let text = ErrorRenderer(useColor: true, showsCauses: true).render(error)
        #expect(
            text.hasPrefix(
                "\u{1B}[1;31merror:\u{1B}[0m step 's': server 'srv\(shown)': line one \(shown)\n  line two\n"))
        #expect(text.contains("  hint: hint \(shown)\n"))
        #expect(text.contains("  cause: cause \(shown)\n"))
        #expect(
            text.unicodeScalars.filter { $0 == "\u{1B}" }.count == 2, "only the colour codes: \(text.debugDescription)")
        #expect(!text.contains("\r") && !text.unicodeScalars.contains("\u{7}"))
    }

    @Test("causes are shown only when asked, following the chain")
    func causes() {
        let inner = SampleError(message: "inner", hint: nil, context: ErrorContext(server: "srv"))
        let outer = SampleError(message: "outer", hint: nil, context: ErrorContext(), underlying: inner)
        #expect(ErrorRenderer().render(outer) == "error: outer\n")
        #expect(ErrorRenderer(showsCauses: true).render(outer) == "error: outer\n  cause: server 'srv': inner\n")
    }

    @Test("color makes 'error:' red and changes nothing else")
    func color() {
        let text = ErrorRenderer(useColor: true).render(Self.workflowError)
        #expect(text.hasPrefix("\u{1B}[1;31merror:\u{1B}[0m flows/weather.yaml:14:9: step 'forecast'"))
        #expect(text.hasSuffix("\n  hint: declared servers are 'weather' and 'files'\n"))
    }

    @Test("color only on a terminal without NO_COLOR, --no-color or TERM=dumb")
    func colorDecision() {
        #expect(ErrorRenderer.shouldUseColor(isTerminal: true, environment: [:], noColorFlag: false))
        #expect(!ErrorRenderer.shouldUseColor(isTerminal: false, environment: [:], noColorFlag: false))
        #expect(!ErrorRenderer.shouldUseColor(isTerminal: true, environment: [:], noColorFlag: true))
        #expect(!ErrorRenderer.shouldUseColor(isTerminal: true, environment: ["NO_COLOR": "1"], noColorFlag: false))
        #expect(ErrorRenderer.shouldUseColor(isTerminal: true, environment: ["NO_COLOR": ""], noColorFlag: false))
        #expect(!ErrorRenderer.shouldUseColor(isTerminal: true, environment: ["TERM": "dumb"], noColorFlag: false))
    }

    @Test("validate's problems render as file:line:col lines with hints")
    func problems() {
        let second = SampleError(
            message: "duplicate key 'id'", hint: nil,
            context: ErrorContext(location: SourceLocation(file: "b.yaml", line: 2, column: 3)))
        let text = ErrorRenderer().render(problems: [Self.workflowError, second, PlainError(description: "plain")])
        #expect(
            text == """
                flows/weather.yaml:14:9: step 'forecast': unknown server 'wether'
                  hint: declared servers are 'weather' and 'files'
                b.yaml:2:3: duplicate key 'id'
                plain

                """)
        #expect(ErrorRenderer().render(problems: []) == "")
    }

    @Test("multi-line messages and hints stay indented under their label")
    func multiLine() {
        let error = SampleError(message: "first\nsecond", hint: "do this\nthen that", context: ErrorContext())
        #expect(ErrorRenderer().render(error) == "error: first\n  second\n  hint: do this\n        then that\n")
    }

    @Test("a warning has the same shape")
    func warning() {
        #expect(ErrorRenderer().renderWarning("slow", hint: "wait") == "warning: slow\n  hint: wait\n")
    }
}
