import Basics
import Testing
import YAML

@Suite("YAML anchors, aliases and merge keys")
struct AliasAndMergeTests {
    @Test("an alias is expanded into a copy of the anchored node")
    func aliasCopies() throws {
        let node = try root(
            """
            base: &base { url: https://example.com, timeout: 5 }
            copy: *base
            scalar: &s hello
            list: [*s, *s]
            """)
        #expect(node["copy"]?.toJSON() == ["url": "https://example.com", "timeout": 5])
        #expect(node["list"]?.toJSON() == ["hello", "hello"])
    }

    @Test("an alias's copy is located at the alias, its insides where their text is")
    func aliasLocations() throws {
        let node = try root("a: &x\n  k: v\nb: *x\n")
        let copy = try #require(node["b"])
        #expect(copy.position == "3:4")
        #expect(copy.mappingEntries?.first?.key.position == "2:3")
        #expect(copy["k"]?.position == "2:6")
    }

    @Test("a redefined anchor applies to the aliases after it")
    func redefinedAnchor() throws {
        let node = try root("a: &x 1\nb: *x\nc: &x 2\nd: *x\n")
        #expect(node.toJSON() == ["a": 1, "b": 1, "c": 2, "d": 2])
    }

    @Test("an alias to an undefined anchor is a fatal error at the alias")
    func unknownAlias() throws {
        let error = try #require(parseError("a: 1\nb: *missing\n"))
        #expect(error.code == .unknownAlias("missing"))
        #expect(error.message == "unknown alias '*missing'")
        #expect(error.context.location == SourceLocation(file: "test.yaml", line: 2, column: 4))
    }

    @Test("an alias inside the node it names is a fatal error, not an endless copy")
    func recursiveAlias() throws {
        let error = try #require(parseError("a: &x [1, *x]\n"))
        #expect(error.code == .unknownAlias("x"))
        #expect(error.context.location?.column == 11)
    }

    @Test("a merge key merges a mapping and explicit keys win wherever they are written")
    func mergeMapping() throws {
        let node = try root(
            """
            defaults: &d { timeout: 5, retry: 2, url: a }
            server:
              url: b
              <<: *d
              retry: 3
            """)
        let server = try #require(node["server"])
        #expect(server.toJSON() == ["url": "b", "timeout": 5, "retry": 3])
        #expect(server.mappingEntries?.map { $0.key.scalarText } == ["url", "timeout", "retry"])
    }

    @Test("a merge key with a sequence of mappings prefers earlier mappings")
    func mergeSequence() throws {
        let node = try root(
            """
            one: &one { a: 1, b: 1 }
            two: &two { b: 2, c: 2 }
            merged:
              <<: [*one, *two, { c: 3, d: 3 }]
              d: 4
            """)
        #expect(node["merged"]?.toJSON() == ["a": 1, "b": 1, "c": 2, "d": 4])
    }

    @Test("a quoted '<<' key is an ordinary key")
    func quotedMergeKeyIsOrdinary() throws {
        let node = try root("a: &a { x: 1 }\nb: { '<<': *a }\n")
        #expect(node["b"]?.toJSON() == ["<<": ["x": 1]])
    }

    @Test("a merge of something other than mappings is a problem and merges nothing")
    func invalidMerge() throws {
        let result = try parse("a:\n  <<: [{ x: 1 }, 5]\n  y: 2\nb:\n  <<: text\n")
        #expect(result.root?.toJSON() == ["a": ["x": 1, "y": 2], "b": [:]])
        #expect(result.problems.map(\.code) == [.invalidMerge, .invalidMerge])
        #expect(result.problems.map { $0.context.location?.line } == [2, 5])
    }

    @Test("a billion laughs file is reported at the alias that crosses the bound, without expanding it")
    func billionLaughs() throws {
        var text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"]
        var previous = "a"
        for name in names {
            let aliases = Array(repeating: "*\(previous)", count: 9).joined(separator: ", ")
            text += "\(name): &\(name) [\(aliases)]\n"
            previous = name
        }
        let result = try parse(text)
        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.code == .aliasExpansionLimit)
        // a is 10 nodes, b 91, c 820, d 7381; the aliases in b, c and d expand 8289 nodes, so the first `*d`
        // in e would pass 10 000.
        #expect(problem.context.location == SourceLocation(file: "test.yaml", line: 5, column: 8))
        #expect(problem.message.contains("'*d'"))
        let root = try #require(result.root)
        #expect(root["d"]?.toJSON().serialized().count ?? 0 > 1000)
        #expect(root["e"]?.toJSON() == .array(Array(repeating: .null, count: 9)))
        #expect(root["i"]?.toJSON() == .array(Array(repeating: .null, count: 9)))
    }

    @Test("many small aliases are bounded too")
    func manySmallAliases() throws {
        let text = "a: &a x\nlist:\n" + String(repeating: "  - *a\n", count: YAMLParser.aliasExpansionLimit + 5)
        let result = try parse(text)
        #expect(result.problems.map(\.code) == [.aliasExpansionLimit])
        #expect(result.problems.first?.context.location?.line == YAMLParser.aliasExpansionLimit + 3)
        let elements = try #require(result.root?["list"]?.sequenceElements)
        #expect(elements.filter { $0.toJSON() == "x" }.count == YAMLParser.aliasExpansionLimit)
    }
}
