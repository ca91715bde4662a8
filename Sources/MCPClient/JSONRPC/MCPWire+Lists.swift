import Basics

extension MCPWire {
    /// What each paginated list of the resources and prompts commands holds: the result's array
    /// key and the key each entry must have (MCP 2025-11-25, Resources; Prompts).
    package enum ListKind: Sendable {
        case resources, resourceTemplates, prompts

        /// The result's array key.
        var itemsKey: String {
            switch self {
            case .resources: "resources"
            case .resourceTemplates: "resourceTemplates"
            case .prompts: "prompts"
            }
        }

        /// A key every entry must have.
        var requiredKey: String {
            switch self {
            case .resources: "uri"
            case .resourceTemplates: "uriTemplate"
            case .prompts: "name"
            }
        }
    }

    /// One page of a `resources/list`, `resources/templates/list` or `prompts/list` result: the
    /// entries as sent, and the next cursor.
    /// - Throws: `JSONRPCDecodingError` when the array is missing or an entry lacks its key.
    package static func listPage(
        _ result: JSONValue, kind: ListKind, method: String
    ) throws(JSONRPCDecodingError) -> (items: [JSONValue], nextCursor: String?) {
        guard let items = result[kind.itemsKey]?.arrayValue else {
            throw JSONRPCDecodingError("the \(method) result has no \"\(kind.itemsKey)\" array")
        }
        for item in items where item[kind.requiredKey]?.stringValue == nil {
            throw JSONRPCDecodingError("an entry in the \(method) result has no \"\(kind.requiredKey)\"")
        }
        return (items, result["nextCursor"]?.stringValue)
    }

    /// Keys of the entries of these lists and of `resources/read` and `prompts/get` results, for
    /// the commands that show them.
    package enum Key {
        package static let uri = "uri"
        package static let uriTemplate = "uriTemplate"
        package static let name = "name"
        package static let title = "title"
        package static let description = "description"
        package static let mimeType = "mimeType"
        package static let arguments = "arguments"
        package static let required = "required"
        package static let contents = "contents"
        package static let text = "text"
        package static let blob = "blob"
        package static let messages = "messages"
        package static let role = "role"
        package static let content = "content"
        package static let type = "type"
        package static let resource = "resource"
    }
}

extension MCPWire {
    /// The caching hints of a cacheable result (MCP 2026-07-28, Caching): `ttlMs`, how long the
    /// result may be considered fresh (absent, negative or not an integer: 0, immediately stale),
    /// and whether `cacheScope` is `"public"` (shareable across authorization contexts); anything
    /// else, an absent scope included, is private.
    package static func cacheHints(_ result: JSONValue) -> (ttlMilliseconds: Int, isPublic: Bool) {
        let ttl = max(0, result["ttlMs"]?.intValue ?? 0)
        return (ttl, result["cacheScope"]?.stringValue == "public")
    }

    /// A `tools/list` page holding `tools`, to decode cached tool objects as a listing does.
    package static func toolsResult(_ tools: [JSONValue]) -> JSONValue { ["tools": .array(tools)] }

    /// A list page holding `items` for `kind`.
    package static func listResult(_ items: [JSONValue], kind: ListKind) -> JSONValue {
        .object([kind.itemsKey: .array(items)])
    }
}
