import Basics
import Testing
import YAML

@Suite("YAML node locations")
struct LocationTests {
    @Test("keys and values of nested block mappings and sequences carry 1-based lines and columns")
    func blockLocations() throws {
        let node = try root(
            """
            name: report
            servers:
              atlassian:
                url: https://example.com
            steps:
              - id: site
                tool: list
              - plain
            """)
        #expect(node.position == "1:1")
        #expect(node.location.file == "test.yaml")
        let entries = try #require(node.mappingEntries)
        #expect(entries.map(\.key.position) == ["1:1", "2:1", "5:1"])
        #expect(entries[0].value.position == "1:7")
        let atlassian = try #require(node["servers"]?["atlassian"])
        #expect(atlassian.position == "4:5")
        let url = try #require(atlassian.mappingEntries?.first)
        #expect(url.key.position == "4:5")
        #expect(url.value.position == "4:10")
        let steps = try #require(node["steps"]?.sequenceElements)
        #expect(node["steps"]?.position == "6:3")
        #expect(steps.map(\.position) == ["6:5", "8:5"])
        let tool = try #require(steps[0].mappingEntries?.last)
        #expect(tool.key.position == "7:5")
        #expect(tool.value.position == "7:11")
    }

    @Test("flow collections locate their brackets, keys and values")
    func flowLocations() throws {
        let node = try root("inputs: { project: { type: string }, list: [a, 'b', \"c\"] }\n")
        let inputs = try #require(node["inputs"])
        #expect(inputs.position == "1:9")
        let project = try #require(inputs.mappingEntries?.first)
        #expect(project.key.position == "1:11")
        #expect(project.value.position == "1:20")
        #expect(project.value["type"]?.position == "1:28")
        let list = try #require(inputs["list"])
        #expect(list.position == "1:44")
        #expect(list.sequenceElements?.map(\.position) == ["1:45", "1:48", "1:53"])
    }

    @Test("an indentless sequence under a key starts at its first dash")
    func indentlessSequence() throws {
        let node = try root("needs:\n- a\n- b\nnext: 1\n")
        #expect(node["needs"]?.position == "2:1")
        #expect(node["needs"]?.sequenceElements?.map(\.position) == ["2:3", "3:3"])
        #expect(node.mappingEntries?.last?.key.position == "4:1")
    }

    @Test("block scalars start at their indicator and later keys keep their lines")
    func blockScalarLocations() throws {
        let node = try root("body: |\n  one\n  two\nafter: x\n")
        #expect(node["body"]?.position == "1:7")
        #expect(node.mappingEntries?.last?.key.position == "4:1")
    }

    @Test("columns count Unicode scalars, not bytes or grapheme clusters")
    func unicodeColumns() throws {
        let node = try root("é: ü\n😀x: 'y'\nk: \"日本語\" # 注\nq: [é, 😀, e\u{301}, z]\n")
        let entries = try #require(node.mappingEntries)
        #expect(entries[0].value.position == "1:4")
        #expect(entries[1].value.position == "2:5")
        #expect(entries[2].value.toJSON() == "日本語")
        let q = try #require(node["q"]?.sequenceElements)
        // `😀` is one scalar (four bytes); `e` + combining acute is two scalars (one character), so `z` is at 15.
        #expect(q.map(\.position) == ["4:5", "4:8", "4:11", "4:15"])
        #expect(entries[0].key.scalarText == "é")
    }

    @Test("a leading byte order mark does not shift the first line's columns")
    func byteOrderMark() throws {
        let node = try root("\u{FEFF}a: 1\n")
        #expect(node.mappingEntries?.first?.key.position == "1:1")
        #expect(node["a"]?.position == "1:4")
    }

    @Test("CRLF line breaks count as one line each")
    func crlf() throws {
        let node = try root("a: 1\r\nb:\r\n  c: 2\r\n")
        #expect(node["b"]?["c"]?.position == "3:6")
        #expect(node["b"]?["c"]?.toJSON() == 2)
    }

    @Test("the file name given to the parser names every location")
    func fileName() throws {
        let result = try YAMLParser.parse("a: [1]\n", file: "flows/weather.yaml")
        let node = try #require(result.root?["a"]?.sequenceElements?.first)
        #expect(node.location == SourceLocation(file: "flows/weather.yaml", line: 1, column: 5))
    }
}
