import Testing

@testable import CLI

@Suite("Argument tokenizer")
struct ArgumentTokenizerTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var kinds: [ArgumentToken.Kind]
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(arguments: ["--output", "x"], kinds: [.longOption(name: "output", value: nil), .value]),
        Case(arguments: ["--output=x"], kinds: [.longOption(name: "output", value: "x")]),
        Case(arguments: ["--input=a=b"], kinds: [.longOption(name: "input", value: "a=b")]),
        Case(arguments: ["--output="], kinds: [.longOption(name: "output", value: "")]),
        Case(arguments: ["-o", "x"], kinds: [.shortOptions(["o"]), .value]),
        Case(arguments: ["-qv"], kinds: [.shortOptions(["q", "v"])]),
        Case(arguments: ["-"], kinds: [.value]),
        Case(arguments: ["--", "--output", "-q", "-"], kinds: [.terminator, .value, .value, .value]),
        Case(arguments: ["a", "--", "--"], kinds: [.value, .terminator, .value]),
        Case(arguments: ["flows/x.yaml", "k=v"], kinds: [.value, .value]),
        Case(arguments: [""], kinds: [.value]),
    ]

    @Test("each syntax form becomes the right kind of token", arguments: cases)
    func kinds(_ testCase: Case) {
        let tokens = ArgumentTokenizer.tokenize(testCase.arguments)
        #expect(tokens.map(\.kind) == testCase.kinds)
        #expect(tokens.map(\.text) == testCase.arguments)
        #expect(tokens.map(\.index) == Array(testCase.arguments.indices))
    }
}
