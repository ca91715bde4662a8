import Basics
import Expressions
import Foundation
import MCPClient
import Results
import WorkflowModel

/// Runs one step: condition, arguments, schema check, the call with retries, outputs, expectation.
struct StepExecutor: Sendable {
    let workflow: Workflow
    let options: RunOptions
    let pool: SessionPool
    let masker: SecretMasker
    let router: NotificationRouter

    /// Runs `step` against the context as it was when the step became ready.
    ///
    /// Never throws: every failure is recorded in the report. Returns the report and the value
    /// `steps.<id>` has for later steps.
    func execute(_ step: Step, context: EvaluationContext) async -> (StepReport, JSONValue) {
        var report = StepReport(notRun: step)
        let startedAt = Timestamp.now()
        let clock = ContinuousClock()
        let start = clock.now
        report.startedAt = startedAt
        report.status = .succeeded
        let here = ErrorContext(location: step.location, step: step.id, server: step.server)
        do {
            try await perform(step, context: context, report: &report)
        } catch {
            report.status = Task.isCancelled || error is CancellationError ? .cancelled : .failed
            report.error = RunError.wrap(error).adding(here)
        }
        report.error = report.error?.naming(server: step.server, as: commandLineName(of: step.server))
        report.durationMs = Int((clock.now - start).milliseconds)
        return (report, Self.contextValue(for: report))
    }

    private func perform(_ step: Step, context: EvaluationContext, report: inout StepReport) async throws {
        let here = ErrorContext(location: step.location, step: step.id, server: step.server)
        // A foreach step's `if` that names `item` or `index` filters iterations; any other `if`
        // decides for the whole step, before the foreach expression is evaluated.
        let perIteration = step.foreach != nil && step.condition.map(Self.refersToItem) == true
        if let condition = step.condition, !perIteration {
            let value = try evaluate(.template(condition), context)
            if !value.value.isTruthy {
                report.status = .skipped
                return
            }
        }
        guard let foreach = step.foreach else {
            try await performCall(step, context: context, report: &report)
            return
        }
        let list = try evaluate(.template(foreach), context).value
        guard let elements = list.arrayValue else {
            throw RunError(
                code: .expressionError,
                message: "'foreach' needs an array, but the expression gave \(list.typeName)",
                hint: "use an expression that evaluates to a list, such as steps.<id>.json.items", context: here)
        }
        guard elements.count <= Limits.foreachElements else {
            throw RunError(
                code: .expressionError,
                message: "'foreach' gave \(elements.count) elements; a step runs at most \(Limits.foreachElements)",
                hint: "narrow the list (a filter or a smaller page), or split the work across steps", context: here)
        }
        let iterations = await runIterations(
            step, elements: elements, context: context, filtered: perIteration)
        report.iterations = iterations
        report.attempts = iterations.reduce(0) { $0 + $1.attempts }
        if let index = iterations.firstIndex(where: { $0.status == .cancelled }) {
            report.status = .cancelled
            report.error = iterations[index].error
        } else if let index = iterations.firstIndex(where: { $0.status == .failed }) {
            report.status = .failed
            let failed = iterations.filter { $0.status == .failed }.count
            let cause = iterations[index].error
            report.error = RunError(
                code: cause?.code ?? .internalError,
                message: "\(failed) of \(iterations.count) iterations failed; iteration \(index): "
                    + (cause?.message ?? "failed"),
                hint: cause?.hint, context: here, underlying: cause)
        } else if !iterations.isEmpty, iterations.allSatisfy({ $0.status == .skipped }) {
            report.status = .skipped
        }
    }

    /// Runs a foreach step's iterations, at most the step's `concurrency` at once (default 1),
    /// starting them in element order; returns their reports in element order.
    ///
    /// Without `continue-on-error`, no iteration starts after one has failed: the rest are skipped.
    private func runIterations(
        _ step: Step, elements: [JSONValue], context: EvaluationContext, filtered: Bool
    ) async -> [StepReport] {
        var reports = elements.map { _ in
            StepReport(notRun: step)
        }
        let limit = max(1, step.foreachConcurrency ?? 1)
        await withTaskGroup(of: (Int, StepReport).self) { group in
            var next = 0
            var running = 0
            var stopped = false
            var stopper = "an earlier iteration failed"
            while true {
                while !stopped, running < limit, next < elements.count {
                    let index = next
                    next += 1
                    running += 1
                    var scope = context
                    scope.variables["item"] = elements[index]
                    scope.variables["index"] = .integer(index)
                    group.addTask {
                        (index, await self.iteration(step, context: scope, filtered: filtered))
                    }
                }
                guard let (index, report) = await group.next() else { break }
                running -= 1
                reports[index] = report
                if report.status == .cancelled {
                    stopped = true
                    stopper = "the run was stopped"
                } else if report.status == .failed, !step.continueOnError, !stopped {
                    stopped = true
                    stopper = "iteration \(index) failed"
                }
            }
            for index in next..<elements.count where stopped {
                reports[index].error = RunError(
                    code: .notRun, message: "not run: \(stopper)",
                    context: ErrorContext(step: step.id))
            }
        }
        return reports
    }

    /// One iteration of a foreach step, with `item` and `index` in `context`; never throws.
    private func iteration(_ step: Step, context: EvaluationContext, filtered: Bool) async -> StepReport {
        var report = StepReport(notRun: step)
        let clock = ContinuousClock()
        let start = clock.now
        report.startedAt = Timestamp.now()
        report.status = .succeeded
        do {
            if filtered, let condition = step.condition, !(try evaluate(.template(condition), context).value.isTruthy) {
                report.status = .skipped
            } else {
                try await performCall(step, context: context, report: &report)
            }
        } catch {
            report.status = Task.isCancelled || error is CancellationError ? .cancelled : .failed
            report.error = RunError.wrap(error).adding(
                ErrorContext(location: step.location, step: step.id, server: step.server))
        }
        report.error = report.error?.naming(server: step.server, as: commandLineName(of: step.server))
        report.durationMs = Int((clock.now - start).milliseconds)
        return report
    }

    /// Whether a template refers to `item` or `index`.
    static func refersToItem(_ template: TemplateString) -> Bool {
        template.template.parts.contains { part in
            guard case .expression(let expression) = part else { return false }
            return expression.references.contains { $0.path.first == "item" || $0.path.first == "index" }
        }
    }

    /// Refuses arguments holding a number that is not finite (JSON has none: it would go out as
    /// `null`), naming the argument and the value.
    static func checkFinite(_ arguments: JSONValue, here: ErrorContext, report: inout StepReport) throws {
        guard let problem = arguments.firstNonFiniteNumber else { return }
        report.arguments = arguments
        throw RunError(
            code: .invalidArguments, message: "argument '\(problem.path)' is \(problem.name), which JSON cannot carry",
            hint: "a number that is not finite comes from an overflow (such as 1e308 * 10), a literal too large "
                + "for a double, or YAML's .inf/.nan; give a finite number", context: here)
    }

    /// A path from `firstNonFiniteNumber` appended to a name: `.a`, `[0]`, or nothing.
    static func joined(_ path: String) -> String {
        path.isEmpty || path.hasPrefix("[") ? path : "." + path
    }

    /// How another mcp-run command names `server`, for hints.
    private func commandLineName(of server: String) -> String {
        options.serverReference.commandLine(for: server, origin: workflow.servers[server]?.origin)
    }

    private func evaluate(_ value: TemplateValue, _ context: EvaluationContext) throws -> Evaluated {
        try value.evaluate(in: context)
    }

    /// The text content of a result, joined with newlines.
    static func text(of result: JSONValue) -> String {
        joinedLines(
            (result["content"]?.arrayValue ?? []).compactMap { item -> String? in
                guard item["type"]?.stringValue == "text" else { return nil }
                return item["text"]?.stringValue
            })
    }

    /// `texts` joined with newlines; one text is returned as it is, sharing its storage with the
    /// result it came from instead of being copied (a large result's text is held once).
    static func joinedLines(_ texts: [String]) -> String {
        texts.count == 1 ? texts[0] : texts.joined(separator: "\n")
    }

    static func firstLine(_ text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }

    /// `steps.<id>`: status, result, text, json, outputs, error (`{message, code}`).
    static func contextValue(for report: StepReport) -> JSONValue {
        var value: [String: JSONValue] = [
            "status": .string(report.status.rawValue),
            "outputs": .object(report.outputs),
            "error": report.error.map { ["message": .string($0.message), "code": .string($0.code.rawValue)] } ?? .null,
            "result": report.result ?? .null,
        ]
        if let iterations = report.iterations {
            // Each iteration as `steps.<id>` would be for a step of its own, minus `results`.
            value["results"] = .array(iterations.map { contextValue(for: $0) })
        }
        if let result = report.result {
            if case .resource = report.target {
                let texts = (result["contents"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }
                value["text"] = .string(joinedLines(texts))
            } else {
                value["text"] = .string(text(of: result))
            }
            if let structured = result["structuredContent"] {
                value["json"] = structured
            } else if let text = value["text"]?.stringValue, let parsed = try? JSONValue.parse(text) {
                value["json"] = parsed
            } else {
                value["json"] = .null
            }
        } else {
            value["text"] = .null
            value["json"] = .null
        }
        return .object(value)
    }
}
