import Basics

/// Awaiting a tool call the server turned into a task (the Tasks extension,
/// `io.modelcontextprotocol/tasks`, SEP-2663).
extension ServerSession {
    /// The interval between polls when the server suggests none.
    package static let defaultTaskPollInterval = Duration.milliseconds(500)
    /// The bounds on a server's suggested interval: never busier than the lower, never sleepier
    /// than the upper (a step's timeout still ends the wait).
    package static let taskPollIntervalBounds = Duration.milliseconds(10)...Duration.seconds(30)
    /// The longest mcp-run waits for a `tasks/cancel` acknowledgement.
    package static let taskCancelTimeout = Duration.seconds(5)

    /// Polls the task `handle` (a `CreateTaskResult`) with `tasks/get` until it is terminal, at
    /// the server's `pollIntervalMs` (bounded by `taskPollIntervalBounds`), answering its input
    /// requests with `tasks/update`, all before `end`. Each state change goes to the observer as
    /// `.task` naming `progressToken`.
    ///
    /// - Returns: the completed task's result (a tool result with `isError: true` included).
    /// - Throws: `ClientError`: `.rpc` for a failed task (its JSON-RPC error), `.taskCancelled`
    ///   for a task the server cancelled, `.protocolViolation` for a malformed task; `.timedOut` past `end` and
    ///   `.cancelled` when the caller is cancelled, both after sending `tasks/cancel`; what
    ///   `tasks/get` throws.
    func awaitTask(
        _ handle: JSONValue, tool: String, limit: Duration, end: ContinuousClock.Instant, progressToken: JSONValue?
    ) async throws(ClientError) -> JSONValue {
        var state = try taskState(handle, from: MCPMethod.toolsCall)
        let taskID = state.taskID
        let shownID = TerminalText.neutralized(taskID)
        logger.trace("[\(name)] '\(tool)' became task '\(shownID)' (\(state.status.rawValue))")
        var lastShown: (String, String?)?
        var answered: Set<String> = []
        while true {
            let shown = (state.status.rawValue, state.statusMessage)
            if lastShown.map({ $0 != shown }) ?? true {
                observer?(
                    .task(
                        token: progressToken, taskID: taskID, status: state.status.rawValue,
                        message: state.statusMessage))
                lastShown = shown
            }
            switch state.status {
            case .completed:
                return state.result ?? [:]
            case .failed:
                let code = state.error?["code"]?.intValue ?? -32603
                let message = state.error?["message"]?.stringValue ?? state.statusMessage ?? "no message"
                throw ClientError(
                    code: .rpc(code: code, message: message, data: state.error?["data"]),
                    message: "task '\(shownID)' of '\(tool)' failed: \(TerminalText.neutralized(message))",
                    context: context(MCPMethod.toolsCall))
            case .cancelled:
                throw ClientError(
                    code: .taskCancelled,
                    message: "the server cancelled task '\(shownID)' of '\(tool)' before it completed"
                        + (state.statusMessage.map { ": " + TerminalText.neutralized($0) } ?? ""),
                    hint: "the server stopped the work; its status message, if any, says why",
                    context: context(MCPMethod.toolsCall))
            case .inputRequired:
                var responses: [String: JSONValue] = [:]
                for input in state.inputRequests where !answered.contains(input.key) {
                    responses[input.key] = try inputResponse(input.method, input.params, for: MCPMethod.toolsCall)
                }
                if !responses.isEmpty {
                    answered.formUnion(responses.keys)
                    _ = try await taskRequest(
                        MCPWire.TaskMethod.update, MCPWire.taskUpdateParams(taskID, inputResponses: responses),
                        taskID: taskID, tool: tool, limit: limit, end: end)
                    logger.trace(
                        "[\(name)] task '\(shownID)' needed input: answered \(responses.keys.sorted().quotedList)")
                }
            case .working:
                break
            }
            let interval = min(
                max(state.pollInterval ?? Self.defaultTaskPollInterval, Self.taskPollIntervalBounds.lowerBound),
                Self.taskPollIntervalBounds.upperBound)
            let wake = min(ContinuousClock.now + interval, end)
            do {
                try await Task.sleep(until: wake, clock: .continuous)
            } catch {
                await cancelTask(taskID, tool: tool, reason: "the client cancelled the call")
                throw ClientError(
                    code: .cancelled,
                    message: "'\(MCPMethod.toolsCall)' was cancelled; task '\(shownID)' was cancelled",
                    context: context(MCPMethod.toolsCall), underlying: CancellationError())
            }
            let polled = try await taskRequest(
                MCPWire.TaskMethod.get, MCPWire.taskParams(taskID), taskID: taskID, tool: tool, limit: limit, end: end)
            state = try taskState(polled, from: MCPWire.TaskMethod.get)
            guard state.taskID == taskID else {
                throw ClientError(
                    code: .protocolViolation,
                    message: "'tasks/get' for task '\(shownID)' answered with another task's id",
                    context: context(MCPWire.TaskMethod.get))
            }
        }
    }

    /// One request about the task, within what is left before `end`; past `end` (or timed out)
    /// and when the caller is cancelled, the task is cancelled first.
    private func taskRequest(
        _ method: String, _ params: JSONValue, taskID: String, tool: String, limit: Duration,
        end: ContinuousClock.Instant
    ) async throws(ClientError) -> JSONValue {
        let left = end - ContinuousClock.now
        let timedOut = ClientError(
            code: .timedOut,
            message:
                "'\(tool)' (task '\(TerminalText.neutralized(taskID))') did not complete within \(limit.humanReadable); the task was cancelled",
            hint: "raise the step's or the server's `timeout` if the tool is expected to take longer",
            context: ErrorContext(server: name, method: MCPMethod.toolsCall))
        guard left > .zero else {
            await cancelTask(taskID, tool: tool, reason: "timed out")
            throw timedOut
        }
        do {
            return try await request(method, params, timeout: left)
        } catch {
            switch error.code {
            case .timedOut:
                await cancelTask(taskID, tool: tool, reason: "timed out")
                throw timedOut
            case .cancelled:
                await cancelTask(taskID, tool: tool, reason: "the client cancelled the call")
                throw error
            default:
                throw error
            }
        }
    }

    /// Sends `tasks/cancel` for the task and waits (at most `taskCancelTimeout`) for its
    /// acknowledgement, in a task of its own so a cancelled caller still sends it. A failure is
    /// traced, not thrown: the call fails for its own reason.
    private func cancelTask(_ taskID: String, tool: String, reason: String) async {
        let timeout = min(Self.taskCancelTimeout, requestTimeout)
        let name = self.name
        let logger = self.logger
        let sending = Task(executorPreference: EventLoop.preferred) {
            do throws(ClientError) {
                _ = try await self.request(MCPWire.TaskMethod.cancel, MCPWire.taskParams(taskID), timeout: timeout)
                logger.trace("[\(name)] task '\(TerminalText.neutralized(taskID))' of '\(tool)' cancelled (\(reason))")
            } catch {
                logger.trace(
                    "[\(name)] 'tasks/cancel' for task '\(TerminalText.neutralized(taskID))' failed: \(error.message)")
            }
        }
        await sending.value
    }

    /// Reads a task object from the answer to `method`.
    private func taskState(_ value: JSONValue, from method: String) throws(ClientError) -> MCPWire.TaskState {
        do {
            return try MCPWire.TaskState(value)
        } catch {
            throw ClientError(
                code: .protocolViolation, message: "'\(method)' answered with a malformed task: \(error.message)",
                context: context(method), underlying: error)
        }
    }
}
