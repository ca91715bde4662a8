import Basics
import MCPClient

/// Routes server notifications to the steps whose calls are in flight (contract §8).
///
/// A call registers before it is sent and unregisters when it returns; it is given a progress
/// token of its own. `notifications/progress` naming that token becomes a `RunEvent.stepProgress`;
/// `notifications/message` from a server goes to the log of every call in flight on that server
/// (MCP log messages name no request, so when several steps call one server at once, each of
/// them keeps the message).
///
/// Notifications arrive through a synchronous callback on a session's read loop, and a call's log
/// must be complete when its reply is returned (the server sends its messages before the reply,
/// and the read loop hands them over in that order). So the table lives in `Locked`, whose
/// closures never await, rather than in an actor reached through unordered hops.
package final class NotificationRouter: Sendable {
    private struct Call: Sendable {
        var step: String
        var server: String
        var log: [JSONValue]
        /// The id of the task the call became (the Tasks extension), if it did.
        var taskID: String?
    }

    private struct Table: Sendable {
        var calls: [Int: Call] = [:]
        var nextID = 0
    }

    /// A registered call: its progress token, and the key to unregister it.
    package struct Handle: Sendable {
        fileprivate var id: Int
        /// The `_meta.progressToken` to send with the call.
        package var progressToken: JSONValue { .string("mcp-run-\(id)") }
    }

    private let table = Locked(Table())
    private let observer: @Sendable (RunEvent) -> Void

    /// A router reporting progress to `observer`.
    package init(observer: @escaping @Sendable (RunEvent) -> Void) {
        self.observer = observer
    }

    /// Registers a call of `step` on `server`; pair it with `end(_:)`.
    package func begin(step: String, server: String) -> Handle {
        table.withLock { table in
            table.nextID += 1
            table.calls[table.nextID] = Call(step: step, server: server, log: [])
            return Handle(id: table.nextID)
        }
    }

    /// Unregisters a call and returns the log messages it received.
    package func end(_ handle: Handle) -> [JSONValue] {
        table.withLock { table in table.calls.removeValue(forKey: handle.id)?.log ?? [] }
    }

    /// The id of the task the registered call became, if it did; read it before `end(_:)`.
    package func taskID(_ handle: Handle) -> String? {
        table.withLock { table in table.calls[handle.id]?.taskID }
    }

    /// Takes a notification from `server`'s session.
    package func receive(_ notification: ServerNotification, from server: String) {
        switch notification {
        case .log(let level, let logger, let data):
            var entry: [String: JSONValue] = ["level": .string(level), "data": data]
            if let logger { entry["logger"] = .string(logger) }
            let message = JSONValue.object(entry)
            table.withLock { table in
                for (id, call) in table.calls where call.server == server { table.calls[id]?.log.append(message) }
            }
        case .progress(let token, let progress, let total, let message):
            guard let id = Self.callID(token) else { return }
            let step = table.withLock { table in table.calls[id].map { $0.server == server ? $0.step : nil } ?? nil }
            guard let step else { return }
            observer(.stepProgress(id: step, progress: progress, total: total, message: message))
        case .task(let token, let taskID, let status, let message):
            guard let token, let id = Self.callID(token) else { return }
            let step = table.withLock { table -> String? in
                guard let call = table.calls[id], call.server == server else { return nil }
                table.calls[id]?.taskID = taskID
                return call.step
            }
            guard let step else { return }
            observer(.stepTask(id: step, taskID: taskID, status: status, message: message))
        case .other:
            return
        }
    }

    /// The call a progress token of this router names.
    private static func callID(_ token: JSONValue) -> Int? {
        guard case .string(let text) = token, text.hasPrefix("mcp-run-") else { return nil }
        return Int(text.dropFirst("mcp-run-".count))
    }
}
