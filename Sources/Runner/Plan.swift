import Basics
import Expressions
import Results
import WorkflowModel

extension WorkflowRunner {
    /// The plan `--dry-run` prints: each step with its arguments resolved where they need no results.
    ///
    /// Calls nothing. A template that needs a step's result is shown as written.
    /// - Throws: `RunError` `.invalidInput` for bad inputs or missing secrets, or for an `output:`
    ///   path the run would refuse before its first step; `.invalidArguments` for resolved
    ///   arguments holding a number that is not finite (the run would refuse them).
    package func plan() throws -> JSONValue {
        let prepared = try prepare(startedAt: Timestamp.now())
        _ = try resolveOutputPathEarly(in: prepared.context)
        var steps: [JSONValue] = []
        for step in workflow.steps {
            var entry: [String: JSONValue] = [
                "id": .string(step.id), "server": .string(step.server), step.kindName: .string(step.callName),
            ]
            if let server = workflow.servers[step.server] {
                entry["transport"] = .string(server.transport.rawValue)
            }
            if let arguments = step.arguments {
                let resolved = Self.partiallyEvaluated(arguments, prepared.context)
                // What the run would refuse before the call, the plan refuses too.
                var report = StepReport(notRun: step)
                try StepExecutor.checkFinite(
                    resolved, here: ErrorContext(location: step.location, step: step.id, server: step.server),
                    report: &report)
                entry["arguments"] = resolved
            }
            if step.hasNeeds { entry["needs"] = .array(step.needs.map { .string($0) }) }
            if let condition = step.condition { entry["if"] = .string(condition.origin.text) }
            steps.append(.object(entry))
        }
        return [
            "workflow": .string(workflow.name), "file": .string(workflow.file), "dryRun": true,
            "inputs": .object(prepared.inputs), "steps": .array(steps),
        ]
    }

    /// `level`: how many arrays and objects enclose `value`; a template whose value would nest
    /// deeper than a run allows (`TemplateValue.evaluate`) is shown as written, like one that fails.
    private static func partiallyEvaluated(
        _ value: TemplateValue, _ context: EvaluationContext, level: Int = 0
    ) -> JSONValue {
        switch value {
        case .literal(let json): return json
        case .template(let string):
            guard let evaluated = try? string.template.evaluate(in: context).value,
                level + evaluated.nestingDepth <= JSONValue.maximumNesting
            else { return .string(string.origin.text) }
            return evaluated
        case .array(let elements):
            return .array(elements.map { partiallyEvaluated($0, context, level: level + 1) })
        case .object(let members):
            return .object(members.mapValues { partiallyEvaluated($0, context, level: level + 1) })
        }
    }
}
