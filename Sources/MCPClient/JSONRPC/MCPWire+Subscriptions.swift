import Basics

/// The params and notifications of `subscriptions/listen` (MCP 2026-07-28, Subscriptions): at
/// that version change notifications reach a client only on a listen stream it opened, each
/// carrying the listen request's id in `_meta`.
extension MCPWire {
    /// The `_meta` key naming the subscription a listen-stream message belongs to: the JSON-RPC
    /// id of the `subscriptions/listen` request that opened it.
    static let subscriptionIDKey = "io.modelcontextprotocol/subscriptionId"

    /// Which list changes a listen stream carries (`SubscriptionFilter`; resource subscriptions
    /// are not used: nothing in a run reads a resource twice).
    package struct SubscriptionFilter: Sendable, Equatable, CustomStringConvertible {
        /// `notifications/tools/list_changed`.
        package var toolsListChanged = false
        /// `notifications/prompts/list_changed`.
        package var promptsListChanged = false
        /// `notifications/resources/list_changed`.
        package var resourcesListChanged = false

        /// An empty filter, or the one given.
        package init(tools: Bool = false, prompts: Bool = false, resources: Bool = false) {
            toolsListChanged = tools
            promptsListChanged = prompts
            resourcesListChanged = resources
        }

        /// The list changes `capabilities` (a discovery result's) advertises with `listChanged`.
        package init(advertisedBy capabilities: JSONValue) {
            toolsListChanged = capabilities["tools"]?["listChanged"]?.boolValue == true
            promptsListChanged = capabilities["prompts"]?["listChanged"]?.boolValue == true
            resourcesListChanged = capabilities["resources"]?["listChanged"]?.boolValue == true
        }

        /// Reads a filter as sent (an acknowledgement's `notifications`); anything but `true` is
        /// not subscribed, as the spec says of an omitted field.
        package init(wire value: JSONValue?) {
            toolsListChanged = value?["toolsListChanged"]?.boolValue == true
            promptsListChanged = value?["promptsListChanged"]?.boolValue == true
            resourcesListChanged = value?["resourcesListChanged"]?.boolValue == true
        }

        /// The filter as sent: only the fields set.
        package var jsonValue: JSONValue {
            var members: [String: JSONValue] = [:]
            if toolsListChanged { members["toolsListChanged"] = true }
            if promptsListChanged { members["promptsListChanged"] = true }
            if resourcesListChanged { members["resourcesListChanged"] = true }
            return .object(members)
        }

        /// Whether nothing is subscribed.
        package var isEmpty: Bool { !toolsListChanged && !promptsListChanged && !resourcesListChanged }

        /// Whether the notification `method` is one this filter lets through.
        package func admits(_ method: String) -> Bool {
            switch method {
            case MCPMethod.toolsListChanged: toolsListChanged
            case MCPMethod.promptsListChanged: promptsListChanged
            case MCPMethod.resourcesListChanged: resourcesListChanged
            default: false
            }
        }

        /// `tools, prompts` (or `nothing`), for traces.
        package var description: String {
            let names = [
                toolsListChanged ? "tools" : nil, promptsListChanged ? "prompts" : nil,
                resourcesListChanged ? "resources" : nil,
            ].compactMap { $0 }
            return names.isEmpty ? "nothing" : names.joined(separator: ", ")
        }
    }

    /// The params of `subscriptions/listen` for `filter` (without the modern `_meta`, which the
    /// session adds to every request).
    package static func listenParams(_ filter: SubscriptionFilter) -> JSONValue {
        ["notifications": filter.jsonValue]
    }

    /// The subscription a server message belongs to (`_meta.io.modelcontextprotocol/subscriptionId`),
    /// nil when it names none.
    package static func subscriptionID(in params: JSONValue?) -> RequestID? {
        params?["_meta"]?[subscriptionIDKey].flatMap(RequestID.init)
    }
}
