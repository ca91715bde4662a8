import Basics
import Expressions
import WorkflowModel

/// Runs steps as child tasks of one task group, each when the steps it waits for have finished.
///
/// A step without `needs` waits for the step before it (file order); one with `needs` waits only
/// for those. At most `workflow.concurrency` steps run at once. After a step fails (and does not
/// `continue-on-error`), no new step starts: the rest are reported `skipped`.
struct Scheduler {
    let workflow: Workflow
    let options: RunOptions
    let pool: SessionPool
    let masker: SecretMasker

    struct Outcome {
        var steps: [StepReport]
        var status: RunStatus
        var error: RunError?
        var context: EvaluationContext
    }

    func run(context initial: EvaluationContext) async -> Outcome {
        var context = initial
        var reports = workflow.steps.map {
            StepReport(
                id: $0.id, server: $0.server, kind: $0.kindName, name: $0.callName, continueOnError: $0.continueOnError)
        }
        var stepValues: [String: JSONValue] = [:]
        let only = Set(options.only)
        var finished = Set<Int>()
        var started = Set<Int>()
        var stopped = false
        var runError: RunError?
        let dependencies: [[Int]] = workflow.steps.map { step in
            if step.needs.isEmpty { return step.index > 0 ? [step.index - 1] : [] }
            return step.needs.compactMap { need in workflow.steps.firstIndex { $0.id == need } }
        }
        let executor = StepExecutor(workflow: workflow, options: options, pool: pool, masker: masker)
        // Steps left out by --only count as finished at once.
        for step in workflow.steps where !only.isEmpty && !only.contains(step.id) {
            finished.insert(step.index)
            started.insert(step.index)
            stepValues[step.id] = StepExecutor.contextValue(for: reports[step.index])
        }
        context.variables["steps"] = .object(stepValues)

        await withTaskGroup(of: (Int, StepReport, JSONValue).self) { group in
            var running = 0
            func startReady() {
                guard !stopped else { return }
                for step in workflow.steps where !started.contains(step.index) {
                    guard running < workflow.concurrency else { return }
                    guard dependencies[step.index].allSatisfy(finished.contains) else { continue }
                    started.insert(step.index)
                    running += 1
                    let snapshot = context
                    options.observer(.stepStarted(id: step.id, description: "\(step.server): \(step.callDescription)"))
                    group.addTask {
                        let (report, value) = await executor.execute(step, context: snapshot)
                        return (step.index, report, value)
                    }
                }
            }
            startReady()
            while let (index, report, value) = await group.next() {
                running -= 1
                finished.insert(index)
                reports[index] = report
                stepValues[report.id] = value
                context.variables["steps"] = .object(stepValues)
                options.observer(.stepFinished(report, masker: masker))
                if report.status == .failed, !report.continueOnError, !stopped {
                    stopped = true
                    runError = report.error
                }
                if report.status == .cancelled { stopped = true }
                startReady()
            }
        }
        var status: RunStatus = .succeeded
        if reports.contains(where: { $0.status == .cancelled }) || Task.isCancelled {
            status = .cancelled
        } else if stopped {
            status = .failed
        }
        let stopper = runError?.context.step
        for index in reports.indices where !started.contains(index) && stopped {
            reports[index].status = .skipped
            reports[index].error = RunError(
                code: .stepFailed,
                message: stopper.map { "not run: step '\($0)' failed" } ?? "not run: the run was stopped",
                context: ErrorContext(step: reports[index].id))
        }
        return Outcome(steps: reports, status: status, error: runError, context: context)
    }
}
