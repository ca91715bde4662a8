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
