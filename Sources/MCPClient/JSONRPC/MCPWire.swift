import Basics

/// The MCP params and results this client builds and reads (MCP 2025-11-25, Schema).
///
/// Every MCP field name in the target is spelled in this file; the rest of the target works
/// with Swift values.
package enum MCPWire {
    /// `initialize` params: the version we offer, our capabilities and `clientInfo`
    /// (MCP 2025-11-25, Lifecycle, Initialization).
    package static func initializeParams(
        protocolVersion: String, clientName: String, clientVersion: String
    )
        -> JSONValue
    {
        [
            "protocolVersion": .string(protocolVersion),
            "capabilities": ["roots": ["listChanged": false], "elicitation": [:]],
            "clientInfo": ["name": .string(clientName), "version": .string(clientVersion)],
        ]
    }

    /// The parts of an `initialize` result the client uses.
    package struct InitializeResult: Sendable {
        /// The version the server chose.
        package var protocolVersion: String
        /// `serverInfo`, or null.
        package var serverInfo: JSONValue
        /// The server's `capabilities`, or an empty object.
        package var capabilities: JSONValue
        /// `instructions`, if given.
        package var instructions: String?

        /// Reads a result; nil when `protocolVersion` is missing.
        package init?(_ result: JSONValue) {
            guard let version = result["protocolVersion"]?.stringValue else { return nil }
            protocolVersion = version
            serverInfo = result["serverInfo"] ?? .null
            capabilities = result["capabilities"] ?? [:]
            instructions = result["instructions"]?.stringValue
        }
    }

    /// The params of one page of a `*/list` request (MCP 2025-11-25, Pagination).
    package static func listParams(cursor: String?) -> JSONValue? {
        guard let cursor else { return nil }
        return ["cursor": .string(cursor)]
    }

    /// One page of a `tools/list` result: the tools and the next cursor.
    /// - Throws: `JSONRPCDecodingError` when `tools` is missing or a tool lacks a name.
    package static func toolsPage(
        _ result: JSONValue
    ) throws(JSONRPCDecodingError) -> (
        tools: [ToolDescription], nextCursor: String?
    ) {
        guard let tools = result["tools"]?.arrayValue else {
            throw JSONRPCDecodingError("the tools/list result has no \"tools\" array")
        }
        var described: [ToolDescription] = []
        for tool in tools {
            guard let name = tool["name"]?.stringValue else {
                throw JSONRPCDecodingError("a tool in the tools/list result has no \"name\"")
            }
            described.append(
                ToolDescription(
                    name: name, description: tool["description"]?.stringValue,
                    inputSchema: tool["inputSchema"] ?? ["type": "object"], raw: tool))
        }
        return (described, result["nextCursor"]?.stringValue)
    }

    /// `tools/call` params; a progress token asks for `notifications/progress`.
    package static func callToolParams(
        name: String, arguments: JSONValue, progressToken: JSONValue? = nil
    )
        -> JSONValue
    {
        var params: [String: JSONValue] = ["name": .string(name)]
        if arguments != .null { params["arguments"] = arguments }
        if let progressToken { params["_meta"] = ["progressToken": progressToken] }
        return .object(params)
    }

    /// `resources/read` params.
    package static func readResourceParams(uri: String) -> JSONValue { ["uri": .string(uri)] }

    /// `prompts/get` params.
    package static func getPromptParams(name: String, arguments: JSONValue) -> JSONValue {
        var params: [String: JSONValue] = ["name": .string(name)]
        if arguments != .null { params["arguments"] = arguments }
        return .object(params)
    }

    /// Prompt arguments as the wire has them (MCP `prompts/get`: a map of strings): a number or a
    /// boolean as its JSON text (`3`, `2.5`, `true`), a null left out (an optional argument not
    /// given), a string as it is (contract §8, Input schemas).
    /// - Returns: the arguments, or in `notScalar` the first key (in order) whose value is a list
    ///   or an object, which has no string form a prompt could expect.
    package static func promptArguments(_ arguments: JSONValue) -> (arguments: JSONValue, notScalar: String?) {
        guard case .object(let members) = arguments else { return (arguments, nil) }
        var converted: [String: JSONValue] = [:]
        for key in members.keys.sorted() {
            switch members[key] ?? .null {
            case .null: continue
            case .string(let text): converted[key] = .string(text)
            case .array, .object: return (arguments, key)
            case let scalar: converted[key] = .string(scalar.serialized())
            }
        }
        return (.object(converted), nil)
    }

    /// The result of a `ping` from the server: an empty object.
    package static let pingResult: JSONValue = [:]
    /// The result of `roots/list`: no roots (contract §8).
    package static let emptyRootsResult: JSONValue = ["roots": []]
    /// The result of `elicitation/create` when the user is not asked: decline
    /// (MCP 2025-11-25, Elicitation).
    package static let declineElicitationResult: JSONValue = ["action": "decline"]

    /// Reads a server notification's params into a `ServerNotification`.
    package static func notification(method: String, params: JSONValue?) -> ServerNotification {
        let params = params ?? .null
        switch method {
        case MCPMethod.message:
            return .log(
                level: params["level"]?.stringValue ?? "info", logger: params["logger"]?.stringValue,
                data: params["data"] ?? .null)
        case MCPMethod.progress:
            return .progress(
                token: params["progressToken"] ?? .null, progress: params["progress"]?.doubleValue ?? 0,
                total: params["total"]?.doubleValue, message: params["message"]?.stringValue)
        default:
            return .other(method: method, params: params)
        }
    }

    /// The request id a server's `notifications/cancelled` names, if any.
    package static func cancelledRequestID(_ params: JSONValue?) -> RequestID? {
        params?["requestId"].flatMap(RequestID.init)
    }
}

extension MCPWire {
    /// `params` with `_meta.progressToken` set, asking the server for `notifications/progress`
    /// (MCP 2025-11-25, Progress).
    package static func addingProgressToken(_ token: JSONValue, to params: JSONValue?) -> JSONValue? {
        guard case .object(var members) = params ?? [:] else { return params }
        var meta = members["_meta"]?.objectValue ?? [:]
        meta["progressToken"] = token
        members["_meta"] = .object(meta)
        return .object(members)
    }
}
