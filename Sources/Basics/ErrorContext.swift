/// Where an error happened, filled in by the layer that knows each part.
///
/// `YAML` knows the location, `MCPClient` the server and method, `Runner` the step.
package struct ErrorContext: Sendable, Hashable {
    /// The place in a workflow or config file.
    package var location: SourceLocation?
    /// The step id.
    package var step: String?
    /// The server name (or URL when it has no name).
    package var server: String?
    /// The MCP method, such as `tools/call`.
    package var method: String?

    /// Creates a context; every part is optional.
    package init(location: SourceLocation? = nil, step: String? = nil, server: String? = nil, method: String? = nil) {
        self.location = location
        self.step = step
        self.server = server
        self.method = method
    }

    /// This context with the parts of `other` filled in where this one has none.
    package func merging(_ other: ErrorContext) -> ErrorContext {
        ErrorContext(
            location: location ?? other.location, step: step ?? other.step,
            server: server ?? other.server, method: method ?? other.method)
    }
}
