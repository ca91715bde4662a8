import Basics
import Expressions
import Results
import WorkflowModel

/// Runs steps as child tasks of one task group, each when the steps it waits for have finished.
///
/// A step without `needs` waits for the step before it (file order); one with `needs` waits only
/// for those (`needs: []`: for nothing). At most `workflow.concurrency` steps run at once, the earliest ready step first.
/// After a step fails (and does not `continue-on-error`), no new step starts, except one whose
/// `if` calls a status function (`failure()`, `always()`, …: GitHub Actions semantics, so a
/// notification step can run): the rest are reported `skipped` with `not_run`, and the run stays
/// `failed` whatever such a step does. An interrupted run starts no step at all. Bookkeeping is linear in steps and dependencies: each step counts the
/// dependencies it still waits for, and each step's context holds only the steps it refers to.
struct Scheduler {
    let workflow: Workflow
    let options: RunOptions
    let pool: SessionPool
    let masker: SecretMasker
    let router: NotificationRouter

    struct Outcome {
        var steps: [StepReport]
        var status: RunStatus
        var error: RunError?
        var context: EvaluationContext
    }

    func run(context initial: EvaluationContext) async -> Outcome {
        let steps = workflow.steps
        var reports = steps.map {
            StepReport(notRun: $0)
        }
        var stepValues: [String: JSONValue] = [:]
        let only = Set(options.only)
        var started = [Bool](repeating: false, count: steps.count)
        var stopped = false
        // Whether a step ended cancelled (the run is being interrupted): kept as a flag, since
        // scanning every report for each ready step made a long run quadratic.
        var sawCancelled = false
        var runError: RunError?
        let indexByID = Dictionary(steps.map { ($0.id, $0.index) }, uniquingKeysWith: { first, _ in first })
        var waitingFor = [Int](repeating: 0, count: steps.count)
        var dependents = [[Int]](repeating: [], count: steps.count)
        for step in steps {
            let parents =
                !step.hasNeeds ? (step.index > 0 ? [step.index - 1] : []) : step.needs.compactMap { indexByID[$0] }
            waitingFor[step.index] = parents.count
            for parent in parents { dependents[parent].append(step.index) }
        }
        let references = steps.map(Self.referencedSteps)
        let usesStatus = steps.map { $0.condition?.template.callsStatusFunction ?? false }
        // `failedDependency[i]`: a step that step i waits for, directly or through others, failed
        // without `continue-on-error` (what `failure()` answers).
        var failedDependency = [Bool](repeating: false, count: steps.count)
        var ready = MinQueue()
        func finish(_ index: Int) {
            let failed = reports[index].status == .failed && !reports[index].continueOnError
            for child in dependents[index] {
                if failed || failedDependency[index] { failedDependency[child] = true }
                waitingFor[child] -= 1
                if waitingFor[child] == 0, !started[child] { ready.insert(child) }
            }
        }
        /// Records step `index` as never started: skipped, with the step that stopped the run.
        func markNotRun(_ index: Int) {
            reports[index].status = .skipped
            reports[index].error = RunError(
                code: .notRun,
                message: runError?.context.step.map { "not run: step '\($0)' failed" }
                    ?? "not run: the run was stopped",
                context: ErrorContext(step: reports[index].id))
        }
        // Steps left out by --only never run, and count as finished for the steps after them.
        for step in steps where !only.isEmpty && !only.contains(step.id) {
            started[step.index] = true
            stepValues[step.id] = StepExecutor.contextValue(for: reports[step.index])
            for child in dependents[step.index] { waitingFor[child] -= 1 }
        }
        for step in steps where waitingFor[step.index] == 0 && !started[step.index] { ready.insert(step.index) }
        let executor = StepExecutor(
            workflow: workflow, options: options, pool: pool, masker: masker, router: router)

        await withTaskGroup(of: (Int, StepReport, JSONValue).self) { group in
            var running = 0
            func startReady() {
                while let index = ready.popMin() {
                    let step = steps[index]
                    let interrupted = Task.isCancelled || sawCancelled
                    if stopped && (!usesStatus[index] || interrupted) {
                        // Not run, recorded now so that the steps after it can still be reached
                        // by one whose `if` calls a status function.
                        started[index] = true
                        markNotRun(index)
                        stepValues[step.id] = StepExecutor.contextValue(for: reports[index])
                        finish(index)
                        continue
                    }
                    guard running < workflow.concurrency else {
                        ready.insert(index)
                        return
                    }
                    started[index] = true
                    running += 1
                    var snapshot = initial
                    snapshot.variables["steps"] = .object(Self.visible(references[index], in: stepValues))
                    snapshot.runState = EvaluationContext.RunState(
                        hasFailedDependency: failedDependency[index], isCancelled: interrupted)
                    options.observer(.stepStarted(id: step.id, description: "\(step.server): \(step.callDescription)"))
                    group.addTask {
                        let (report, value) = await executor.execute(step, context: snapshot)
                        return (index, report, value)
                    }
                }
            }
            startReady()
            while let (index, report, value) = await group.next() {
                running -= 1
                reports[index] = report
                stepValues[report.id] = value
                options.observer(.stepFinished(report, masker: masker))
                if report.status == .failed, !report.continueOnError, !stopped {
                    stopped = true
                    runError = report.error
                }
                if report.status == .cancelled {
                    stopped = true
                    sawCancelled = true
                }
                finish(index)
                startReady()
            }
        }
        var status: RunStatus = .succeeded
        if reports.contains(where: { $0.status == .cancelled }) || Task.isCancelled {
            status = .cancelled
        } else if stopped {
            status = .failed
        }
        for index in reports.indices where !started[index] && stopped { markNotRun(index) }
        var context = initial
        context.variables["steps"] = .object(stepValues)
        return Outcome(steps: reports, status: status, error: runError, context: context)
    }

    /// The step ids a step's templates refer to as `steps.<id>`; nil when one refers to `steps` as a whole.
    static func referencedSteps(_ step: Step) -> Set<String>? {
        var templates = step.arguments?.templates ?? []
        if case .resource(let uri) = step.call { templates += uri.templates }
        templates += [step.condition, step.foreach, step.expect].compactMap { $0 }
        templates += step.outputs.flatMap(\.value.templates)
        var ids = Set<String>()
        for template in templates {
            for part in template.template.parts {
                guard case .expression(let expression) = part else { continue }
                for reference in expression.references where reference.path.first == "steps" {
                    guard reference.path.count > 1 else { return nil }
                    ids.insert(reference.path[1])
                }
            }
        }
        return ids
    }

    /// The finished steps a step may see: the ones it refers to, or all when it refers to `steps` whole.
    static func visible(_ ids: Set<String>?, in values: [String: JSONValue]) -> [String: JSONValue] {
        guard let ids else { return values }
        var visible: [String: JSONValue] = [:]
        for id in ids {
            if let value = values[id] { visible[id] = value }
        }
        return visible
    }
}

/// Step indexes waiting to start, smallest (earliest in the file) first.
private struct MinQueue {
    private var heap: [Int] = []

    mutating func insert(_ value: Int) {
        heap.append(value)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> Int? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left] < heap[smallest] { smallest = left }
            if right < heap.count, heap[right] < heap[smallest] { smallest = right }
            guard smallest != parent else { return first }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
