import Basics

/// One step's entry in the results document's `steps` array (contract §6).
package struct StepRecord: Sendable, Hashable {
    /// How a step ended.
    package enum Status: String, Sendable, Hashable, CaseIterable {
        /// The call returned a result and every `expect` held.
        case succeeded
        /// The call failed, returned `isError: true`, or an `expect` did not hold.
        case failed
        /// The step's `if` was falsy, or a step it needs did not succeed.
        case skipped
        /// The run was interrupted while the step was pending or in flight.
        case cancelled
    }

    /// What the step asked of its server: a tool call, a resource read or a prompt.
    ///
    /// Encoded as one key of the step object: `tool`, `resource` or `prompt`.
    package enum Target: Sendable, Hashable {
        /// `tools/call` of the named tool.
        case tool(String)
        /// `resources/read` of the URI.
        case resource(String)
        /// `prompts/get` of the named prompt.
        case prompt(String)
    }

    /// The step's id.
    package var id: String
    /// The server's name.
    package var server: String
    /// The tool, resource or prompt.
    package var target: Target
    /// How the step ended.
    package var status: Status
    /// When the first attempt started; nil for a step that never started (skipped, or cancelled early).
    package var startedAt: Timestamp?
    /// Milliseconds from the first attempt's start to the end of the last.
    package var durationMs: Int
    /// How many times the request was sent (0 when it never was).
    package var attempts: Int
    /// The evaluated arguments as sent; nil when they were never evaluated.
    package var arguments: JSONValue?
    /// The MCP result object, as received; nil when there was none.
    package var result: JSONValue?
    /// The step's evaluated `outputs`.
    package var outputs: [String: JSONValue]
    /// Why the step failed, or nil.
    package var error: StepFailure?
    /// The id of the task the server turned the call into (the Tasks extension); nil when it
    /// answered directly. Left out of the JSON when nil.
    package var taskId: String?
    /// The `params` of the `notifications/message` entries the server sent during the step, in order.
    ///
    /// Left out of the JSON when empty.
    package var log: [JSONValue]
    /// A `foreach` step's iterations, in element order; empty for other steps.
    ///
    /// Each is written like a step without `id`, `server` and the target, plus its `index`; the
    /// key is left out for a step without `foreach`.
    package var iterations: [StepRecord] = []
    /// Whether the step has `foreach` (so `iterations` is written even when empty).
    package var isForeach = false

    /// Creates a step record; optional parts default to empty.
    package init(
        id: String, server: String, target: Target, status: Status, startedAt: Timestamp? = nil,
        durationMs: Int = 0, attempts: Int = 0, arguments: JSONValue? = nil, result: JSONValue? = nil,
        outputs: [String: JSONValue] = [:], error: StepFailure? = nil, log: [JSONValue] = []
    ) {
        self.id = id
        self.server = server
        self.target = target
        self.status = status
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.attempts = attempts
        self.arguments = arguments
        self.result = result
        self.outputs = outputs
        self.error = error
        self.log = log
    }
}

/// Why a step failed: the step's `error` object, `{code, message, hint, rpcCode?, data?}`.
package struct StepFailure: Sendable, Hashable {
    /// What kind of failure, from the closed set of `ErrorCode`.
    package var code: ErrorCode
    /// The error's message.
    package var message: String
    /// What the user can do, when known; written as `null` when nil.
    package var hint: String?
    /// For a JSON-RPC error: its `code` as the server sent it; the key is left out otherwise.
    package var rpcCode: Int?
    /// For a JSON-RPC error: its `data` as the server sent it; the key is left out when it sent none.
    package var data: JSONValue?

    /// Creates a step failure.
    package init(code: ErrorCode, message: String, hint: String? = nil, rpcCode: Int? = nil, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.rpcCode = rpcCode
        self.data = data
    }
}
