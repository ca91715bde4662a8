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

    /// Runs `step` against the context as it was when the step became ready.
    ///
    /// Never throws: every failure is recorded in the report. Returns the report and the value
    /// `steps.<id>` has for later steps.
    func execute(_ step: Step, context: EvaluationContext) async -> (StepReport, JSONValue) {
        var report = StepReport(
            id: step.id, server: step.server, kind: step.kindName, name: step.callName,
            continueOnError: step.continueOnError)
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
        report.durationMs = Int((clock.now - start).milliseconds)
        return (report, Self.contextValue(for: report))
    }

    private func perform(_ step: Step, context: EvaluationContext, report: inout StepReport) async throws {
        let here = ErrorContext(location: step.location, step: step.id, server: step.server)
        if let condition = step.condition {
            let value = try evaluate(.template(condition), context)
            if !value.value.isTruthy {
                report.status = .skipped
                return
            }
        }
        if step.foreach != nil {
            throw RunError(
                code: .stepFailed, message: "'foreach' is not supported by this version of mcp-run",
                hint: "list one step per element for now", context: here)
        }
        guard let spec = workflow.servers[step.server] else {
            throw RunError(code: .invalidInput, message: "unknown server '\(step.server)'", context: here)
        }
        var arguments = JSONValue.object([:])
        if let template = step.arguments {
            arguments = try evaluate(template, context).value
            guard arguments.objectValue != nil else {
                throw RunError(
                    code: .stepFailed, message: "arguments must be a mapping, not \(arguments.typeName)", context: here)
            }
        }
        if step.arguments != nil || step.kindName == "tool" { report.arguments = arguments }
        let server = try ServerResolver.resolve(spec, context: context)
        let timeout = Duration.milliseconds(step.timeout ?? workflow.defaults.timeout ?? spec.timeout ?? 60_000)
        let retry = step.retry ?? workflow.defaults.retry ?? RetryPolicy(attempts: 1, backoff: 0)
        var call: @Sendable (any ToolSession) async throws -> JSONValue
        switch step.call {
        case .tool(let name):
            let tools = try await pool.tools(for: server)
            guard let tool = tools.first(where: { $0.name == name }) else {
                let names = tools.map(\.name)
                throw RunError(
                    code: .stepFailed, message: "server '\(step.server)' has no tool '\(name)'",
                    hint: nearestMatch(to: name, in: names).map { "did you mean '\($0)'?" }
                        ?? "its tools are \(names.quotedList); run 'mcp-run tools \(step.server)' to list them",
                    context: here, kind: "unknownTool")
            }
            if !options.coercesTextArguments.isEmpty {
                arguments = SchemaCheck.coerce(arguments, keys: options.coercesTextArguments, schema: tool.inputSchema)
                report.arguments = arguments
            }
            if let mismatch = SchemaCheck.firstMismatch(arguments, schema: tool.inputSchema) {
                throw RunError(
                    code: .stepFailed,
                    message: "arguments do not match tool '\(name)' input schema \(mismatch)",
                    hint: "run 'mcp-run tools \(step.server)' to see the schema", context: here,
                    kind: "invalidArguments")
            }
            let args = arguments
            call = { session in try await session.callTool(name, arguments: args, timeout: timeout) }
        case .resource(let uriTemplate):
            let uri = try evaluate(uriTemplate, context).value
            guard let text = uri.stringValue else {
                throw RunError(code: .stepFailed, message: "resource must be a URI string", context: here)
            }
            report.name = text
            call = { session in try await session.readResource(text, timeout: timeout) }
        case .prompt(let name):
            let args = arguments
            call = { session in try await session.getPrompt(name, arguments: args, timeout: timeout) }
        }
        let session = try await pool.session(for: server)
        var attempt = 0
        var result = JSONValue.null
        while true {
            attempt += 1
            report.attempts = attempt
            do {
                result = try await call(session)
                if result["isError"]?.boolValue != true || attempt >= retry.attempts { break }
            } catch {
                if error is CancellationError || attempt >= retry.attempts || !Self.isRetryable(error) { throw error }
            }
            let backoff = Double(retry.backoff) * pow(2, Double(attempt - 1)) * Double.random(in: 0.8...1.2)
            options.logger.info("step '\(step.id)': attempt \(attempt) failed; retrying in \(Int(backoff))ms")
            try await Task.sleep(for: .milliseconds(Int(backoff)))
        }
        report.result = result
        if result["isError"]?.boolValue == true {
            report.status = .failed
            let text = Self.text(of: result)
            report.error = RunError(
                code: .stepFailed,
                message: "tool '\(report.name)' returned an error\(text.isEmpty ? "" : ": " + Self.firstLine(text))",
                context: here, kind: "toolError")
        }
        // A failed call keeps its own error: outputs are read from successful results only.
        guard report.status == .succeeded else { return }
        var resultContext = context
        resultContext.variables["result"] = result
        for (name, value) in step.outputs {
            report.outputs[name] = try evaluate(value, resultContext).value
        }
        if let expect = step.expect {
            let value = try evaluate(.template(expect), resultContext)
            if !value.value.isTruthy {
                let source = expect.template.parts.compactMap { part -> String? in
                    if case .expression(let e) = part { return e.source.trimmingCharacters(in: .whitespaces) }
                    return nil
                }.joined(separator: " ")
                report.status = .failed
                report.error = RunError(
                    code: .stepFailed, message: "expectation '\(source)' is not met",
                    context: ErrorContext(location: expect.origin.start, step: step.id, server: step.server),
                    kind: "expectFailed")
            }
        }
    }

    private func evaluate(_ value: TemplateValue, _ context: EvaluationContext) throws -> Evaluated {
        try value.evaluate(in: context)
    }

    /// Failures worth another attempt under the step's `retry`.
    static func isRetryable(_ error: any Error) -> Bool {
        if let error = error as? ClientError {
            switch error.code {
            case .unauthorized, .unsupportedVersion: return false
            default: return true
            }
        }
        return !(error is RunError) && !(error is ExpressionError)
    }

    /// The text content of a result, joined with newlines.
    static func text(of result: JSONValue) -> String {
        (result["content"]?.arrayValue ?? []).compactMap { item -> String? in
            guard item["type"]?.stringValue == "text" else { return nil }
            return item["text"]?.stringValue
        }.joined(separator: "\n")
    }

    static func firstLine(_ text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }

    /// `steps.<id>`: status, result, text, json, outputs, error.
    static func contextValue(for report: StepReport) -> JSONValue {
        var value: [String: JSONValue] = [
            "status": .string(report.status.rawValue),
            "outputs": .object(report.outputs),
            "error": report.error.map { ["message": .string($0.message)] } ?? .null,
            "result": report.result ?? .null,
        ]
        if let result = report.result {
            if report.kind == "resource" {
                let texts = (result["contents"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }
                value["text"] = .string(texts.joined(separator: "\n"))
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
