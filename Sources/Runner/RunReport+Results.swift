import Basics
import MCPClient
import Results

extension RunReport {
    /// The results document for this run (contract §6).
    package var document: ResultsDocument {
        var document = ResultsDocument(
            workflow: workflow, file: file, runId: runID, status: status.documentStatus, startedAt: startedAt,
            durationMs: durationMs, inputs: inputs.objectValue ?? [:], steps: steps.map(\.record), outputs: outputs,
            error: runLevelFailure)
        document.servers = servers
        return document
    }

    /// The top-level `error`: set when the run as a whole failed (unreachable, auth, inputs).
    private var runLevelFailure: RunFailure? {
        guard let error, status != .succeeded else { return nil }
        switch error.code {
        case .invalidInput, .unreachable, .unauthorized, .cancelled: return RunFailure(error)
        case .stepFailed, .expression: return nil  // in the step's own record
        }
    }
}

extension RunStatus {
    fileprivate var documentStatus: ResultsDocument.Status {
        switch self {
        case .succeeded, .skipped: return .succeeded
        case .failed: return .failed
        case .cancelled: return .cancelled
        }
    }
}

extension StepReport {
    /// This step's entry in the results document.
    package var record: StepRecord {
        let target: StepRecord.Target
        switch kind {
        case "resource": target = .resource(name)
        case "prompt": target = .prompt(name)
        default: target = .tool(name)
        }
        let status: StepRecord.Status
        switch self.status {
        case .succeeded: status = .succeeded
        case .failed: status = .failed
        case .skipped: status = .skipped
        case .cancelled: status = .cancelled
        }
        var record = StepRecord(
            id: id, server: server, target: target, status: status, startedAt: startedAt, durationMs: durationMs,
            attempts: attempts, arguments: arguments, result: result, outputs: outputs,
            error: error.map { StepFailure(message: $0.message, hint: $0.hint, code: $0.failureCode) }, log: log)
        if let iterations {
            record.isForeach = true
            record.iterations = iterations.map(\.record)
        }
        return record
    }
}

extension RunError {
    /// The step error's machine-readable code.
    fileprivate var failureCode: StepFailure.Code? {
        if let kind { return .kind(kind) }
        if let client = underlying as? ClientError {
            switch client.code {
            case .rpc(let number, _): return .rpc(number)
            case .timedOut: return .kind("timedOut")
            default: break
            }
        }
        switch code {
        case .invalidInput: return .kind("invalidInput")
        case .unreachable: return .kind("unreachable")
        case .unauthorized: return .kind("unauthorized")
        case .stepFailed: return .kind("stepFailed")
        case .expression: return .kind("expression")
        case .cancelled: return .kind("cancelled")
        }
    }
}
