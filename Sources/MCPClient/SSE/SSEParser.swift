/// A streaming parser for `text/event-stream` (WHATWG HTML, Server-sent events, §9.2.6 "Event
/// stream interpretation"), as MCP's HTTP transports use it (MCP 2025-11-25, Transports).
///
/// Feed byte chunks as they arrive, split anywhere; each call returns the events completed by
/// that chunk. Lines end with CR, LF or CRLF (a CR at the end of one chunk and an LF at the
/// start of the next are one line ending); one leading UTF-8 BOM is dropped; `data` lines are
/// joined with `\n`; `id` values containing NUL are ignored; `retry` takes ASCII digits only;
/// lines starting with `:` are comments; a field without a colon has an empty value; one space
/// after the colon is stripped. An event without `data` is not dispatched, and an unterminated
/// event at the end of the stream is discarded.
///
/// Memory is bounded by the largest event: a line or event longer than `maxEventBytes` throws.
/// A large event's bytes are held once while it is read: its first data line becomes its data
/// in place, and the data becomes the dispatched event's bytes.
/// A value type with no shared state; the owner runs it on its own task.
package struct SSEParser: Sendable {
    /// The default cap on one event: 64 MiB, the cap on a JSON response body and on a stdio
    /// line, so a result that arrives over one transport arrives over the others.
    package static let defaultMaxEventBytes = 64 << 20
    /// Buffers up to this size are kept for the next line or event; larger ones are released.
    private static let keptCapacity = 64 << 10

    /// The cap on one event's size, in bytes.
    package let maxEventBytes: Int
    /// The last event id seen (the `Last-Event-ID` to resume with), set even by events that are
    /// not dispatched.
    package private(set) var lastEventID: String?
    /// The reconnection time the server asked for with `retry`, in milliseconds.
    package private(set) var reconnectionTime: Int?

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: [UInt8] = []
    private var lastWasCR = false
    /// Bytes held back while deciding whether the stream starts with a BOM; nil once decided.
    private var bomPrefix: [UInt8]? = []

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")

    /// A parser with the given cap on one event.
    package init(maxEventBytes: Int = SSEParser.defaultMaxEventBytes) {
        self.maxEventBytes = maxEventBytes
    }

    /// Parses the next chunk.
    /// - Returns: the events this chunk completed, in order.
    /// - Throws: `SSEError` when a line or an event grows past `maxEventBytes`; the parser is
    ///   unusable afterwards.
    package mutating func feed(_ chunk: some Collection<UInt8>) throws(SSEError) -> [SSEEvent] {
        var events: [SSEEvent] = []
        if var prefix = bomPrefix {
            prefix.append(contentsOf: chunk)
            if prefix.count < Self.bom.count, Self.bom.starts(with: prefix) {
                bomPrefix = prefix
                return []
            }
            bomPrefix = nil
            let start = prefix.starts(with: Self.bom) ? Self.bom.count : 0
            try scan(prefix[start...], into: &events)
            return events
        }
        try scan(chunk, into: &events)
        return events
    }

    /// Ends the stream: an unterminated event is discarded, per the standard.
    /// - Returns: always empty; present so callers can treat end-of-stream uniformly.
    package mutating func finish() -> [SSEEvent] {
        line.removeAll()
        data.removeAll()
        hasData = false
        eventType.removeAll()
        bomPrefix = nil
        return []
    }

    private mutating func scan(_ bytes: some Collection<UInt8>, into events: inout [SSEEvent]) throws(SSEError) {
        var index = bytes.startIndex
        if lastWasCR, index < bytes.endIndex {
            lastWasCR = false
            if bytes[index] == Self.lf { index = bytes.index(after: index) }
        }
        while index < bytes.endIndex {
            guard let end = Self.lineEnd(in: bytes[index...]) else {
                line.append(contentsOf: bytes[index...])
                try checkSize()
                return
            }
            line.append(contentsOf: bytes[index..<end])
            try checkSize()
            processLine(into: &events)
            line.removeAll(keepingCapacity: line.capacity <= Self.keptCapacity)
            let next = bytes.index(after: end)
            if bytes[end] == Self.cr {
                if next == bytes.endIndex {
                    lastWasCR = true
                    index = next
                } else {
                    index = bytes[next] == Self.lf ? bytes.index(after: next) : next
                }
            } else {
                index = next
            }
        }
    }

    /// The index of the first CR or LF in `bytes`, read in place when they are contiguous (a
    /// chunk from the network always is), so a long line is scanned at memory speed.
    private static func lineEnd<C: Collection<UInt8>>(in bytes: C) -> C.Index? {
        let found = bytes.withContiguousStorageIfAvailable { buffer -> Int? in
            for offset in buffer.indices where buffer[offset] == cr || buffer[offset] == lf { return offset }
            return nil
        }
        guard let found else { return bytes.firstIndex { $0 == cr || $0 == lf } }
        return found.map { bytes.index(bytes.startIndex, offsetBy: $0) }
    }

    private func checkSize() throws(SSEError) {
        if line.count + data.count > maxEventBytes { throw SSEError(limit: maxEventBytes) }
    }

    private mutating func processLine(into events: inout [SSEEvent]) {
        if line.isEmpty {
            dispatch(into: &events)
            return
        }
        if line[0] == Self.colon { return }
        // Indices, not slices: a slice would share `line`'s storage and force a copy below.
        let colon = line.firstIndex(of: Self.colon)
        var valueStart = colon.map { $0 + 1 } ?? line.count
        if valueStart < line.count, line[valueStart] == Self.space { valueStart += 1 }
        switch String(decoding: line[..<(colon ?? line.count)], as: UTF8.self) {
        case "event":
            eventType = Array(line[valueStart...])
        case "data":
            if data.isEmpty, line.count - valueStart > Self.keptCapacity {
                // A large event's first data line (a large message is one line) becomes its data
                // where it is, shifted in place rather than copied.
                swap(&data, &line)
                data.removeSubrange(..<valueStart)
            } else {
                data.append(contentsOf: line[valueStart...])
            }
            data.append(Self.lf)
            hasData = true
        case "id":
            let value = line[valueStart...]
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case "retry":
            let value = line[valueStart...]
            if !value.isEmpty, value.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
                reconnectionTime = Int(String(decoding: value, as: UTF8.self))
            }
        default:
            break
        }
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        defer {
            // A large buffer is handed over with the event (not copied) and dropped here; a
            // small one is kept for the next event.
            data.removeAll(keepingCapacity: data.capacity <= Self.keptCapacity)
            hasData = false
            eventType.removeAll()
        }
        guard hasData else { return }
        if data.last == Self.lf { data.removeLast() }
        let type = eventType.isEmpty ? "message" : String(decoding: eventType, as: UTF8.self)
        events.append(SSEEvent(type: type, dataBytes: data, id: lastEventID))
    }
}
