/// The MCP method names this client sends or understands (MCP 2025-11-25, Schema).
///
/// Every method name in the target is spelled here and nowhere else.
package enum MCPMethod {
    /// Lifecycle: the first request (MCP 2025-11-25, Lifecycle).
    package static let initialize = "initialize"
    /// Lifecycle: sent once the `initialize` result is in.
    package static let initialized = "notifications/initialized"
    /// Discovery: the server's versions, capabilities and identity (MCP 2026-07-28); also the
    /// probe that tells a modern server from a legacy one.
    package static let serverDiscover = "server/discover"
    /// Utilities: liveness check, either direction.
    package static let ping = "ping"
    /// Utilities: cancel an in-flight request (MCP 2025-11-25, Cancellation).
    package static let cancelled = "notifications/cancelled"
    /// Utilities: progress for a request that carried a `progressToken`.
    package static let progress = "notifications/progress"
    /// Server logging (MCP 2025-11-25, Logging).
    package static let message = "notifications/message"
    /// Tools: list, paginated.
    package static let toolsList = "tools/list"
    /// The server's tool list changed: the client lists again before relying on it.
    package static let toolsListChanged = "notifications/tools/list_changed"
    /// The server's prompt list changed.
    package static let promptsListChanged = "notifications/prompts/list_changed"
    /// The server's resource list changed.
    package static let resourcesListChanged = "notifications/resources/list_changed"
    /// Subscriptions: a long-lived stream of the change notifications the client opts in to
    /// (MCP 2026-07-28, Subscriptions); its response ends the stream.
    package static let subscriptionsListen = "subscriptions/listen"
    /// Subscriptions: the server's first message on a listen stream, with the filter it honours.
    package static let subscriptionsAcknowledged = "notifications/subscriptions/acknowledged"
    /// Tools: invoke one.
    package static let toolsCall = "tools/call"
    /// Resources: read one by URI.
    package static let resourcesRead = "resources/read"
    /// List resources (paginated).
    package static let resourcesList = "resources/list"
    /// List resource templates (paginated).
    package static let resourceTemplatesList = "resources/templates/list"
    /// List prompts (paginated).
    package static let promptsList = "prompts/list"
    /// Prompts: get one with arguments.
    package static let promptsGet = "prompts/get"
    /// Client features the server may call: roots.
    package static let rootsList = "roots/list"
    /// Client features the server may call: sampling (not supported).
    package static let samplingCreateMessage = "sampling/createMessage"
    /// Client features the server may call: elicitation.
    package static let elicitationCreate = "elicitation/create"
}
