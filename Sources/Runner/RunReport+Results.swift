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

    /// The top-level `error`: for a failed run, the error of the step that failed it, or the
    /// run's own failure (inputs, secrets, the workflow's `outputs`); nil otherwise.
    private var runLevelFailure: RunFailure? {
        guard let error, status == .failed else { return nil }
        let failure = error.failure
        return RunFailure(
            code: failure.code, message: failure.message, hint: failure.hint, server: error.context.server,
            step: error.context.step, rpcCode: failure.rpcCode, data: failure.data)
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
    /// This step's entry in the results document: the entry with its error and iterations.
    package var record: StepRecord {
        var record = entry
        record.error = error?.failure
        if let iterations {
            record.isForeach = true
            record.iterations = iterations.map(\.record)
        }
        return record
    }
}

extension RunError {
    /// The step's `error` object: code, message, hint, and the JSON-RPC error's code and `data`.
    package var failure: StepFailure {
        let rpc = rpcError
        return StepFailure(code: code, message: message, hint: hint, rpcCode: rpc?.code, data: rpc?.data)
    }
}
