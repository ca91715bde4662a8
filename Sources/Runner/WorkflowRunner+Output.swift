import Basics
import Expressions
import Results
import WorkflowModel

extension WorkflowRunner {
    /// The workflow's `output:` path resolved and checked before the first step, when it uses no
    /// `steps` (contract §6: an unusable path is exit 2 before any server is contacted).
    ///
    /// - Returns: the path (`-` for stdout); nil when there is no `output:`, when `-o` overrides
    ///   it, when it uses `steps` (it is then evaluated after the last step), or when it cannot be
    ///   evaluated now (the end of the run reports that, as before).
    /// - Throws: `RunError` with code `.invalidInput` naming the path, the reason and the place of
    ///   `output:` in the workflow file.
    func resolveOutputPathEarly(in context: EvaluationContext) throws(RunError) -> String? {
        guard options.resolvesOutputPath, let output = workflow.output, !Self.usesSteps(output) else { return nil }
        guard let evaluated = try? output.evaluate(in: context).value else { return nil }
        let path = workflow.resolvingPath(evaluated.stringValue ?? evaluated.serialized())
        guard path != "-" else { return path }
        do {
            try ResultsDestination.check(path, naming: "the workflow's 'output:'")
        } catch {
            throw RunError(
                code: .invalidInput, message: error.message, hint: error.hint,
                context: ErrorContext(location: output.templates.first?.origin.start), underlying: error)
        }
        return path
    }

    /// Whether any template in `value` refers to `steps`.
    static func usesSteps(_ value: TemplateValue) -> Bool {
        value.templates.contains { string in string.template.references.contains { $0.path.first == "steps" } }
    }
}
