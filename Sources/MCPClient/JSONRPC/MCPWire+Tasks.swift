import Basics

/// The Tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663, for MCP 2026-07-28): a
/// server may answer `tools/call` with a task handle (`resultType: "task"`) instead of the
/// result; the client polls `tasks/get` until the task is terminal, answers its input requests
/// with `tasks/update`, and may stop it with `tasks/cancel`.
extension MCPWire {
    /// The extension's identifier, declared under `capabilities.extensions`.
    package static let tasksExtension = "io.modelcontextprotocol/tasks"

    /// The extension's methods.
    package enum TaskMethod {
        /// Polls a task; the answer is the task, with its result or error when terminal.
        package static let get = "tasks/get"
        /// Delivers `inputResponses` to a task in `input_required`.
        package static let update = "tasks/update"
        /// Asks the server to stop a task (cooperative; acknowledged with an empty result).
        package static let cancel = "tasks/cancel"

        /// Whether `method` is one of them (their `Mcp-Name` header is the task id).
        package static func contains(_ method: String) -> Bool { method == get || method == update || method == cancel }
    }

    /// A task's state, from a `CreateTaskResult` or a `tasks/get` result.
    package struct TaskState: Sendable {
        /// A task's status (the extension's `Task.status`).
        package enum Status: String, Sendable {
            case working
            case inputRequired = "input_required"
            case completed
            case failed
            case cancelled

            /// Whether the task ends there.
            package var isTerminal: Bool { self == .completed || self == .failed || self == .cancelled }
        }

        /// The server's task id.
        package var taskID: String
        /// The status.
        package var status: Status
        /// The server's text about the state, if any.
        package var statusMessage: String?
        /// The interval the server suggests between polls, if any.
        package var pollInterval: Duration?
        /// The final result (`completed`).
        package var result: JSONValue?
        /// The JSON-RPC error (`failed`).
        package var error: JSONValue?
        /// The outstanding input requests (`input_required`), by key.
        package var inputRequests: [(key: String, method: String, params: JSONValue)]

        /// Whether `result` is a task handle (`resultType: "task"`).
        package static func isTaskHandle(_ result: JSONValue) -> Bool {
            result["resultType"]?.stringValue == "task"
        }

        /// Reads a task object.
        /// - Throws: `JSONRPCDecodingError` when `taskId` or a known `status` is missing, or a
        ///   terminal task lacks what its status requires.
        package init(_ value: JSONValue) throws(JSONRPCDecodingError) {
            guard let id = value["taskId"]?.stringValue, !id.isEmpty else {
                throw JSONRPCDecodingError("the task has no \"taskId\"")
            }
            guard let text = value["status"]?.stringValue, let status = Status(rawValue: text) else {
                throw JSONRPCDecodingError(
                    "task has no known \"status\" (working, input_required, completed, failed, cancelled)")
            }
            taskID = id
            self.status = status
            statusMessage = value["statusMessage"]?.stringValue
            if let milliseconds = value["pollIntervalMs"]?.doubleValue, milliseconds.isFinite, milliseconds >= 0 {
                pollInterval = .milliseconds(Int64(min(milliseconds, 86_400_000)))
            }
            result = value["result"]
            error = value["error"]
            inputRequests = []
            if status == .completed, result?.objectValue == nil {
                throw JSONRPCDecodingError("the completed task has no \"result\" object")
            }
            if status == .inputRequired, let asked = value["inputRequests"]?.objectValue {
                for key in asked.keys.sorted() {
                    guard let method = asked[key]?["method"]?.stringValue else {
                        throw JSONRPCDecodingError("the task's input request '\(key)' has no \"method\"")
                    }
                    inputRequests.append((key, method, asked[key]?["params"] ?? [:]))
                }
            }
        }
    }

    /// The params of `tasks/get` and `tasks/cancel`.
    package static func taskParams(_ taskID: String) -> JSONValue { ["taskId": .string(taskID)] }

    /// The params of `tasks/update`.
    package static func taskUpdateParams(_ taskID: String, inputResponses: [String: JSONValue]) -> JSONValue {
        ["taskId": .string(taskID), "inputResponses": .object(inputResponses)]
    }
}
