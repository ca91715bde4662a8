import Basics

/// Checks arguments against a tool's `inputSchema` before the call (contract §5).
///
/// A practical subset of JSON Schema: `type` (one or a list), `required`, `properties`,
/// `additionalProperties: false` or a schema, `items`, `enum`, `const`, `minimum`, `maximum`,
/// `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength`, `minItems`, `maxItems`, `uniqueItems`,
/// `anyOf`, `oneOf`, `allOf`, values compared with JSON Schema's equality (`equal(_:_:)`), and local
/// `$ref`s (`#`, `#/$defs/…`, `#/definitions/…`: a JSON Pointer into the tool's own schema, applied
/// with its sibling keywords as JSON Schema 2020-12 does), so the `oneOf` of `$ref`s that pydantic
/// writes for a discriminated union checks correctly (contract §8). Anything else is accepted as
/// given: a `$ref` to another document is never fetched, and one that does not resolve is ignored.
/// Bounded: a chain of `$ref`s that never descends into the value stops after `maximumRefHops`, and
/// one check follows at most `maximumRefFollows` references (a schema whose `$ref`s multiply the
/// work is then accepted from there on, never refused for it). Without references the work is
/// already bounded by the sizes of the schema and the value.
package enum SchemaCheck {
    /// One mismatch: where in the arguments, which schema keyword, and what was wrong.
    package struct Mismatch: Sendable, Equatable, CustomStringConvertible {
        /// JSON Pointer into the arguments, e.g. `/a`.
        package var instancePath: String
        /// JSON Pointer into the schema, e.g. `/properties/a/type`.
        package var schemaPath: String
        package var message: String
        /// `at '/a' (schema /properties/a/type): expected integer, got string`.
        package var description: String {
            "at '\(instancePath.isEmpty ? "/" : instancePath)' (schema \(schemaPath.isEmpty ? "/" : schemaPath)): \(message)"
        }
    }

    /// How many `$ref`s may be followed in a row without descending into the value.
    static let maximumRefHops = 32
    /// How many references one check may follow.
    static let maximumRefFollows = 10_000

    /// The state of one check: the root schema `$ref`s point into, and the references left.
    private struct Walk {
        let root: JSONValue
        var refsLeft = SchemaCheck.maximumRefFollows
    }

    /// The first mismatch of `value` against `schema`, or nil when it conforms.
    package static func firstMismatch(_ value: JSONValue, schema: JSONValue) -> Mismatch? {
        var walk = Walk(root: schema)
        return check(value, schema, instancePath: "", schemaPath: "", walk: &walk, refHops: 0)
    }

    /// The schema a local `$ref` names inside `root`, or nil (not local, or not there).
    static func resolve(_ reference: String, in root: JSONValue) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        let pointer = reference.dropFirst()
        guard !pointer.isEmpty else { return root }
        guard pointer.hasPrefix("/") else { return nil }
        var node = root
        for token in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let key = String(token).replacingAll("~1", with: "/").replacingAll("~0", with: "~")
            switch node {
            case .object(let members):
                guard let next = members[key] else { return nil }
                node = next
            case .array(let elements):
                guard let index = Int(key), elements.indices.contains(index) else { return nil }
                node = elements[index]
            default:
                return nil
            }
        }
        return node
    }

    /// Converts the text values of `keys` to the type the schema's property asks for (`1` → 1 for an
    /// integer); text that does not convert, and properties typed `string`, stay text.
    package static func coerce(_ arguments: JSONValue, keys: Set<String>, schema: JSONValue) -> JSONValue {
        guard case .object(var members) = arguments else { return arguments }
        let properties = schema["properties"]?.objectValue ?? [:]
        for key in keys {
            guard case .string(let text)? = members[key] else { continue }
            let type = properties[key]?["type"]
            let types = type?.arrayValue?.compactMap(\.stringValue) ?? [type?.stringValue].compactMap { $0 }
            if types.contains("string") { continue }
            if let parsed = try? JSONValue.parse(text) { members[key] = parsed }
        }
        return .object(members)
    }

    private static func check(
        _ value: JSONValue, _ schema: JSONValue, instancePath: String, schemaPath: String, walk: inout Walk,
        refHops: Int
    )
        -> Mismatch?
    {
        if case .bool(let allowed) = schema {
            return allowed
                ? nil
                : Mismatch(instancePath: instancePath, schemaPath: schemaPath, message: "no value is allowed here")
        }
        guard case .object(let s) = schema else { return nil }
        func fail(_ keyword: String, _ message: String) -> Mismatch {
            Mismatch(instancePath: instancePath, schemaPath: schemaPath + "/" + keyword, message: message)
        }
        if let reference = s["$ref"]?.stringValue, refHops < maximumRefHops, walk.refsLeft > 0,
            let target = resolve(reference, in: walk.root)
        {
            walk.refsLeft -= 1
            if let mismatch = check(
                value, target, instancePath: instancePath, schemaPath: schemaPath + "/$ref", walk: &walk,
                refHops: refHops + 1)
            {
                return mismatch
            }
        }
        if let type = s["type"] {
            let types = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue].compactMap { $0 }
            if !types.isEmpty, !types.contains(where: { matches(value, type: $0) }) {
                return fail("type", "expected \(types.joined(separator: " or ")), got \(value.typeName)")
            }
        }
        if let options = s["enum"]?.arrayValue, !options.contains(where: { equal($0, value) }) {
            return fail("enum", "\(value.serialized()) is not one of \(JSONValue.array(options).serialized())")
        }
        if let constant = s["const"], !equal(constant, value) {
            return fail("const", "expected \(constant.serialized())")
        }
        if let number = value.doubleValue {
            if let minimum = s["minimum"]?.doubleValue, number < minimum {
                return fail("minimum", "\(JSONValue.format(number)) is less than \(JSONValue.format(minimum))")
            }
            if let maximum = s["maximum"]?.doubleValue, number > maximum {
                return fail("maximum", "\(JSONValue.format(number)) is more than \(JSONValue.format(maximum))")
            }
            if let bound = s["exclusiveMinimum"]?.doubleValue, number <= bound {
                return fail(
                    "exclusiveMinimum", "\(JSONValue.format(number)) is not more than \(JSONValue.format(bound))")
            }
            if let bound = s["exclusiveMaximum"]?.doubleValue, number >= bound {
                return fail(
                    "exclusiveMaximum", "\(JSONValue.format(number)) is not less than \(JSONValue.format(bound))")
            }
        }
        if case .string(let text) = value {
            let count = text.count
            if let minimum = s["minLength"]?.intValue, count < minimum {
                return fail("minLength", "text is shorter than \(minimum) characters")
            }
            if let maximum = s["maxLength"]?.intValue, count > maximum {
                return fail("maxLength", "text is longer than \(maximum) characters")
            }
        }
        if case .array(let elements) = value {
            if let minimum = s["minItems"]?.intValue, elements.count < minimum {
                return fail("minItems", "expected at least \(minimum) items, got \(elements.count)")
            }
            if let maximum = s["maxItems"]?.intValue, elements.count > maximum {
                return fail("maxItems", "expected at most \(maximum) items, got \(elements.count)")
            }
            if s["uniqueItems"]?.boolValue == true {
                for second in elements.indices {
                    if let first = elements[..<second].firstIndex(where: { equal($0, elements[second]) }) {
                        return fail("uniqueItems", "items \(first) and \(second) are equal")
                    }
                }
            }
            if let items = s["items"], items.objectValue != nil || items.boolValue != nil {
                for (index, element) in elements.enumerated() {
                    if let mismatch = check(
                        element, items, instancePath: instancePath + "/\(index)", schemaPath: schemaPath + "/items",
                        walk: &walk, refHops: 0)
                    {
                        return mismatch
                    }
                }
            }
        }
        if case .object(let members) = value {
            for name in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                return fail("required", "missing required property '\(name)'")
            }
            let properties = s["properties"]?.objectValue ?? [:]
            for key in members.keys.sorted() {
                guard let member = members[key] else { continue }
                let path = instancePath + "/" + escape(key)
                if let propertySchema = properties[key] {
                    if let mismatch = check(
                        member, propertySchema, instancePath: path,
                        schemaPath: schemaPath + "/properties/" + escape(key), walk: &walk, refHops: 0)
                    {
                        return mismatch
                    }
                } else if let additional = s["additionalProperties"] {
                    if additional == .bool(false) {
                        let known = properties.keys.sorted()
                        let near = nearestMatch(to: key, in: known).map { " (did you mean '\($0)'?)" } ?? ""
                        return fail("additionalProperties", "unexpected property '\(key)'\(near)")
                    }
                    if let mismatch = check(
                        member, additional, instancePath: path, schemaPath: schemaPath + "/additionalProperties",
                        walk: &walk, refHops: 0)
                    {
                        return mismatch
                    }
                }
            }
        }
        if let all = s["allOf"]?.arrayValue {
            for (index, sub) in all.enumerated() {
                if let mismatch = check(
                    value, sub, instancePath: instancePath, schemaPath: schemaPath + "/allOf/\(index)", walk: &walk,
                    refHops: refHops)
                {
                    return mismatch
                }
            }
        }
        if let any = s["anyOf"]?.arrayValue, !any.isEmpty {
            let mismatches = any.enumerated().map {
                check(
                    value, $1, instancePath: instancePath, schemaPath: schemaPath + "/anyOf/\($0)", walk: &walk,
                    refHops: refHops)
            }
            if !mismatches.contains(where: { $0 == nil }) { return mismatches.compactMap { $0 }.first }
        }
        if let one = s["oneOf"]?.arrayValue, !one.isEmpty {
            let passing = one.enumerated().filter {
                check(
                    value, $1, instancePath: instancePath, schemaPath: schemaPath + "/oneOf/\($0)", walk: &walk,
                    refHops: refHops) == nil
            }
            if passing.count != 1 {
                return fail(
                    "oneOf", passing.isEmpty ? "matches none of the alternatives" : "matches more than one alternative")
            }
        }
        return nil
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
            ("number", .integer), ("number", .double), ("integer", .integer):
            return true
        case ("integer", .double(let d)):
            return d.rounded() == d
        default:
            return false
        }
    }

    /// JSON Schema's equality (the one `enum`, `const` and `uniqueItems` use): numbers are equal
    /// when their mathematical values are (`1`, `1.0` and `1e0` alike), at any depth; arrays
    /// element by element; objects key by key, whatever the order; everything else by value.
    package static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.integer(let x), .double(let y)), (.double(let y), .integer(let x)): return sameNumber(x, y)
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            return x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default:
            return a == b
        }
    }

    /// Whether an integer and a double are the same number, exactly: a double beyond 2^53 is
    /// not rounded onto a neighbouring integer.
    private static func sameNumber(_ integer: Int, _ double: Double) -> Bool {
        guard double.isFinite, double.rounded() == double,
            double >= -9_223_372_036_854_775_808.0, double < 9_223_372_036_854_775_808.0
        else { return false }
        return Int(double) == integer
    }

    private static func escape(_ key: String) -> String {
        key.replacingAll("~", with: "~0").replacingAll("/", with: "~1")
    }
}
