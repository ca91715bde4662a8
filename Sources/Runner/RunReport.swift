import Basics
import Results

/// How a step or a run ended (contract §6): the results document's step status; a run's
/// `skipped` is written as `succeeded`.
package typealias RunStatus = StepRecord.Status

/// What happened in one step, for the results document and progress lines.
///
/// One model with the document's `StepRecord`: the report keeps the step's entry as it will be
/// written, plus what only the runner needs: the full `RunError` (with its file, step and server
/// context, for the error renderer), `continueOnError`, and the iterations as reports. `record`
/// derives the document entry; every other `StepRecord` field reads and writes through the
/// report (`report.status`, `report.attempts`, …).
@dynamicMemberLookup
package struct StepReport: Sendable {
    /// The document fields; its `error` and `iterations` stay empty (`record` fills them).
    package var entry: StepRecord
    /// Why the step failed, with its context; the entry's `error` is derived from it.
    package var error: RunError?
    /// Whether a failure here lets the run go on.
    package var continueOnError: Bool
    /// A `foreach` step's iterations, in element order (each with this step's id); nil otherwise.
    package var iterations: [StepReport]?

    /// A step that has not run (`skipped`, no attempts).
    package init(id: String, server: String, target: StepRecord.Target, continueOnError: Bool) {
        self.entry = StepRecord(id: id, server: server, target: target, status: .skipped)
        self.error = nil
        self.continueOnError = continueOnError
        self.iterations = nil
    }

    /// A field of the step's document entry.
    package subscript<Value>(dynamicMember keyPath: WritableKeyPath<StepRecord, Value>) -> Value {
        get { entry[keyPath: keyPath] }
        set { entry[keyPath: keyPath] = newValue }
    }

    /// The tool or prompt name, or the resource URI.
    package var name: String {
        get {
            switch entry.target {
            case .tool(let name), .resource(let name), .prompt(let name): return name
            }
        }
        set {
            switch entry.target {
            case .tool: entry.target = .tool(newValue)
            case .resource: entry.target = .resource(newValue)
            case .prompt: entry.target = .prompt(newValue)
            }
        }
    }
}

/// What happened in a run: everything the results document and the exit code are made from.
package struct RunReport: Sendable {
    package var workflow: String
    package var file: String
    package var runID: String
    package var status: RunStatus
    package var startedAt: Timestamp
    package var durationMs: Int
    package var inputs: JSONValue
    package var steps: [StepReport]
    package var outputs: [String: JSONValue]
    /// A run-level failure (unreachable server, refused auth), or the first failed step's error.
    package var error: RunError?
    /// Masks every secret this run read.
    package var masker: SecretMasker
    /// Where the workflow's `output:` says the document goes, evaluated; nil for stdout.
    package var outputPath: String?
    /// How each server was reached: `transport` (negotiated for `sse`) and `protocolVersion`.
    package var servers: [String: JSONValue] = [:]
}

/// A step starting or finishing, for progress output.
package enum RunEvent: Sendable {
    case stepStarted(id: String, description: String)
    /// A server's `notifications/progress` for a call the step made.
    case stepProgress(id: String, progress: Double, total: Double?, message: String?)
    /// A call the step made became a task (the Tasks extension), or its task changed status or
    /// status message.
    case stepTask(id: String, taskID: String, status: String, message: String?)
    /// A step ended; `masker` masks every secret the run has read, for whatever prints the report.
    case stepFinished(StepReport, masker: SecretMasker)
}
