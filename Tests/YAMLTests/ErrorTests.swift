import Basics
import Testing
import YAML

@Suite("YAML errors and problems")
struct ErrorTests {
    @Test(
        "libyaml syntax errors are fatal, lower-case, and located at the problem",
        arguments: [
            ("a: b: c\n", "mapping values are not allowed in this context", 1, 5),
            ("a: 1\n b: 2\n", "mapping values are not allowed in this context", 2, 3),
            ("key: [1, 2\nother: 3\n", "did not find expected ',' or ']'", 2, 6),
            ("a: 'unclosed\nb: 1\n", "found unexpected end of stream", 3, 1),
            ("\ta: 1\n", "found character that cannot start any token", 1, 1),
            ("a:\n  - x\n  y: 1\n", "did not find expected '-' indicator", 3, 3),
            ("a:\n  b: 1\n c: 2\n", "did not find expected key", 3, 2),
            ("a: @x\n", "found character that cannot start any token", 1, 4),
            ("a: *\n", "did not find expected alphabetic or numeric character", 1, 5),
        ] as [(String, String, Int, Int)])
    func syntaxError(source: String, problem: String, line: Int, column: Int) throws {
        let error = try #require(parseError(source))
        #expect(error.code == .syntax)
        #expect(error.message.hasPrefix(problem))
        #expect(error.message.first?.isLowercase == true && error.message.last != ".")
        #expect(error.context.location == SourceLocation(file: "test.yaml", line: line, column: column))
    }

    @Test("a syntax error's message says where the enclosing construct started")
    func syntaxErrorContext() throws {
        let error = try #require(parseError("a: 1\nb: \"open\nc: 2\n"))
        #expect(error.message == "found unexpected end of stream (while scanning a quoted scalar at 2:4)")
        #expect(
            error.description == "test.yaml:4:1: found unexpected end of stream (while scanning a quoted scalar at 2:4)"
        )
    }

    @Test("a common syntax error comes with a hint")
    func syntaxHint() throws {
        let error = try #require(parseError("title: Note: this breaks\n"))
        #expect(error.hint?.contains("quote") == true)
    }

    @Test("a control character is a fatal error at its line and column")
    func controlCharacter() throws {
        let error = try #require(parseError("a: 1\nbé: x\u{1}y\n"))
        #expect(error.code == .invalidCharacter)
        #expect(error.message == "control characters are not allowed (U+0001)")
        #expect(error.context.location == SourceLocation(file: "test.yaml", line: 2, column: 6))
    }

    @Test(
        "a second document is a fatal error at its start",
        arguments: [
            ("a: 1\n---\nb: 2\n", 2, 1), ("---\na: 1\n---\nb: 2\n", 3, 1), ("a: 1\n...\n---\nb: 2\n", 3, 1),
            ("--- 1\n--- 2\n", 2, 1),
        ] as [(String, Int, Int)])
    func multipleDocuments(source: String, line: Int, column: Int) throws {
        let error = try #require(parseError(source))
        #expect(error.code == .multipleDocuments)
        #expect(error.context.location == SourceLocation(file: "test.yaml", line: line, column: column))
    }

    @Test("one explicit document, with or without an end marker, is accepted")
    func oneExplicitDocument() throws {
        #expect(try root("---\na: 1\n...\n").toJSON() == ["a": 1])
        #expect(try root("%YAML 1.2\n---\na: 1\n").toJSON() == ["a": 1])
    }

    @Test("an empty file or one of only comments has no root", arguments: ["", "\n\n", "# just a comment\n", "   "])
    func emptyFile(source: String) throws {
        let result = try parse(source)
        #expect(result.root == nil)
        #expect(result.problems.isEmpty)
    }

    @Test("a document with only a start marker has a null root")
    func bareDocumentMarker() throws {
        #expect(try root("---\n").toJSON() == .null)
    }

    @Test("a duplicate key is a problem at the second key naming the first, and the first value is kept")
    func duplicateKey() throws {
        let result = try parse(
            """
            servers:
              jira:
                url: https://one.example
                timeout: 5
                url: https://two.example
            """)
        #expect(result.root?["servers"]?["jira"]?.toJSON() == ["url": "https://one.example", "timeout": 5])
        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.code == .duplicateKey("url"))
        #expect(problem.message == "duplicate key 'url' (first defined at 3:5)")
        #expect(problem.context.location == SourceLocation(file: "test.yaml", line: 5, column: 5))
        #expect(problem.description == "test.yaml:5:5: duplicate key 'url' (first defined at 3:5)")
    }

    @Test("keys that become the same JSON member are duplicates, in flow mappings too")
    func duplicateKeyByText() throws {
        let result = try parse("{ 1: a, '1': b, x: c, x: d, x: e }\n")
        #expect(result.root?.toJSON() == ["1": "a", "x": "c"])
        #expect(result.problems.map(\.code) == [.duplicateKey("1"), .duplicateKey("x"), .duplicateKey("x")])
        #expect(result.problems.map { $0.context.location?.column } == [9, 23, 29])
    }

    @Test("the same key in different mappings is no duplicate")
    func sameKeyElsewhere() throws {
        #expect(try parse("a: { id: 1 }\nb: { id: 2 }\nlist: [{ id: 1 }, { id: 2 }]\n").problems.isEmpty)
    }

    @Test("problems from several places are all collected in file order")
    func allProblemsCollected() throws {
        let result = try parse("a: 1\na: 2\nb: !!int x\nc: { d: 1, d: 2 }\n")
        #expect(result.problems.map(\.code) == [.duplicateKey("a"), .invalidTaggedValue("!!int"), .duplicateKey("d")])
        #expect(result.problems.map { $0.context.location?.line } == [2, 3, 4])
    }

    @Test("nesting deeper than the limit is a fatal error, the limit itself is fine")
    func nestingDepth() throws {
        let limit = YAMLParser.maxNestingDepth
        let ok = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(try parse(ok).root != nil)
        let deep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        let error = try #require(parseError(deep))
        #expect(error.code == .nestingTooDeep)
        #expect(error.context.location?.column == limit + 1)
    }

    @Test("an alias whose copy would nest too deep is a fatal error at the alias")
    func nestingDepthThroughAlias() throws {
        let half = YAMLParser.maxNestingDepth / 2 + 10
        let anchored = "&deep " + String(repeating: "[", count: half) + String(repeating: "]", count: half)
        let aliased = String(repeating: "[", count: half) + "*deep" + String(repeating: "]", count: half)
        let error = try #require(parseError("a: \(anchored)\nb: \(aliased)\n"))
        #expect(error.code == .nestingTooDeep)
        #expect(error.context.location == SourceLocation(file: "test.yaml", line: 2, column: half + 4))
    }

    @Test("every error conforms to UserFacingError and prints file:line:col first")
    func userFacing() throws {
        let error = try #require(parseError("a: *nope\n"))
        let userFacing: any UserFacingError = error
        #expect(userFacing.description == "test.yaml:1:4: unknown alias '*nope'")
        #expect(userFacing.hint == "define the anchor '&nope' on a node before this alias")
        #expect(userFacing.underlying == nil)
    }
}
