import Basics
import Testing
import YAML

@Suite("YAML nodes")
struct NodeTests {
    @Test("toJSON turns a workflow-like document into JSON with types kept")
    func toJSON() throws {
        let node = try root(
            """
            name: jira-report
            inputs:
              project: { type: string, default: ENG }
              days:    { type: integer, default: 1 }
            defaults: { timeout: 60000, retry: { attempts: 2, backoff: 1.5 } }
            steps:
              - id: site
                if: ${{ length(steps.search.json.issues) > 0 }}
                continue-on-error: no
                arguments: ~
            """)
        let expected: JSONValue = [
            "name": "jira-report",
            "inputs": ["project": ["type": "string", "default": "ENG"], "days": ["type": "integer", "default": 1]],
            "defaults": ["timeout": 60000, "retry": ["attempts": 2, "backoff": 1.5]],
            "steps": [
                [
                    "id": "site", "if": "${{ length(steps.search.json.issues) > 0 }}", "continue-on-error": "no",
                    "arguments": .null,
                ]
            ],
        ]
        #expect(node.toJSON() == expected)
    }

    @Test("a collection used as a key becomes its compact JSON text")
    func complexKey() throws {
        let node = try root("? [a, 1]\n: pair\n")
        #expect(node.toJSON() == [#"["a",1]"#: "pair"])
    }

    @Test("accessors give entries, elements, scalar text and kind names")
    func accessors() throws {
        let node = try root("m: { a: 1 }\ns: [x, y]\nt: text\ni: 3\nf: 2.5\nb: true\nn: null\nq: '3'\n")
        #expect(node.kindName == "mapping")
        #expect(node.mappingEntries?.count == 8)
        #expect(node.sequenceElements == nil)
        #expect(node.scalarText == nil)
        let kinds = try #require(node.mappingEntries).map { "\($0.key.scalarText ?? "?")=\($0.value.kindName)" }
        #expect(
            kinds == [
                "m=mapping", "s=sequence", "t=string", "i=integer", "f=number", "b=boolean", "n=null", "q=string",
            ])
        #expect(node["s"]?.sequenceElements?.compactMap(\.scalarText) == ["x", "y"])
        #expect(node["s"]?.mappingEntries == nil)
        #expect(node["i"]?.scalarText == "3")
        #expect(node["missing"] == nil)
    }

    @Test("nodes compare equal by kind and location, so an alias's copy differs from its original only in place")
    func equality() throws {
        let node = try root("a: &x { k: [1, 'two'] }\nb: *x\nc: { k: [1, 'two'] }\n")
        let original = try #require(node["a"])
        var copy = try #require(node["b"])
        #expect(copy != original)
        copy.location = original.location
        #expect(copy == original)
        #expect(node["c"]?.toJSON() == original.toJSON())
        #expect(node["c"] != original)
    }

    @Test("nodes can be built by hand, as decoder tests do")
    func handBuilt() {
        let location = SourceLocation(file: "x.yaml", line: 2, column: 3)
        let key = YAMLNode(
            kind: .scalar(YAMLScalar(text: "id", style: .plain, tag: nil, value: "id")), location: location)
        let value = YAMLNode(
            kind: .scalar(YAMLScalar(text: "7", style: .plain, tag: nil, value: 7)), location: location)
        let mapping = YAMLNode(kind: .mapping([YAMLMapEntry(key: key, value: value)]), location: location)
        #expect(mapping.toJSON() == ["id": 7])
        #expect(mapping["id"]?.kindName == "integer")
    }

    @Test("multi-line and unicode strings survive intact")
    func unicodeStrings() throws {
        let node = try root("greeting: \"héllo\\n\\u263A 😀\"\nplain: naïve café\nkey日本: 値\n")
        #expect(node.toJSON() == ["greeting": "héllo\n☺ 😀", "plain": "naïve café", "key日本": "値"])
    }

    @Test("a large document parses into the expected shape")
    func largeDocument() throws {
        var text = "items:\n"
        for index in 0..<2000 {
            text += "  - { id: \(index), name: 'item \(index)', tags: [a, b], ratio: \(index).5, ok: true }\n"
        }
        let node = try root(text)
        let items = try #require(node["items"]?.sequenceElements)
        #expect(items.count == 2000)
        #expect(
            items[1999].toJSON() == ["id": 1999, "name": "item 1999", "tags": ["a", "b"], "ratio": 1999.5, "ok": true])
        #expect(items[1999].position == "2001:5")
    }
}
