import Basics

/// A tool a server offers, from `tools/list` (MCP 2025-11-25, Tools).
package struct ToolDescription: Sendable, Equatable {
    /// The tool's name.
    package var name: String
    /// Its human-readable description.
    package var description: String?
    /// Its `inputSchema`, used as given (a `$ref` is never fetched).
    package var inputSchema: JSONValue
    /// The whole tool object as the server sent it.
    package var raw: JSONValue

    /// Creates a description.
    package init(name: String, description: String?, inputSchema: JSONValue, raw: JSONValue) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.raw = raw
    }
}
