import Basics
import Results

/// How a step or a run ended (contract §6).
package enum RunStatus: String, Sendable {
    case succeeded, failed, skipped, cancelled
}

/// What happened in one step, for the results document and progress lines.
package struct StepReport: Sendable {
    package var id: String
    package var server: String
    /// `tool`, `resource` or `prompt`.
    package var kind: String
    /// The tool or prompt name, or the resource URI.
    package var name: String
    package var status: RunStatus
    package var startedAt: Timestamp?
    package var durationMs: Int
    package var attempts: Int
    package var arguments: JSONValue?
    package var result: JSONValue?
    package var outputs: [String: JSONValue]
    package var error: RunError?
    /// `notifications/message` entries received during the step.
    package var log: [JSONValue]
    /// Whether a failure here lets the run go on.
    package var continueOnError: Bool
    /// A `foreach` step's iterations, in element order (each with this step's id); nil otherwise.
    package var iterations: [StepReport]?

    /// A step that has not run.
    package init(id: String, server: String, kind: String, name: String, continueOnError: Bool) {
        self.id = id
        self.server = server
        self.kind = kind
        self.name = name
        self.status = .skipped
        self.startedAt = nil
        self.durationMs = 0
        self.attempts = 0
        self.arguments = nil
        self.result = nil
        self.outputs = [:]
        self.error = nil
        self.log = []
        self.continueOnError = continueOnError
        self.iterations = nil
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
    /// A step ended; `masker` masks every secret the run has read, for whatever prints the report.
    case stepFinished(StepReport, masker: SecretMasker)
}
