import Basics

/// A JSON-RPC 2.0 request id: a number or a string (JSON-RPC 2.0 §4; MCP 2025-11-25, Base Protocol).
///
/// MCP forbids `null` ids on requests, so there is no case for it; an error response that has
/// no id carries `nil` instead.
package enum RequestID: Sendable, Hashable, CustomStringConvertible {
    /// An integer id (what this client sends).
    case number(Int)
    /// A string id (what some servers send).
    case string(String)

    /// The id as it appears on the wire.
    package var jsonValue: JSONValue {
        switch self {
        case .number(let n): return .integer(n)
        case .string(let s): return .string(s)
        }
    }

    /// Reads an id from its wire form; nil for anything but an integer or a string.
    package init?(_ value: JSONValue) {
        switch value {
        case .string(let s): self = .string(s)
        case .integer(let n): self = .number(n)
        case .double:
            guard let n = value.intValue else { return nil }
            self = .number(n)
        default: return nil
        }
    }

    /// `7` or `"abc"`, as in traces.
    package var description: String {
        switch self {
        case .number(let n): return String(n)
        case .string(let s): return "\"\(s)\""
        }
    }
}
