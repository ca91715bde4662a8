/// One dispatched server-sent event (WHATWG HTML, Server-sent events, §9.2.6).
///
/// The data is kept as the bytes that arrived, so a large message is decoded from them directly
/// rather than from a copy made into a string first.
package struct SSEEvent: Sendable, Equatable {
    /// The `event` field, `message` when the event had none.
    package var type: String
    /// The `data` lines joined with `\n`, as UTF-8 bytes.
    package var dataBytes: [UInt8]
    /// The last event id in force when the event was dispatched (it persists across events).
    package var id: String?

    /// The `data` lines joined with `\n` (invalid UTF-8 repaired).
    package var data: String { String(decoding: dataBytes, as: UTF8.self) }

    /// Creates an event.
    package init(type: String = "message", data: String, id: String? = nil) {
        self.init(type: type, dataBytes: Array(data.utf8), id: id)
    }

    /// Creates an event whose data is `dataBytes`.
    package init(type: String = "message", dataBytes: [UInt8], id: String? = nil) {
        self.type = type
        self.dataBytes = dataBytes
        self.id = id
    }

    /// Events are equal when their type, data (as text) and id are.
    package static func == (lhs: SSEEvent, rhs: SSEEvent) -> Bool {
        lhs.type == rhs.type && lhs.id == rhs.id && lhs.data == rhs.data
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
