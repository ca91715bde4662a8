import Basics

/// The `error` member of a JSON-RPC 2.0 error response (JSON-RPC 2.0 §5.1).
package struct JSONRPCError: Sendable, Equatable {
    /// The error code; -32768…-32000 are reserved by JSON-RPC.
    package var code: Int
    /// A short description from the peer.
    package var message: String
    /// Extra detail from the peer, if any.
    package var data: JSONValue?

    /// Creates an error object.
    package init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// JSON-RPC: the method does not exist or is not available.
    package static let methodNotFound = -32601
    /// JSON-RPC: invalid method parameters.
    package static let invalidParams = -32602
    /// JSON-RPC: the message was not a valid request.
    package static let invalidRequest = -32600
}

/// One JSON-RPC 2.0 message as MCP uses it (MCP 2025-11-25, Base Protocol; JSON-RPC 2.0 §4–5).
///
/// The wire form is a `JSONValue`; `init(_:)` and `jsonValue` convert. JSON-RPC batches (MCP
/// 2025-03-26 only) are read with `decodeAll(_:)` and never sent.
package enum JSONRPCMessage: Sendable, Equatable {
    /// A request that expects a response with the same id.
    case request(id: RequestID, method: String, params: JSONValue?)
    /// A notification: no id, no response.
    case notification(method: String, params: JSONValue?)
    /// A successful response.
    case response(id: RequestID, result: JSONValue)
    /// An error response; `id` is nil when the peer could not read the request's id.
    case errorResponse(id: RequestID?, error: JSONRPCError)

    /// The id of a request or response, nil for notifications and id-less errors.
    package var id: RequestID? {
        switch self {
        case .request(let id, _, _), .response(let id, _): return id
        case .errorResponse(let id, _): return id
        case .notification: return nil
        }
    }

    /// The method of a request or notification.
    package var method: String? {
        switch self {
        case .request(_, let method, _), .notification(let method, _): return method
        case .response, .errorResponse: return nil
        }
    }

    /// Whether this is a response or error response (what a POST answers with 202).
    package var isResponse: Bool {
        switch self {
        case .response, .errorResponse: return true
        case .request, .notification: return false
        }
    }

    /// `notifications/cancelled` for request `id` (MCP 2025-11-25, Cancellation).
    package static func cancelled(_ id: RequestID, reason: String) -> JSONRPCMessage {
        .notification(method: MCPMethod.cancelled, params: ["requestId": id.jsonValue, "reason": .string(reason)])
    }
}

/// A message that is not valid JSON-RPC 2.0.
package struct JSONRPCDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, lower-case.
    package var message: String
    /// Creates the error.
    package init(_ message: String) { self.message = message }
    /// The message.
    package var description: String { message }
}

extension JSONRPCMessage {
    private enum Key {
        static let jsonrpc = "jsonrpc"
        static let version = "2.0"
        static let id = "id"
        static let method = "method"
        static let params = "params"
        static let result = "result"
        static let error = "error"
        static let code = "code"
        static let message = "message"
        static let data = "data"
    }

    /// The wire form.
    package var jsonValue: JSONValue {
        var members: [String: JSONValue] = [Key.jsonrpc: .string(Key.version)]
        switch self {
        case .request(let id, let method, let params):
            members[Key.id] = id.jsonValue
            members[Key.method] = .string(method)
            if let params { members[Key.params] = params }
        case .notification(let method, let params):
            members[Key.method] = .string(method)
            if let params { members[Key.params] = params }
        case .response(let id, let result):
            members[Key.id] = id.jsonValue
            members[Key.result] = result
        case .errorResponse(let id, let error):
            members[Key.id] = id?.jsonValue ?? .null
            var object: [String: JSONValue] = [Key.code: .integer(error.code), Key.message: .string(error.message)]
            if let data = error.data { object[Key.data] = data }
            members[Key.error] = .object(object)
        }
        return .object(members)
    }

    /// The compact JSON bytes, without a trailing newline.
    package var serializedBytes: [UInt8] { jsonValue.serializedBytes() }

    /// Reads one message from its wire form.
    /// - Throws: `JSONRPCDecodingError` when `value` is not a JSON-RPC 2.0 message.
    package init(_ value: JSONValue) throws(JSONRPCDecodingError) {
        guard case .object(let members) = value else {
            throw JSONRPCDecodingError("a JSON-RPC message must be an object, not \(value.typeName)")
        }
        guard members[Key.jsonrpc] == .string(Key.version) else {
            throw JSONRPCDecodingError("the message lacks \"jsonrpc\": \"2.0\"")
        }
        let params = members[Key.params]
        if let params, params != .null, params.objectValue == nil, params.arrayValue == nil {
            throw JSONRPCDecodingError("\"params\" must be an object or an array")
        }
        if let methodValue = members[Key.method] {
            guard let method = methodValue.stringValue else {
                throw JSONRPCDecodingError("\"method\" must be a string")
            }
            guard let idValue = members[Key.id] else {
                self = .notification(method: method, params: params)
                return
            }
            guard let id = RequestID(idValue) else {
                throw JSONRPCDecodingError("a request id must be a string or an integer")
            }
            self = .request(id: id, method: method, params: params)
            return
        }
        let idValue = members[Key.id] ?? .null
        if let errorValue = members[Key.error] {
            let id = RequestID(idValue)
            guard id != nil || idValue == .null else {
                throw JSONRPCDecodingError("a response id must be a string or an integer")
            }
            guard let code = errorValue[Key.code]?.intValue else {
                throw JSONRPCDecodingError("an error response needs an integer \"error.code\"")
            }
            let message = errorValue[Key.message]?.stringValue ?? ""
            self = .errorResponse(id: id, error: JSONRPCError(code: code, message: message, data: errorValue[Key.data]))
            return
        }
        if let result = members[Key.result] {
            guard let id = RequestID(idValue) else {
                throw JSONRPCDecodingError("a response id must be a string or an integer")
            }
            self = .response(id: id, result: result)
            return
        }
        throw JSONRPCDecodingError("the message has none of \"method\", \"result\" and \"error\"")
    }

    /// Reads one message, or a batch (a JSON array, MCP 2025-03-26), from JSON bytes.
    /// - Throws: `JSONRPCDecodingError` for bad JSON or a bad message; the JSON parser's text is kept.
    package static func decodeAll(_ bytes: some Collection<UInt8>) throws(JSONRPCDecodingError) -> [JSONRPCMessage] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw JSONRPCDecodingError("invalid JSON: \(error)")
        }
        if case .array(let elements) = value {
            guard !elements.isEmpty else { throw JSONRPCDecodingError("an empty JSON-RPC batch") }
            var messages: [JSONRPCMessage] = []
            messages.reserveCapacity(elements.count)
            for element in elements { messages.append(try JSONRPCMessage(element)) }
            return messages
        }
        return [try JSONRPCMessage(value)]
    }
}
