import Basics
import Expressions
import Foundation
import MCPClient
import Results
import WorkflowModel

/// A step's call with every template evaluated: what to ask the server, and how long to wait.
struct StepRequest: Sendable {
    /// The MCP request.
    enum Call: Sendable {
        case tool(String)
        case resource(uri: String)
        case prompt(String)
    }

    var call: Call
    /// The evaluated `arguments` (`{}` when the step has none); unused by a resource read.
    var arguments: JSONValue
    /// The per-request timeout: the step's, else the workflow's default, else the server's, else 60 s.
    var timeout: Duration
    /// Whether a tool call declares the Tasks extension (the step's `task`, default true).
    var acceptsTasks = true

    /// Sends the request on `session`; a tool result with `isError: true` is returned, not thrown.
    /// - Throws: what the session throws, except that an HTTP 4xx refusing this call (not 401 or
    ///   403, which are authorization, nor 429, which is "later") is a failure of this step
    ///   (`callRefused`), not of the server (contract §8, Status codes).
    func send(on session: any ToolSession, progressToken: JSONValue?) async throws -> JSONValue {
        do {
            return try await sendUnchecked(on: session, progressToken: progressToken)
        } catch let error as ClientError {
            throw Self.callRefused(error) ?? error
        }
    }

    /// A step failure for a call the server refused with an HTTP 4xx: `invalid_arguments` for a
    /// 413 (the request is larger than it accepts), `rpc_error` for the others; nil for any other error.
    static func callRefused(_ error: ClientError) -> RunError? {
        guard error.code == .protocolViolation, let status = error.httpStatus, (400..<500).contains(status),
            status != 429
        else { return nil }
        let tooLarge = status == 413
        return RunError(
            code: tooLarge ? .invalidArguments : .rpcError, message: error.message,
            hint: tooLarge
                ? "the server accepts no request this large: send smaller arguments (a reference to the data instead of the data)"
                : "the server refused this call; its answer above says why",
            context: error.context, underlying: error)
    }

    private func sendUnchecked(on session: any ToolSession, progressToken: JSONValue?) async throws -> JSONValue {
        switch call {
        case .tool(let name):
            return try await session.callTool(
                name, arguments: arguments, timeout: timeout, progressToken: progressToken, acceptsTasks: acceptsTasks)
        case .resource(let uri):
            return try await session.readResource(uri, timeout: timeout)
        case .prompt(let name):
            return try await session.getPrompt(name, arguments: arguments, timeout: timeout)
        }
    }
}

extension StepExecutor {
    /// The call itself, in four parts: resolution, the session (and the tool's checks), the
    /// request with retries, and the checks on its result.
    func performCall(_ step: Step, context: EvaluationContext, report: inout StepReport) async throws {
        let (server, request, retry) = try await resolve(step, context: context, report: &report)
        let (session, checked) = try await connect(server, request, for: step, report: &report)
        let result = try await StepRetry(policy: retry, stepID: step.id, logger: options.logger).run { attempt in
            report.attempts = attempt
            let handle = router.begin(step: step.id, server: step.server)
            do {
                let result = try await checked.send(on: session, progressToken: handle.progressToken)
                report.taskId = router.taskID(handle)
                report.log += router.end(handle)
                return result
            } catch {
                report.taskId = router.taskID(handle)
                report.log += router.end(handle)
                throw error
            }
        }
        report.result = result
        try Self.check(result, of: step, context: context, masker: masker, report: &report)
    }

    /// Resolution: evaluates the arguments (recorded in the report), the server definition and,
    /// for a resource, its URI; works out the timeout and the retry policy. Contacts nothing.
    ///
    /// - Throws: `RunError` (`.invalidInput` for an unknown server, `.invalidArguments`,
    ///   `.expressionError`), `ExpressionError`.
    func resolve(
        _ step: Step, context: EvaluationContext, report: inout StepReport
    ) async throws -> (ResolvedServer, StepRequest, RetryPolicy) {
        let here = ErrorContext(location: step.location, step: step.id, server: step.server)
        guard let spec = workflow.servers[step.server] else {
            throw RunError(code: .invalidInput, message: "unknown server '\(step.server)'", context: here)
        }
        var arguments = JSONValue.object([:])
        if let template = step.arguments {
            arguments = try template.evaluate(in: context).value
            guard arguments.objectValue != nil else {
                throw RunError(
                    code: .invalidArguments, message: "arguments must be a mapping, not \(arguments.typeName)",
                    context: here)
            }
        }
        try Self.checkFinite(arguments, here: here, report: &report)
        if step.arguments != nil || step.kindName == "tool" { report.arguments = arguments }
        // Resolved once per server per run: the pool keeps the first, so its OAuth token provider
        // is built once (and this closure runs once).
        let options = self.options
        let server = try await pool.resolved(spec.name) {
            // A server sees only the roots `validate` allows it (docs/workflow-format.md), whichever step starts it.
            var templates = context
            templates.variables = context.variables.filter { ServerSpec.templateRoots.contains($0.key) }
            return try ServerResolver.resolve(
                spec, context: templates, environment: options.environment,
                nonInteractive: options.isNonInteractive, loginUI: options.loginUI)
        }
        let timeout = Duration.milliseconds(step.timeout ?? workflow.defaults.timeout ?? spec.timeout ?? 60_000)
        let retry = step.retry ?? workflow.defaults.retry ?? RetryPolicy(attempts: 1, backoff: 0)
        let call: StepRequest.Call
        switch step.call {
        case .tool(let name):
            call = .tool(name)
        case .resource(let template):
            let uri = try template.evaluate(in: context).value
            guard let text = uri.stringValue else {
                throw RunError(
                    code: .expressionError, message: "resource must be a URI string, not \(uri.typeName)",
                    context: here)
            }
            report.name = text
            call = .resource(uri: text)
        case .prompt(let name):
            call = .prompt(name)
            let (converted, notScalar) = MCPWire.promptArguments(arguments)
            if let notScalar {
                let kind = arguments[notScalar]?.arrayValue != nil ? "an array" : "an object"
                throw RunError(
                    code: .invalidArguments,
                    message: "prompt argument '\(notScalar)' is \(kind), but prompt arguments are strings",
                    hint: "pass text, or a JSON text of it with toJSON(...)", context: here)
            }
            arguments = converted
            if step.arguments != nil { report.arguments = converted }  // as sent
        }
        return (
            server, StepRequest(call: call, arguments: arguments, timeout: timeout, acceptsTasks: step.task ?? true),
            retry
        )
    }

    /// The session for the request; for a tool call, also the server's tool list, against which
    /// the tool is looked up and its arguments coerced (`mcp-run call`'s text values) and checked.
    ///
    /// - Returns: the session and the request as it will be sent.
    /// - Throws: `RunError` `.unknownTool`, `.invalidArguments`, `.schemaMismatch`; what opening
    ///   the session or listing the tools throws.
    func connect(
        _ server: ResolvedServer, _ request: StepRequest, for step: Step, report: inout StepReport
    ) async throws -> (any ToolSession, StepRequest) {
        guard case .tool(let name) = request.call else { return (try await pool.session(for: server), request) }
        let (session, tools) = try await pool.sessionAndTools(for: server, needing: name)
        var checked = request
        checked.arguments = try Self.checkedArguments(
            request.arguments, tool: name, in: tools, for: step, coercing: options.coercesTextArguments,
            report: &report)
        return (session, checked)
    }

    /// A tool call's arguments checked against the tool's `inputSchema` (contract §5), after
    /// converting the `coercing` keys' text to the types the schema asks for (recorded in the report).
    ///
    /// - Throws: `RunError` `.unknownTool` (with the nearest name as a hint), `.invalidArguments`
    ///   for a coerced number that is not finite, `.schemaMismatch` naming the schema path.
    static func checkedArguments(
        _ arguments: JSONValue, tool name: String, in tools: [ToolDescription], for step: Step,
        coercing: Set<String>, report: inout StepReport
    ) throws -> JSONValue {
        let here = ErrorContext(location: step.location, step: step.id, server: step.server)
        guard let tool = tools.first(where: { $0.name == name }) else {
            let names = tools.map(\.name)
            throw RunError(
                code: .unknownTool, message: "server '\(step.server)' has no tool '\(name)'",
                hint: nearestMatch(to: name, in: names).map { "did you mean '\($0)'?" }
                    ?? "its tools are \(names.quotedList); run 'mcp-run tools \(step.server)' to list them",
                context: here)
        }
        var arguments = arguments
        if !coercing.isEmpty {
            arguments = SchemaCheck.coerce(arguments, keys: coercing, schema: tool.inputSchema)
            report.arguments = arguments
            try checkFinite(arguments, here: here, report: &report)
        }
        if let mismatch = SchemaCheck.firstMismatch(arguments, schema: tool.inputSchema) {
            throw RunError(
                code: .schemaMismatch,
                message: "arguments do not match tool '\(name)' input schema \(mismatch)",
                hint: "run 'mcp-run tools \(step.server)' to see the schema", context: here)
        }
        return arguments
    }

    /// The checks on a result: `isError: true` fails the step (`tool_error`, its first text
    /// line masked); a successful result's `outputs` are evaluated and its `expect` must hold.
    ///
    /// - Throws: `RunError` `.expressionError` for an output that is not finite; `ExpressionError`.
    ///   A tool error and an unmet `expect` are recorded in the report, not thrown.
    static func check(
        _ result: JSONValue, of step: Step, context: EvaluationContext, masker: SecretMasker,
        report: inout StepReport
    ) throws {
        if result["isError"]?.boolValue == true {
            report.status = .failed
            let text = Self.text(of: result)
            report.error = RunError(
                code: .toolError,
                message:
                    "tool '\(report.name)' returned an error\(text.isEmpty ? "" : ": " + Self.firstLine(masker.mask(text)))",
                context: ErrorContext(location: step.location, step: step.id, server: step.server))
        }
        // A failed call keeps its own error: outputs are read from successful results only.
        guard report.status == .succeeded else { return }
        var resultContext = context
        resultContext.variables["result"] = result
        for (name, value) in step.outputs {
            let output = try value.evaluate(in: resultContext).value
            report.outputs[name] = output
            if let problem = output.firstNonFiniteNumber {
                throw RunError(
                    code: .expressionError,
                    message: "output '\(name)\(Self.joined(problem.path))' is \(problem.name), which JSON cannot carry",
                    hint: "check the expression for an overflow (such as 1e308 * 10) and give a finite number",
                    context: ErrorContext(
                        location: value.templates.first?.origin.start ?? step.location, step: step.id,
                        server: step.server))
            }
        }
        if let expect = step.expect {
            let value = try TemplateValue.template(expect).evaluate(in: resultContext)
            if !value.value.isTruthy {
                let source = expect.template.parts.compactMap { part -> String? in
                    if case .expression(let e) = part { return e.source.trimmingCharacters(in: .whitespaces) }
                    return nil
                }.joined(separator: " ")
                report.status = .failed
                report.error = RunError(
                    code: .expectFailed, message: "expectation '\(source)' is not met",
                    context: ErrorContext(location: expect.origin.start, step: step.id, server: step.server))
            }
        }
    }
}
