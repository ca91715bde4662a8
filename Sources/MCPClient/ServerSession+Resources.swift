import Basics

extension ServerSession {
    /// Every resource the server lists (`resources/list`, MCP 2025-11-25 Resources), following
    /// pagination within the limits of `listAll`; each entry as sent. Like `listTools()`, a
    /// modern session with a list cache uses a list still fresh from an earlier listing.
    /// - Throws: `ClientError`, as `listTools()`.
    package func listResources() async throws(ClientError) -> [JSONValue] {
        try await list(.resources, MCPMethod.resourcesList, noun: "resources")
    }

    /// Every resource template the server lists (`resources/templates/list`).
    /// - Throws: `ClientError`, as `listTools()`.
    package func listResourceTemplates() async throws(ClientError) -> [JSONValue] {
        try await list(.resourceTemplates, MCPMethod.resourceTemplatesList, noun: "resource templates")
    }

    /// Every prompt the server lists (`prompts/list`, MCP 2025-11-25 Prompts).
    /// - Throws: `ClientError`, as `listTools()`.
    package func listPrompts() async throws(ClientError) -> [JSONValue] {
        try await list(.prompts, MCPMethod.promptsList, noun: "prompts")
    }

    private func list(
        _ kind: MCPWire.ListKind, _ method: String, noun: String
    ) async throws(ClientError) -> [JSONValue] {
        if let cached = cachedList(method),
            let decoded = try? MCPWire.listPage(MCPWire.listResult(cached, kind: kind), kind: kind, method: method)
        {
            return decoded.items
        }
        let listed = try await listAll(method, noun: noun) { result throws(JSONRPCDecodingError) in
            try MCPWire.listPage(result, kind: kind, method: method)
        }
        keepList(listed.items, method: method, hints: listed.hints)
        return listed.items
    }
}
