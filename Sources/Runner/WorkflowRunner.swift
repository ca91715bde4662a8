import Basics
import Expressions
import Foundation
import HTTP
import MCPClient
import Results
import WorkflowModel

/// Runs a workflow: resolves inputs and secrets, schedules steps, calls servers, collects the report.
package struct WorkflowRunner: Sendable {
    package var workflow: Workflow
    package var options: RunOptions
    package var opener: any SessionOpener

    /// A runner for `workflow`.
    package init(workflow: Workflow, options: RunOptions, opener: any SessionOpener = MCPSessionOpener()) {
        self.workflow = workflow
        self.options = options
        self.opener = opener
    }

    /// Checks inputs and secrets and builds the starting evaluation context, without calling anything.
    ///
    /// - Throws: `RunError` with code `.invalidInput` (exit 2).
    package func prepare(startedAt: Timestamp) throws -> Prepared {
        let inputs = try InputResolver.resolve(workflow.inputs, given: options.inputs)
        let scope = TemplateScope(secrets: options.secrets, environment: options.environment)
        let secretNames = SecretScanner.referencedSecrets(in: workflow)
        let masker = SecretMasker(Array(options.secrets.values))
        let secrets = try scope.secretValues(
            secretNames.required.union(secretNames.optional).sorted().map {
                TemplateScope.Lookup(name: $0, isRequired: secretNames.required.contains($0))
            }, masker: masker)
        var env: [String: JSONValue] = options.environment.mapValues { .string($0) }
        var context = scope.context(
            secrets: secrets, inputs: inputs,
            workflow: [
                "name": .string(workflow.name), "runId": .string(options.runID),
                "startedAt": .string(startedAt.iso8601), "file": .string(workflow.file),
            ], now: { Date().timeIntervalSince1970 })
        for name in workflow.env.keys.sorted() {
            guard let value = workflow.env[name] else { continue }
            do {
                let evaluated = try value.evaluate(in: context)
                if evaluated.isSecret, let text = evaluated.value.stringValue { masker.add(Secret(text)) }
                env[name] = evaluated.value
            } catch let error as ExpressionError {
                throw RunError(
                    code: .invalidInput, message: error.message, hint: error.hint, context: error.context,
                    underlying: error)
            }
        }
        context.variables["env"] = .object(env)
        return Prepared(inputs: inputs, context: context, masker: masker)
    }

    /// The servers this run may send more than one call: named by two steps or more, or by a
    /// `foreach` step (of those `--only` keeps). Only their sessions listen for list changes
    /// (`subscriptions/listen`): a server called once gains nothing from hearing that its list
    /// changed, and the stream would cost a one-call run a connection.
    package static func serversWithSeveralRequests(_ steps: [Step], only: [String]) -> Set<String> {
        let kept = Set(only)
        var calls: [String: Int] = [:]
        for step in steps where kept.isEmpty || kept.contains(step.id) {
            calls[step.server, default: 0] += step.foreach == nil ? 1 : 2
        }
        return Set(calls.filter { $0.value > 1 }.keys)
    }

    /// The result of `prepare`.
    package struct Prepared: Sendable {
        package var inputs: [String: JSONValue]
        package var context: EvaluationContext
        package var masker: SecretMasker
    }

    /// Runs every step and returns the report; never throws: failures are in the report.
    package func run() async -> RunReport {
        let startedAt = Timestamp.now()
        let clock = ContinuousClock()
        let start = clock.now
        var report = RunReport(
            workflow: workflow.name, file: workflow.file, runID: options.runID, status: .succeeded,
            startedAt: startedAt, durationMs: 0, inputs: .object([:]),
            steps: workflow.steps.map {
                StepReport(notRun: $0)
            },
            outputs: [:], error: nil, masker: SecretMasker(Array(options.secrets.values)), outputPath: nil)
        let prepared: Prepared
        do {
            prepared = try prepare(startedAt: startedAt)
        } catch {
            report.status = .failed
            report.error = RunError.wrap(error)
            report.durationMs = Int((clock.now - start).milliseconds)
            return report
        }
        report.inputs = .object(prepared.inputs)
        report.masker = prepared.masker
        do throws(RunError) {
            report.outputPath = try resolveOutputPathEarly(in: prepared.context)
        } catch {
            report.status = .failed
            report.error = error
            report.durationMs = Int((clock.now - start).milliseconds)
            return report
        }
        // Every line logged from here on masks the secrets this run read, not only --secrets ones.
        var options = self.options
        options.logger.masker = prepared.masker
        let router = NotificationRouter(observer: options.observer)
        let answers = ElicitationAnswers(workflow.elicitation)
        let pool = SessionPool(
            opener: opener, logger: options.logger, listCache: options.listCache,
            listening: Self.serversWithSeveralRequests(workflow.steps, only: options.only)
        ) { server in
            SessionEvents(
                notification: { router.receive($0, from: server) }, elicitation: { answers.answer($0) })
        }
        let scheduler = Scheduler(
            workflow: workflow, options: options, pool: pool, masker: prepared.masker, router: router)
        let outcome = await scheduler.run(context: prepared.context)
        report.servers = await pool.connections()
        await pool.closeAll()
        report.steps = outcome.steps
        report.status = outcome.status
        report.error = outcome.error
        var context = outcome.context
        context.variables["steps"] = outcome.context.variables["steps"]
        for (name, value) in workflow.outputs {
            do {
                let output = try value.evaluate(in: context).value
                report.outputs[name] = output
                if let problem = output.firstNonFiniteNumber {
                    throw RunError(
                        code: .expressionError,
                        message: "workflow output '\(name)\(StepExecutor.joined(problem.path))' is \(problem.name), "
                            + "which JSON cannot carry",
                        hint: "check the expression for an overflow (such as 1e308 * 10) and give a finite number",
                        context: ErrorContext(location: value.templates.first?.origin.start))
                }
            } catch {
                // A failed run may leave outputs unresolvable; only a succeeded run reports it.
                if report.status == .succeeded {
                    report.status = .failed
                    report.error = RunError.wrap(error).adding(ErrorContext())
                }
                if report.outputs[name] == nil { report.outputs[name] = .null }
            }
        }
        if let output = workflow.output, options.resolvesOutputPath, report.outputPath == nil {
            do {
                let evaluated = try output.evaluate(in: context).value
                report.outputPath = workflow.resolvingPath(evaluated.stringValue ?? evaluated.serialized())
            } catch {
                self.options.logger.warning("could not resolve 'output': \(error); writing to stdout")
            }
        }
        report.durationMs = Int((clock.now - start).milliseconds)
        return report
    }
}

extension RunError {
    /// Any error as a `RunError`, keeping its message, hint and context, with the code of the
    /// closed set that says what happened.
    package static func wrap(_ error: any Error) -> RunError {
        switch error {
        case let error as RunError:
            return error
        case let error as ClientError:
            return RunError(
                code: code(for: error.code), message: error.message, hint: error.hint, context: error.context,
                underlying: error)
        case let error as ExpressionError:
            return RunError(
                code: .expressionError, message: error.message, hint: error.hint, context: error.context,
                underlying: error)
        case is CancellationError:
            return RunError(code: .cancelled, message: "the run was interrupted")
        case let error as TimeoutError:
            return RunError(code: .timeout, message: "\(error)", underlying: error)
        case let error as TokenStoreError:
            return RunError(
                code: .unauthorized, message: "\(error)",
                hint: "check that the credentials folder (under MCP_RUN_HOME) is writable by this user",
                underlying: error)
        case let error as HTTPError:
            return RunError(
                code: .unreachable, message: error.message, hint: error.hint, context: error.context,
                underlying: error)
        case let error as WorkflowError:
            return RunError(
                code: .invalidInput, message: error.message, hint: error.hint, context: error.context,
                underlying: error)
        case let error as any UserFacingError:
            return RunError(
                code: .internalError, message: error.message, hint: error.hint, context: error.context,
                underlying: error)
        default:
            return RunError(code: .internalError, message: "\(error)", underlying: error)
        }
    }

    /// The code of the closed set for a client failure.
    static func code(for code: ClientError.Code) -> Code {
        switch code {
        case .rpc: return .rpcError
        case .timedOut: return .timeout
        case .unreachable, .closed: return .unreachable
        case .protocolViolation, .unsupportedVersion: return .protocolError
        case .unauthorized: return .unauthorized
        case .cancelled: return .cancelled
        // The tool's work ended without a result, as the server decided: a failure of the step.
        case .taskCancelled: return .toolError
        }
    }
}

extension Step {
    /// `tool`, `resource` or `prompt`.
    var kindName: String {
        switch call {
        case .tool: return "tool"
        case .resource: return "resource"
        case .prompt: return "prompt"
        }
    }

    /// The tool or prompt name; a resource's URI when literal.
    var callName: String {
        switch call {
        case .tool(let name), .prompt(let name): return name
        case .resource(let uri): return uri.literalValue?.stringValue ?? ""
        }
    }
}

extension StepReport {
    /// The report of `step` before it runs: `skipped`, no attempts.
    init(notRun step: Step) {
        let target: StepRecord.Target
        switch step.call {
        case .tool(let name): target = .tool(name)
        case .prompt(let name): target = .prompt(name)
        case .resource: target = .resource(step.callName)
        }
        self.init(id: step.id, server: step.server, target: target, continueOnError: step.continueOnError)
    }
}
