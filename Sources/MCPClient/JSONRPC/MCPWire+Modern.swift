import Basics

/// The params and results of the modern, stateless protocol (MCP 2026-07-28): per-request
/// `_meta`, `server/discover`, multi round-trip requests and the protocol's own error codes.
extension MCPWire {
    /// The modern protocol version mcp-run speaks.
    package static let modernProtocolVersion = "2026-07-28"

    /// `_meta` keys every modern request carries (MCP 2026-07-28, Basic, `_meta`).
    private enum MetaKey {
        static let protocolVersion = "io.modelcontextprotocol/protocolVersion"
        static let clientInfo = "io.modelcontextprotocol/clientInfo"
        static let clientCapabilities = "io.modelcontextprotocol/clientCapabilities"
        static let serverInfo = "io.modelcontextprotocol/serverInfo"
        static let logLevel = "io.modelcontextprotocol/logLevel"
    }

    /// The protocol's own JSON-RPC error codes (MCP 2026-07-28, Basic, Error Codes): a server
    /// answering with one of them speaks the modern protocol, so the client never falls back to
    /// the legacy handshake on them.
    package enum ModernError {
        /// The HTTP headers do not match the body, or a required one is missing.
        package static let headerMismatch = -32020
        /// The request lacks a client capability the server requires.
        package static let missingRequiredClientCapability = -32021
        /// The server does not speak the requested version; `data.supported` lists what it does.
        package static let unsupportedProtocolVersion = -32022

        /// Whether `code` is one of them.
        package static func isModern(_ code: Int) -> Bool {
            code == headerMismatch || code == missingRequiredClientCapability || code == unsupportedProtocolVersion
        }
    }

    /// The capabilities mcp-run declares on modern requests: elicitation (answered from the
    /// workflow's `elicitation:` rules) and roots (answered with an empty list).
    package static let modernClientCapabilities: JSONValue = ["elicitation": [:], "roots": [:]]

    /// `modernClientCapabilities` with the Tasks extension declared: the request may be
    /// answered with a task handle, which the client awaits.
    package static let modernClientCapabilitiesWithTasks: JSONValue = [
        "elicitation": [:], "roots": [:], "extensions": [tasksExtension: [:]],
    ]

    /// `params` with the modern `_meta` fields added (protocol version, client info,
    /// capabilities — with the Tasks extension when `acceptsTasks` — and a `logLevel` when given:
    /// without it a modern server sends no `notifications/message` for the request), keeping any
    /// `_meta` members already there.
    package static func addingModernMeta(
        to params: JSONValue?, protocolVersion: String, clientName: String, clientVersion: String,
        logLevel: String? = nil, acceptsTasks: Bool = false
    ) -> JSONValue? {
        guard case .object(var members) = params ?? [:] else { return params }
        var meta = members["_meta"]?.objectValue ?? [:]
        meta[MetaKey.protocolVersion] = .string(protocolVersion)
        meta[MetaKey.clientInfo] = ["name": .string(clientName), "version": .string(clientVersion)]
        meta[MetaKey.clientCapabilities] = acceptsTasks ? modernClientCapabilitiesWithTasks : modernClientCapabilities
        if let logLevel { meta[MetaKey.logLevel] = .string(logLevel) }
        members["_meta"] = .object(meta)
        return .object(members)
    }

    /// The protocol version a request's `_meta` declares, when it is a modern request.
    package static func modernProtocolVersion(of params: JSONValue?) -> String? {
        params?["_meta"]?[MetaKey.protocolVersion]?.stringValue
    }

    /// What a client request names for the `Mcp-Name` header: `params.name` (tools, prompts) or
    /// `params.uri` (resources), for the methods that carry one.
    package static func requestName(method: String, params: JSONValue?) -> String? {
        switch method {
        case MCPMethod.toolsCall, MCPMethod.promptsGet: params?["name"]?.stringValue
        case MCPMethod.resourcesRead: params?["uri"]?.stringValue
        // The Tasks extension routes its methods by task id (Streamable HTTP: Routing Headers).
        case TaskMethod.get, TaskMethod.update, TaskMethod.cancel: params?["taskId"]?.stringValue
        default: nil
        }
    }

    /// The parts of a `server/discover` result the client uses (MCP 2026-07-28, Discovery).
    package struct DiscoverResult: Sendable {
        /// The versions the server supports.
        package var supportedVersions: [String]
        /// The server's `capabilities`, or an empty object.
        package var capabilities: JSONValue
        /// `_meta.serverInfo` (or a top-level `serverInfo`), or null.
        package var serverInfo: JSONValue
        /// `instructions`, if given.
        package var instructions: String?

        /// Reads a result; nil when `supportedVersions` is not an array of strings.
        package init?(_ result: JSONValue) {
            guard let versions = result["supportedVersions"]?.arrayValue else { return nil }
            supportedVersions = versions.compactMap(\.stringValue)
            guard supportedVersions.count == versions.count else { return nil }
            capabilities = result["capabilities"] ?? [:]
            serverInfo = result["_meta"]?[MetaKey.serverInfo] ?? result["serverInfo"] ?? .null
            instructions = result["instructions"]?.stringValue
        }
    }

    /// The versions an `UnsupportedProtocolVersionError`'s `data.supported` lists (empty when
    /// it lists none).
    package static func supportedVersions(inErrorData data: JSONValue?) -> [String] {
        data?["supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// An `InputRequiredResult` (MCP 2026-07-28, Multi Round-Trip Requests): what the server
    /// asks before it completes the request, and the state to echo on the retry.
    package struct InputRequired: Sendable {
        /// The server's requests by key: method and params.
        package var requests: [(key: String, method: String, params: JSONValue)]
        /// The opaque `requestState`, echoed exactly; nil when the server sent none.
        package var requestState: String?

        /// Reads `result`; nil when it is not an `input_required` result.
        /// - Throws: `JSONRPCDecodingError` when `inputRequests` is malformed.
        package init?(_ result: JSONValue) throws(JSONRPCDecodingError) {
            guard result["resultType"]?.stringValue == "input_required" else { return nil }
            requestState = result["requestState"]?.stringValue
            requests = []
            if let asked = result["inputRequests"], !asked.isNull {
                guard let members = asked.objectValue else {
                    throw JSONRPCDecodingError("the input_required result's \"inputRequests\" is not an object")
                }
                for key in members.keys.sorted() {
                    guard let method = members[key]?["method"]?.stringValue else {
                        throw JSONRPCDecodingError("input request '\(key)' has no \"method\"")
                    }
                    requests.append((key, method, members[key]?["params"] ?? [:]))
                }
            }
            if requests.isEmpty && requestState == nil {
                throw JSONRPCDecodingError(
                    "the input_required result has neither \"inputRequests\" nor \"requestState\"")
            }
        }
    }

    /// The params of the retry of a request answered `input_required`: the original params with
    /// `inputResponses` (when there are any) and `requestState` (exactly as the server sent it,
    /// and only when it sent one).
    package static func retryParams(
        _ original: JSONValue?, inputResponses: [String: JSONValue], requestState: String?
    ) -> JSONValue? {
        guard case .object(var members) = original ?? [:] else { return original }
        members["inputResponses"] = nil
        members["requestState"] = nil
        if !inputResponses.isEmpty { members["inputResponses"] = .object(inputResponses) }
        if let requestState { members["requestState"] = .string(requestState) }
        return .object(members)
    }
}
