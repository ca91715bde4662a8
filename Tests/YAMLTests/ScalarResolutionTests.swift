import Basics
import Testing
import YAML

@Suite("YAML core schema scalar resolution")
struct ScalarResolutionTests {
    @Test(
        "plain scalars resolve by the YAML 1.2 core schema",
        arguments: [
            // null
            ("null", .null), ("Null", .null), ("NULL", .null), ("~", .null), ("", .null),
            // bool
            ("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false),
            // YAML 1.1 booleans stay strings
            ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("n", "n"), ("Yes", "Yes"),
            ("NO", "NO"), ("On", "On"), ("nULL", "nULL"), ("tRUE", "tRUE"),
            // integers
            ("0", 0), ("42", 42), ("-17", -17), ("+17", 17), ("-0", 0), ("007", 7),
            ("9223372036854775807", .integer(Int.max)), ("-9223372036854775808", .integer(Int.min)),
            ("0o17", 15), ("0o0", 0), ("0x1F", 31), ("0xff", 255), ("0xDeadBeef", 3_735_928_559),
            // integers too large for Int become doubles
            ("99999999999999999999", .double(1e20)), ("0xFFFFFFFFFFFFFFFFFF", .double(4_722_366_482_869_645_213_696)),
            // not integers in the core schema
            ("0o8", "0o8"), ("0x", "0x"), ("0xG", "0xG"), ("-0x1F", "-0x1F"), ("0O17", "0O17"), ("0X1F", "0X1F"),
            ("1_000", "1_000"), ("1:30", "1:30"), ("0b101", "0b101"), ("12abc", "12abc"), ("+", "+"), ("-1-", "-1-"),
            // floats
            ("1.5", 1.5), ("-2.25", -2.25), ("+0.5", 0.5), ("1.", 1.0), (".5", 0.5), ("-.5", -0.5),
            ("1e3", 1000.0), ("1E3", 1000.0), ("1.5e-3", 0.0015), ("2.5E+2", 250.0), (".5e1", 5.0), ("0.0", 0.0),
            (".inf", .double(.infinity)), (".Inf", .double(.infinity)), (".INF", .double(.infinity)),
            ("+.inf", .double(.infinity)), ("-.inf", .double(-.infinity)), ("-.Inf", .double(-.infinity)),
            // not floats in the core schema
            (".", "."), ("1e", "1e"), ("e3", "e3"), ("1.2.3", "1.2.3"), ("inf", "inf"), ("nan", "nan"),
            ("Infinity", "Infinity"), (".iNf", ".iNf"), ("1,5", "1,5"), ("0x1p3", "0x1p3"),
            // strings
            ("hello", "hello"), ("hello world", "hello world"), ("ENG", "ENG"), ("v1.2", "v1.2"),
            ("https://example.com/a?b=c", "https://example.com/a?b=c"), ("2026-11-24", "2026-11-24"),
            ("${{ inputs.days * 50 }}", "${{ inputs.days * 50 }}"),
        ] as [(String, JSONValue)])
    func plainScalar(source: String, expected: JSONValue) throws {
        let node = try root("value: \(source)\n")
        let value = try #require(node["value"])
        #expect(value.toJSON() == expected)
        #expect(value.scalarText == source)
        #expect(value.scalar?.style == .plain)
    }

    @Test("the three spellings of .nan resolve to a NaN double", arguments: [".nan", ".NaN", ".NAN"])
    func notANumber(source: String) throws {
        let value = try #require(try root("v: \(source)")["v"])
        guard case .double(let double) = value.toJSON() else {
            Issue.record("expected a double, got \(value.toJSON())")
            return
        }
        #expect(double.isNaN)
    }

    @Test(
        "quoted and block scalars are always strings",
        arguments: [
            ("'true'", "true", YAMLScalar.Style.singleQuoted), ("\"42\"", "42", .doubleQuoted),
            ("'null'", "null", .singleQuoted), ("\"\"", "", .doubleQuoted), ("'~'", "~", .singleQuoted),
            ("\"1.5\"", "1.5", .doubleQuoted), ("\"a\\tb\\u00e9\"", "a\tb\u{E9}", .doubleQuoted),
            ("'it''s'", "it's", .singleQuoted), ("|\n  12\n", "12\n", .literal), (">\n  true\n", "true\n", .folded),
            ("|-\n  line one\n  line two\n", "line one\nline two", .literal),
            (">-\n  folded\n  text\n", "folded text", .folded),
        ] as [(String, String, YAMLScalar.Style)])
    func quotedScalar(source: String, text: String, style: YAMLScalar.Style) throws {
        let value = try #require(try root("v: \(source)")["v"])
        #expect(value.toJSON() == .string(text))
        #expect(value.scalarText == text)
        #expect(value.scalar?.style == style)
    }

    @Test(
        "explicit tags decide the value",
        arguments: [
            ("!!str 42", .string("42"), "!!str"), ("!!str true", "true", "!!str"), ("!!str", "", "!!str"),
            ("!!str ~", "~", "!!str"), ("!!int \"42\"", 42, "!!int"), ("!!int 0x10", 16, "!!int"),
            ("!!float 1", 1.0, "!!float"), ("!!float '2.5'", 2.5, "!!float"), ("!!bool 'true'", true, "!!bool"),
            ("!!bool FALSE", false, "!!bool"), ("!!null ''", .null, "!!null"), ("!!null ~", .null, "!!null"),
            ("! 42", "42", "!"), ("!local 42", "42", "!local"), ("!!binary aGk=", "aGk=", "!!binary"),
            ("!<tag:yaml.org,2002:int> 7", 7, "!!int"),
        ] as [(String, JSONValue, String)])
    func taggedScalar(source: String, expected: JSONValue, tag: String) throws {
        let value = try #require(try root("v: \(source)")["v"])
        #expect(value.toJSON() == expected)
        #expect(value.scalar?.tag == tag)
    }

    @Test(
        "a tagged scalar whose text does not fit its tag is a problem and stays a string",
        arguments: [
            ("!!int abc", "!!int"), ("!!float 1.2.3", "!!float"), ("!!bool yes", "!!bool"), ("!!null 0", "!!null"),
        ])
    func misfitTag(source: String, tag: String) throws {
        let result = try parse("v: \(source)")
        let value = try #require(result.root?["v"])
        #expect(value.toJSON() == .string(value.scalarText ?? ""))
        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.code == .invalidTaggedValue(tag))
        #expect(problem.context.location == SourceLocation(file: "test.yaml", line: 1, column: 4))
    }

    @Test("untagged scalars have no tag")
    func untaggedHasNoTag() throws {
        let node = try root("a: 1\nb: 'x'\n")
        #expect(node["a"]?.scalar?.tag == nil)
        #expect(node["b"]?.scalar?.tag == nil)
    }

    @Test("mapping keys resolve too, and toJSON uses their text")
    func keysResolve() throws {
        let node = try root("1: one\ntrue: yes\n~: nothing\n0x10: hex\n")
        let keys = try #require(node.mappingEntries).map { $0.key.toJSON() }
        #expect(keys == [1, true, .null, 16])
        #expect(node.toJSON() == ["1": "one", "true": "yes", "~": "nothing", "0x10": "hex"])
    }
}
