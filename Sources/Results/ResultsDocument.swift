import Basics

/// The one JSON document a run writes (contract §6), with `schemaVersion: 1`.
///
/// A value type the runner fills in as the run goes; `ResultsWriter` encodes it with sorted keys and
/// every string masked. Failed and cancelled runs are written too: `status` says how the run ended,
/// and for a failed run `error` says why: the error of the step that failed it, or a failure of
/// the run itself (a bad input, a missing secret).
package struct ResultsDocument: Sendable, Hashable {
    /// The version of this document's shape. Bumped only by incompatible changes.
    package static let schemaVersion = 1

    /// How a run ended.
    package enum Status: String, Sendable, Hashable, CaseIterable {
        /// Every step that ran succeeded (or failed under `continue-on-error`).
        case succeeded
        /// A step failed, or the run could not start or finish.
        case failed
        /// The run was interrupted (SIGINT/SIGTERM).
        case cancelled
    }

    /// The workflow's `name` (default: the file's stem).
    package var workflow: String
    /// The workflow file as the user named it.
    package var file: String
    /// A unique id for this run.
    package var runId: String
    /// How the run ended.
    package var status: Status
    /// When the run started.
    package var startedAt: Timestamp
    /// How long the run took, in milliseconds.
    package var durationMs: Int
    /// The resolved inputs.
    package var inputs: [String: JSONValue]
    /// One record per step, in file order.
    package var steps: [StepRecord]
    /// The workflow's evaluated `outputs`.
    package var outputs: [String: JSONValue]
    /// Why a failed run failed (the failing step's error, or the run's own), or nil.
    package var error: RunFailure?
    /// How each server was reached, by name: `{transport, protocolVersion}`.
    package var servers: [String: JSONValue] = [:]

    /// Creates a document; collections default to empty and `error` to nil.
    package init(
        workflow: String, file: String, runId: String, status: Status, startedAt: Timestamp, durationMs: Int,
        inputs: [String: JSONValue] = [:], steps: [StepRecord] = [], outputs: [String: JSONValue] = [:],
        error: RunFailure? = nil
    ) {
        self.workflow = workflow
        self.file = file
        self.runId = runId
        self.status = status
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.inputs = inputs
        self.steps = steps
        self.outputs = outputs
        self.error = error
    }
}

/// Why a run failed as a whole: the top-level `error` object (contract §6).
///
/// For a run a step failed, it is that step's error with `step` and `server` naming it; for a
/// failure of the run itself (inputs, secrets, the workflow's `outputs`) `step` is null. `code`,
/// `message`, `hint`, `server` and `step` are always written (`null` where they do not apply);
/// `rpcCode` and `data` as in a step's error.
package struct RunFailure: Sendable, Hashable {
    /// The failure: code, message, hint, and for a JSON-RPC error its `rpcCode` and `data`.
    package var failure: StepFailure
    /// The server involved, when there is one.
    package var server: String?
    /// The step that failed the run, when there is one.
    package var step: String?

    /// Creates a run failure.
    package init(
        code: ErrorCode, message: String, hint: String? = nil, server: String? = nil, step: String? = nil,
        rpcCode: Int? = nil, data: JSONValue? = nil
    ) {
        self.failure = StepFailure(code: code, message: message, hint: hint, rpcCode: rpcCode, data: data)
        self.server = server
        self.step = step
    }

    /// The error's message, as the error renderer shows it (without location prefixes).
    package var message: String { failure.message }
    /// What the user can do, when known.
    package var hint: String? { failure.hint }
    /// The failure's code.
    package var code: ErrorCode { failure.code }
}
