import Basics

/// A notification from the server that the session passes to its observer.
///
/// `notifications/message` (MCP 2025-11-25, Logging) and `notifications/progress`
/// (MCP 2025-11-25, Progress) have their own cases; anything else is `.other`.
package enum ServerNotification: Sendable, Equatable {
    /// A log message: its level (`debug` … `emergency`), optional logger name, and data.
    case log(level: String, logger: String?, data: JSONValue)
    /// Progress for the request that sent `token`.
    case progress(token: JSONValue, progress: Double, total: Double?, message: String?)
    /// A tool call's task (the Tasks extension) as last seen by the client: created, polled
    /// into a new status or status message. `token` is the call's progress token, if it sent one.
    case task(token: JSONValue?, taskID: String, status: String, message: String?)
    /// Another notification, such as `notifications/tools/list_changed`.
    case other(method: String, params: JSONValue)
}
