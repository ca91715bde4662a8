import Basics
import Testing

/// The value of the single entry named `K` in `text`.
private func value(_ text: String) throws -> String? {
    try DotEnv.parse(text, file: "s.env").last { $0.key == "K" }?.value
}

@Suite("DotEnv")
struct DotEnvTests {
    @Test(
        "each dotenv convention gives the value written",
        arguments: [
            ("K=value", "value"),
            ("export K=value", "value"),
            ("export\tK=value", "value"),
            ("K = value", "value"),
            ("  K=  value with spaces  ", "value with spaces"),
            ("K=", ""),
            ("K= # only a comment", ""),
            ("K=''", ""),
            ("K=\"\"", ""),
            ("K=value # a comment", "value"),
            ("K=value\t# a comment", "value"),
            ("K=pass#word", "pass#word"),
            ("K=#not-a-comment", "#not-a-comment"),
            ("K='single # kept' # comment", "single # kept"),
            ("K='a\\nb \"$x\"'", "a\\nb \"$x\""),
            ("K=\"a\\nb\\tc\\rd\"", "a\nb\tc\rd"),
            ("K=\"say \\\"hi\\\" \\\\ \\$HOME \\'\"", "say \"hi\" \\ $HOME '"),
            ("K=\"double # kept\"   # comment", "double # kept"),
            ("K=\"line one\nline two\"", "line one\nline two"),
            ("K='line one\r\nline two'", "line one\nline two"),
            ("K=a\"b'c", "a\"b'c"),
            ("K=$OTHER", "$OTHER"),
            ("K=é ünïcödé 🔑", "é ünïcödé 🔑"),
            ("\u{FEFF}K=bom", "bom"),
            ("# comment\n\n   # indented comment\nK=after", "after"),
            ("K=first\nK=second", "second"),
            ("A=1\r\nK=crlf\r\nB=2\r\n", "crlf"),
            ("A=1\rK=cr\rB=2", "cr"),
            ("K=last-line-without-newline", "last-line-without-newline"),
            ("K=value\r\n", "value"),
            ("export=x\nK=v", "v"),
        ])
    func conventions(text: String, expected: String) throws {
        #expect(try value(text) == expected)
    }

    @Test("the docs' example file gives each value without quotes or comment")
    func docsExample() throws {
        let text = """
            # .secrets.env — one NAME=value per line
            EXAMPLE_TOKEN=fake-token-0000
            export ATLASSIAN_EMAIL=someone@example.com
            ATLASSIAN_API_TOKEN="fake-api-token"      # "…" allows \\n and \\"; '…' is taken as is
            """
        let entries = try DotEnv.parse(text, file: "s.env")
        #expect(
            entries == [
                DotEnv.Entry(key: "EXAMPLE_TOKEN", value: "fake-token-0000", line: 2),
                DotEnv.Entry(key: "ATLASSIAN_EMAIL", value: "someone@example.com", line: 3),
                DotEnv.Entry(key: "ATLASSIAN_API_TOKEN", value: "fake-api-token", line: 4),
            ])
    }

    @Test("an entry's line is where it starts, after a multi-line value")
    func lines() throws {
        let entries = try DotEnv.parse("A=\"1\n2\n3\"\r\nB=x", file: "s.env")
        #expect(entries.map(\.line) == [1, 4])
    }

    @Test(
        "a line that does not follow the conventions is an error naming its line and column",
        arguments: [
            ("just-a-word", 1, 12, "expected '=' after 'just-a-word' but found the end of the line"),
            ("A=1\nNAME value", 2, 6, "expected '=' after 'NAME' but found 'v'"),
            ("=value", 1, 1, "expected a name but found '='"),
            ("1ABC=x", 1, 1, "expected a name but found '1'"),
            ("A B=x", 1, 3, "expected '=' after 'A' but found 'B'"),
            ("export", 1, 7, "expected '=' after 'export' but found the end of the line"),
            ("K=\"unterminated\nA=1", 1, 3, "has no closing \""),
            ("K='unterminated", 1, 3, "has no closing '"),
            ("K=\"x\" trailing", 1, 7, "unexpected 't' after the closing \""),
            ("K='x'y", 1, 6, "unexpected 'y' after the closing '"),
            ("K=\"bad \\q escape\"", 1, 8, "unknown escape '\\q' in a double-quoted value"),
            ("K=\"a\\\nb\"", 1, 5, "unknown escape a backslash at the end of a line"),
            ("K\u{1}=x", 1, 2, "expected '=' after 'K' but found '\\x01'"),
        ])
    func errors(text: String, line: Int, column: Int, message: String) {
        #expect {
            try DotEnv.parse(text, file: "s.env")
        } throws: { error in
            guard let error = error as? DotEnvError else { return false }
            return error.context.location == SourceLocation(file: "s.env", line: line, column: column)
                && error.message.contains(message) && error.hint != nil
        }
    }
}

@Suite("JSONValue nesting")
struct NestingTests {
    @Test(
        "nestingDepth counts arrays and objects, without recursion",
        arguments: [
            (JSONValue.integer(1), 0), (JSONValue.array([]), 1), (JSONValue.array([[1]]), 2),
            (JSONValue.object(["a": [["b": [] as JSONValue]]]), 4),
        ] as [(JSONValue, Int)])
    func depths(value: JSONValue, depth: Int) {
        #expect(value.nestingDepth == depth)
    }

    @Test("a value 100,000 levels deep is measured without overflowing the stack")
    func veryDeep() {
        var value = JSONValue.null
        for _ in 0..<100_000 { value = .array([value]) }
        #expect(value.nestingDepth == 100_000)
        // Take it apart from the top, so freeing it does not recurse 100,000 levels either.
        while case .array(let elements) = value, let inner = elements.first { value = inner }
    }
}
