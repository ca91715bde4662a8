import Basics

/// What one server-sent event carries for an MCP session: the one decoding of an SSE event into
/// JSON-RPC messages, used by every stream the transports read (a POST's event stream, the GET
/// stream, the legacy HTTP+SSE stream).
///
/// A `message` event's data is one JSON-RPC message or a batch (MCP 2025-11-25 and 2024-11-05,
/// Transports). An event with empty data is a priming event (MCP 2025-11-25, Resumability and
/// Redelivery): it only sets the event id, and carries nothing. Events of other types are not
/// messages (the legacy transport reads its `endpoint` event itself).
package enum SSEMessage: Sendable, Equatable {
    /// The messages of a `message` event, in order.
    case messages([JSONRPCMessage])
    /// Nothing to deliver: a priming event, or an event of another type than `message`.
    case none
    /// A `message` event whose data is not JSON-RPC: why it is not, and the start of the data
    /// (at most 200 characters, secrets masked) for a trace or an error message.
    case malformed(reason: String, data: String)

    /// Decodes `event`.
    package init(_ event: SSEEvent) {
        guard event.type == "message", !event.dataBytes.isEmpty else {
            self = .none
            return
        }
        do {
            self = .messages(try JSONRPCMessage.decodeAll(event.dataBytes))
        } catch {
            self = .malformed(reason: error.message, data: SecretMasker().maskedPrefix(event.data, 200))
        }
    }
}
