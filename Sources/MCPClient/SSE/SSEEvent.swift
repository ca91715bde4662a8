/// One dispatched server-sent event (WHATWG HTML, Server-sent events, §9.2.6).
package struct SSEEvent: Sendable, Equatable {
    /// The `event` field, `message` when the event had none.
    package var type: String
    /// The `data` lines joined with `\n`.
    package var data: String
    /// The last event id in force when the event was dispatched (it persists across events).
    package var id: String?

    /// Creates an event.
    package init(type: String = "message", data: String, id: String? = nil) {
        self.type = type
        self.data = data
        self.id = id
    }
}

/// An SSE stream that cannot be parsed within its limits.
package struct SSEError: Error, Sendable, Equatable, CustomStringConvertible {
    /// How large an event (or line) was allowed to grow.
    package var limit: Int
    /// Creates the error.
    package init(limit: Int) { self.limit = limit }
    /// `an SSE event exceeded 67108864 bytes`.
    package var description: String { "an SSE event exceeded \(limit) bytes" }
}
