import Basics
import Runner
import Testing

@Suite("SchemaCheck")
struct SchemaCheckTests {
    struct MismatchCase: Sendable, CustomTestStringConvertible {
        var value: JSONValue
        var schema: JSONValue
        /// The mismatch's description, or nil when the value conforms.
        var expected: String?
        var testDescription: String { "\(value.serialized()) against \(schema.serialized())" }

        init(_ value: JSONValue, _ schema: JSONValue, _ expected: String?) {
            self.value = value
            self.schema = schema
            self.expected = expected
        }
    }

    static let objectSchema: JSONValue = [
        "type": "object",
        "properties": [
            "n": ["type": "integer", "minimum": 1, "maximum": 10],
            "name": ["type": "string", "minLength": 2, "maxLength": 4],
            "mode": ["enum": ["fast", "slow"]],
            "tags": ["type": "array", "items": ["type": "string"], "maxItems": 2],
            "a/b": ["type": "boolean"],
        ],
        "required": ["n"],
        "additionalProperties": false,
    ]

    static let cases: [MismatchCase] = [
        // Conforming values.
        MismatchCase(["n": 1], objectSchema, nil),
        MismatchCase(["n": 10, "name": "abcd", "mode": "slow", "tags": ["x", "y"], "a/b": true], objectSchema, nil),
        MismatchCase(["n": 2.0], objectSchema, nil),
        MismatchCase("anything", ["$ref": "#/definitions/elsewhere"], nil),
        MismatchCase(nil, true, nil),
        MismatchCase(3, ["type": ["string", "integer"]], nil),
        MismatchCase(3, ["type": "number"], nil),
        MismatchCase(["extra": 1], ["type": "object"], nil),
        // Types.
        MismatchCase("5", ["type": "integer"], "at '/' (schema /type): expected integer, got string"),
        MismatchCase(1.5, ["type": "integer"], "at '/' (schema /type): expected integer, got number"),
        MismatchCase(
            nil, ["type": ["string", "integer"]], "at '/' (schema /type): expected string or integer, got null"),
        MismatchCase(["n": "1"], objectSchema, "at '/n' (schema /properties/n/type): expected integer, got string"),
        MismatchCase(
            ["n": 1, "a/b": "yes"], objectSchema,
            "at '/a~1b' (schema /properties/a~1b/type): expected boolean, got string"),
        MismatchCase(3, false, "at '/' (schema /): no value is allowed here"),
        // Object keywords.
        MismatchCase(["name": "ab"], objectSchema, "at '/' (schema /required): missing required property 'n'"),
        MismatchCase(
            ["n": 1, "nmae": "ab"], objectSchema,
            "at '/' (schema /additionalProperties): unexpected property 'nmae' (did you mean 'name'?)"),
        MismatchCase(
            ["x": "1"], ["type": "object", "additionalProperties": ["type": "integer"]],
            "at '/x' (schema /additionalProperties/type): expected integer, got string"),
        // Enum and const.
        MismatchCase(
            ["n": 1, "mode": "medium"], objectSchema,
            #"at '/mode' (schema /properties/mode/enum): "medium" is not one of ["fast","slow"]"#),
        MismatchCase(1, ["enum": [1.0, 2]], nil),
        MismatchCase("a", ["const": "b"], #"at '/' (schema /const): expected "b""#),
        // Numbers and strings.
        MismatchCase(["n": 0], objectSchema, "at '/n' (schema /properties/n/minimum): 0 is less than 1"),
        MismatchCase(["n": 11], objectSchema, "at '/n' (schema /properties/n/maximum): 11 is more than 10"),
        MismatchCase(5, ["exclusiveMaximum": 5], "at '/' (schema /exclusiveMaximum): 5 is not less than 5"),
        MismatchCase(5, ["exclusiveMinimum": 5], "at '/' (schema /exclusiveMinimum): 5 is not more than 5"),
        MismatchCase(
            ["n": 1, "name": "a"], objectSchema,
            "at '/name' (schema /properties/name/minLength): text is shorter than 2 characters"),
        MismatchCase(
            ["n": 1, "name": "abcde"], objectSchema,
            "at '/name' (schema /properties/name/maxLength): text is longer than 4 characters"),
        // Arrays.
        MismatchCase(
            ["n": 1, "tags": ["x", 2]], objectSchema,
            "at '/tags/1' (schema /properties/tags/items/type): expected string, got integer"),
        MismatchCase(
            ["n": 1, "tags": ["x", "y", "z"]], objectSchema,
            "at '/tags' (schema /properties/tags/maxItems): expected at most 2 items, got 3"),
        MismatchCase([], ["minItems": 1], "at '/' (schema /minItems): expected at least 1 items, got 0"),
        // Combinators.
        MismatchCase(3, ["anyOf": [["type": "string"], ["type": "integer"]]], nil),
        MismatchCase(
            true, ["anyOf": [["type": "string"], ["type": "integer"]]],
            "at '/' (schema /anyOf/0/type): expected string, got boolean"),
        MismatchCase(
            3, ["allOf": [["type": "integer"], ["minimum": 5]]], "at '/' (schema /allOf/1/minimum): 3 is less than 5"),
        MismatchCase(
            3, ["oneOf": [["type": "integer"], ["type": "number"]]],
            "at '/' (schema /oneOf): matches more than one alternative"),
        MismatchCase(
            "x", ["oneOf": [["type": "integer"], ["type": "number"]]],
            "at '/' (schema /oneOf): matches none of the alternatives"),
        MismatchCase(3.5, ["oneOf": [["type": "integer"], ["type": "number"]]], nil),
    ]

    @Test("firstMismatch finds the first mismatch and names its instance and schema paths", arguments: cases)
    func firstMismatch(_ example: MismatchCase) {
        let mismatch = SchemaCheck.firstMismatch(example.value, schema: example.schema)
        #expect(mismatch?.description == example.expected)
    }

    @Test("a mismatch carries its JSON Pointers apart from its message")
    func mismatchParts() throws {
        let mismatch = try #require(SchemaCheck.firstMismatch(["n": "1"], schema: Self.objectSchema))
        #expect(mismatch.instancePath == "/n")
        #expect(mismatch.schemaPath == "/properties/n/type")
        #expect(mismatch.message == "expected integer, got string")
    }

    struct CoerceCase: Sendable, CustomTestStringConvertible {
        var arguments: JSONValue
        var keys: Set<String>
        var expected: JSONValue
        var testDescription: String { "\(arguments.serialized()) with keys \(keys.sorted())" }

        init(_ arguments: JSONValue, _ keys: Set<String>, _ expected: JSONValue) {
            self.arguments = arguments
            self.keys = keys
            self.expected = expected
        }
    }

    static let coerceSchema: JSONValue = [
        "type": "object",
        "properties": [
            "n": ["type": "integer"], "ratio": ["type": "number"], "flag": ["type": "boolean"],
            "name": ["type": "string"], "either": ["type": ["string", "integer"]], "list": ["type": "array"],
            "any": [:],
        ],
    ]

    static let coerceCases: [CoerceCase] = [
        CoerceCase(["n": "5"], ["n"], ["n": 5]),
        CoerceCase(["ratio": "2.5"], ["ratio"], ["ratio": 2.5]),
        CoerceCase(["flag": "true"], ["flag"], ["flag": true]),
        CoerceCase(["list": "[1, 2]"], ["list"], ["list": [1, 2]]),
        CoerceCase(["name": "5"], ["name"], ["name": "5"]),
        CoerceCase(["either": "5"], ["either"], ["either": "5"]),
        CoerceCase(["n": "five"], ["n"], ["n": "five"]),
        CoerceCase(["n": "5"], [], ["n": "5"]),
        CoerceCase(["n": "5", "ratio": "2"], ["ratio"], ["n": "5", "ratio": 2]),
        CoerceCase(["n": 5], ["n"], ["n": 5]),
        CoerceCase("not an object", ["n"], "not an object"),
    ]

    @Test("coerce converts the given keys' text to the type their property asks for", arguments: coerceCases)
    func coerce(_ example: CoerceCase) {
        #expect(
            SchemaCheck.coerce(example.arguments, keys: example.keys, schema: Self.coerceSchema) == example.expected)
    }

    /// Pairs JSON Schema holds equal: numbers by value at any depth, objects whatever the order.
    static let equalPairs: [(JSONValue, JSONValue)] = [
        (1, 1.0), (0, -0.0), (["a": 1], ["a": 1.0]), ([1, ["b": [2]]], [1.0, ["b": [2.0]]]),
        (["a": 1, "b": "x"], ["b": "x", "a": 1.0]), ("x", "x"), (nil, nil),
    ]

    /// Pairs it holds different.
    static let differentPairs: [(JSONValue, JSONValue)] = [
        (1, 1.5), (["a": 1], ["a": 2.0]), ([1, 2], [2, 1]), (["a": 1], ["a": 1, "b": 1]), ("1", 1), (true, 1),
        (nil, 0), ([1], [1, 1]), (.integer(9_007_199_254_740_993), .double(9_007_199_254_740_992)),
        (.integer(Int.max), .double(9_223_372_036_854_775_808)),
    ]

    @Test("JSON Schema equality: numbers by value at any depth, arrays in order, objects in any order")
    func equality() {
        for (a, b) in Self.equalPairs {
            #expect(SchemaCheck.equal(a, b), "\(a.serialized()) == \(b.serialized())")
            #expect(SchemaCheck.equal(b, a), "\(b.serialized()) == \(a.serialized())")
        }
        for (a, b) in Self.differentPairs {
            #expect(!SchemaCheck.equal(a, b), "\(a.serialized()) != \(b.serialized())")
            #expect(!SchemaCheck.equal(b, a), "\(b.serialized()) != \(a.serialized())")
        }
    }

    static let equalityCases: [MismatchCase] = [
        MismatchCase(["x": ["n": 1.0]], ["properties": ["x": ["enum": [["n": 1]]]]], nil),
        MismatchCase(["x": [1.0, 2]], ["properties": ["x": ["const": [1, 2.0]]]], nil),
        MismatchCase(["x": ["n": [3]]], ["properties": ["x": ["const": ["n": [3.0]]]]], nil),
        MismatchCase(
            ["x": ["n": 2]], ["properties": ["x": ["enum": [["n": 1]]]]],
            "at '/x' (schema /properties/x/enum): {\"n\":2} is not one of [{\"n\":1}]"),
        MismatchCase([1, 2, 3], ["uniqueItems": true], nil),
        MismatchCase([1, 2, 3], ["uniqueItems": false], nil),
        MismatchCase(
            [["a": 1], ["a": 1.0]], ["uniqueItems": true], "at '/' (schema /uniqueItems): items 0 and 1 are equal"),
        MismatchCase([1, 2, 1.0], ["uniqueItems": true], "at '/' (schema /uniqueItems): items 0 and 2 are equal"),
    ]

    @Test("enum, const and uniqueItems compare with JSON Schema equality", arguments: equalityCases)
    func equalityKeywords(_ example: MismatchCase) {
        #expect(SchemaCheck.firstMismatch(example.value, schema: example.schema)?.description == example.expected)
    }

    /// What pydantic publishes for a discriminated union (the official Python SDK's tools).
    static let unionSchema: JSONValue = [
        "type": "object",
        "properties": [
            "shape": [
                "oneOf": [["$ref": "#/$defs/Circle"], ["$ref": "#/$defs/Square"]],
                "discriminator": ["propertyName": "kind"],
            ]
        ],
        "required": ["shape"],
        "$defs": [
            "Circle": [
                "type": "object", "required": ["kind", "r"],
                "properties": ["kind": ["const": "circle"], "r": ["type": "number"]],
            ],
            "Square": [
                "type": "object", "required": ["kind", "side"],
                "properties": ["kind": ["const": "square"], "side": ["type": "integer"]],
            ],
        ],
    ]

    /// A tree whose nodes refer to the root, and refs that go nowhere or in circles.
    static let treeSchema: JSONValue = [
        "type": "object",
        "properties": ["value": ["type": "integer"], "children": ["type": "array", "items": ["$ref": "#"]]],
    ]

    static let referenceCases: [MismatchCase] = [
        MismatchCase(["shape": ["kind": "circle", "r": 1.5]], unionSchema, nil),
        MismatchCase(["shape": ["kind": "square", "side": 2]], unionSchema, nil),
        MismatchCase(
            ["shape": ["kind": "square", "side": 2.5]], unionSchema,
            "at '/shape' (schema /properties/shape/oneOf): matches none of the alternatives"),
        MismatchCase(
            ["shape": ["kind": "triangle"]], unionSchema,
            "at '/shape' (schema /properties/shape/oneOf): matches none of the alternatives"),
        MismatchCase(["value": 1, "children": [["value": 2, "children": [["value": 3]]]]], treeSchema, nil),
        MismatchCase(
            ["value": 1, "children": [["value": "two"]]], treeSchema,
            "at '/children/0/value' (schema /properties/children/items/$ref/properties/value/type): expected integer, got string"
        ),
        // The `definitions` spelling of older drafts, and a pointer with escaped characters.
        MismatchCase(
            "x", ["$ref": "#/definitions/a~1b", "definitions": ["a/b": ["type": "integer"]]],
            "at '/' (schema /$ref/type): expected integer, got string"),
        // A sibling keyword applies as well as the reference (JSON Schema 2020-12).
        MismatchCase(
            5, ["$ref": "#/$defs/n", "maximum": 3, "$defs": ["n": ["type": "integer"]]],
            "at '/' (schema /maximum): 5 is more than 3"),
        // Accepted, never refused: another document, a pointer to nothing, a reference loop.
        MismatchCase("x", ["$ref": "https://example.com/schema.json#/a"], nil),
        MismatchCase("x", ["$ref": "#/$defs/missing"], nil),
        MismatchCase("x", ["$ref": "#"], nil),
        MismatchCase(
            "x", ["$ref": "#/$defs/a", "$defs": ["a": ["$ref": "#/$defs/b"], "b": ["$ref": "#/$defs/a"]]], nil),
    ]

    @Test(
        "local $refs are resolved inside the tool's schema; other refs and loops are accepted",
        arguments: referenceCases)
    func references(_ example: MismatchCase) {
        #expect(SchemaCheck.firstMismatch(example.value, schema: example.schema)?.description == example.expected)
    }

    @Test("a schema whose $refs multiply the work stops at the reference limit instead of running on")
    func referenceBlowUp() {
        // Each level doubles the work: 2^40 visits without the limit.
        var defs: [String: JSONValue] = ["d40": ["type": "string"]]
        for level in 0..<40 {
            let next = JSONValue.string("#/$defs/d\(level + 1)")
            defs["d\(level)"] = ["anyOf": [["$ref": next], ["$ref": next]]]
        }
        let schema: JSONValue = ["$ref": "#/$defs/d0", "$defs": .object(defs)]
        #expect(SchemaCheck.firstMismatch("x", schema: schema) == nil)
        _ = SchemaCheck.firstMismatch(1, schema: schema)
    }
}
