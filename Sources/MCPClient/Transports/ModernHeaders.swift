import Basics
import Foundation

/// The request metadata headers of the modern protocol over Streamable HTTP (MCP 2026-07-28,
/// Transports, Streamable HTTP, Request Metadata): `MCP-Protocol-Version`, `Mcp-Method`,
/// `Mcp-Name`, and the `Mcp-Param-*` headers a tool declares with `x-mcp-header`.
///
/// Headers are plain `(name, value)` pairs here (the transports make `HTTPHeader`s of them), so
/// the parsing of schemas and values is fuzzed on its own (`scripts/fuzz modern`).
package enum ModernHeaders {
    /// One header: its name and its (already encoded) value.
    package typealias Field = (name: String, value: String)

    /// The standard headers for a modern request: its version (matching its `_meta`), method
    /// and, for `tools/call`, `resources/read` and `prompts/get`, its name or URI.
    package static func standard(method: String, params: JSONValue?, protocolVersion: String) -> [Field] {
        var headers: [Field] = [(MCPHeader.protocolVersion, protocolVersion), (MCPHeader.method, method)]
        if let name = MCPWire.requestName(method: method, params: params) {
            headers.append((MCPHeader.name, encoded(name)))
        }
        return headers
    }

    /// `value` as a header value: as it is when it is visible ASCII with inner spaces only,
    /// else the Base64 sentinel `=?base64?…?=` of its UTF-8 (also for a value that already looks
    /// like the sentinel, and for an empty value, which curl would otherwise drop).
    package static func encoded(_ value: String) -> String {
        let bytes = Array(value.utf8)
        let plain =
            !bytes.isEmpty && bytes.allSatisfy { (0x20...0x7E).contains($0) } && bytes.first != 0x20
            && bytes.last != 0x20 && !(value.hasPrefix("=?base64?") && value.hasSuffix("?="))
        return plain ? value : "=?base64?" + Data(bytes).base64EncodedString() + "?="
    }

    // MARK: - x-mcp-header

    /// One tool parameter mirrored into a header: the chain of `properties` keys leading to it,
    /// and the `Mcp-Param-` suffix it declares.
    package struct Parameter: Sendable, Equatable {
        /// The property path from the arguments' root.
        package var path: [String]
        /// The declared name (`Mcp-Param-{name}`).
        package var name: String
    }

    /// Why a tool's `x-mcp-header` annotations make it unusable over Streamable HTTP.
    package struct InvalidAnnotation: Error, Sendable, Equatable {
        /// Lower-case, names the property and the rule.
        package var reason: String
    }

    /// The parameters `inputSchema` mirrors into headers, checked against every constraint of
    /// the spec (a non-empty token, unique ignoring case, on an `integer`, `string` or
    /// `boolean` property reachable from the root through `properties` only).
    /// - Throws: `InvalidAnnotation` for the first annotation that breaks one.
    package static func parameters(in inputSchema: JSONValue) throws(InvalidAnnotation) -> [Parameter] {
        var found: [Parameter] = []
        try collect(inputSchema, path: [], reachable: true, into: &found)
        var seen: Set<String> = []
        for parameter in found where !seen.insert(parameter.name.lowercased()).inserted {
            throw InvalidAnnotation(
                reason: "x-mcp-header '\(parameter.name)' is declared more than once (names are compared ignoring case)"
            )
        }
        return found
    }

    /// The annotation key.
    private static let annotation = "x-mcp-header"
    /// Keys whose values are data, not schemas: never searched for annotations.
    private static let dataKeys: Set<String> = ["default", "const", "enum", "examples", "example"]

    private static func collect(
        _ schema: JSONValue, path: [String], reachable: Bool, into found: inout [Parameter]
    ) throws(InvalidAnnotation) {
        switch schema {
        case .array(let elements):
            for element in elements { try collect(element, path: path, reachable: false, into: &found) }
        case .object(let members):
            let where_ = path.isEmpty ? "the schema's root" : "property '\(path.joined(separator: "."))'"
            if let declared = members[annotation] {
                guard reachable, !path.isEmpty else {
                    throw InvalidAnnotation(
                        reason:
                            "x-mcp-header on \(where_) is not reachable from the root through 'properties' alone")
                }
                guard let name = declared.stringValue, !name.isEmpty else {
                    throw InvalidAnnotation(reason: "x-mcp-header on \(where_) is empty or not a string")
                }
                guard HTTPToken.isToken(name) else {
                    throw InvalidAnnotation(
                        reason: "x-mcp-header '\(TerminalText.neutralized(name))' on \(where_) is not an HTTP token")
                }
                guard let type = members["type"]?.stringValue, ["string", "integer", "boolean"].contains(type) else {
                    throw InvalidAnnotation(
                        reason:
                            "x-mcp-header '\(name)' is on \(where_), which is not of type string, integer or boolean")
                }
                found.append(Parameter(path: path, name: name))
            }
            for (key, value) in members where !dataKeys.contains(key) && key != annotation {
                if key == "properties", case .object(let properties) = value {
                    for (property, subschema) in properties {
                        try collect(subschema, path: path + [property], reachable: reachable, into: &found)
                    }
                } else {
                    try collect(value, path: path, reachable: false, into: &found)
                }
            }
        default:
            return
        }
    }

    /// The `Mcp-Param-*` headers for a call with `arguments`: one per parameter whose value is
    /// present and not null, as a string (an integer in decimal, a boolean as `true`/`false`),
    /// encoded as `encoded(_:)` says. A value of another type is left out.
    package static func parameterHeaders(_ parameters: [Parameter], arguments: JSONValue) -> [Field] {
        parameters.compactMap { parameter in
            var value: JSONValue? = arguments
            for key in parameter.path { value = value?[key] }
            let text: String
            switch value {
            case .string(let string): text = string
            case .integer(let number): text = String(number)
            case .double(let number) where number.rounded() == number && abs(number) < 9.007_199_254_740_992e15:
                text = String(Int(number))
            case .bool(let flag): text = flag ? "true" : "false"
            default: return nil
            }
            return (MCPHeader.parameterPrefix + parameter.name, encoded(text))
        }
    }
}
