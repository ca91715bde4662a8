import Basics
import Expressions

/// The checks that need no network: ids, servers, references, `needs` cycles (contract §4).
enum WorkflowValidator {
    /// What `steps.<id>.` may be followed by.
    static let stepProperties = ["status", "result", "text", "json", "outputs", "error", "results"]
    static let workflowProperties = ["name", "runId", "startedAt", "file"]

    static func validate(_ workflow: Workflow, problems: inout ProblemCollector) {
        var indexByID: [String: Int] = [:]
        for step in workflow.steps {
            if let earlier = indexByID[step.id] {
                problems.add(
                    .duplicateStepID(step.id), "step id '\(step.id)' is used twice",
                    at: step.idLocation ?? step.location,
                    hint: "the first is step \(earlier + 1); give each step its own id", step: step.id)
            } else {
                indexByID[step.id] = step.index
            }
        }
        let serverNames = workflow.servers.keys.sorted()
        for step in workflow.steps where !step.server.isEmpty && workflow.servers[step.server] == nil {
            let suggestion = nearestMatch(to: step.server, in: serverNames)
            problems.add(
                .unknownServer(step.server), "step '\(step.id)' uses unknown server '\(step.server)'",
                at: step.serverLocation ?? step.location,
                hint: suggestion.map { "did you mean '\($0)'?" }
                    ?? (serverNames.isEmpty
                        ? "declare it under 'servers:', in a --servers file or in MCP_SERVERS"
                        : "declared servers are \(serverNames.quotedList)"),
                step: step.id)
        }
        let ancestry = checkNeeds(workflow, indexByID: indexByID, problems: &problems)
        let inputNames = workflow.inputs.map(\.name)
        for step in workflow.steps {
            let scope = Scope(step: step, allowsResult: false, allowsItem: step.foreach != nil, ancestry: ancestry)
            var templates: [TemplateString] = []
            templates += step.arguments?.templates ?? []
            if case .resource(let uri) = step.call { templates += uri.templates }
            templates += [step.foreach].compactMap { $0 }
            for template in templates {
                checkReferences(
                    template, scope: scope, workflow: workflow, indexByID: indexByID, inputs: inputNames,
                    problems: &problems)
            }
            if let condition = step.condition {
                checkReferences(
                    condition, scope: scope, workflow: workflow, indexByID: indexByID, inputs: inputNames,
                    problems: &problems, isCondition: true)
            }
            let resultScope = Scope(
                step: step, allowsResult: true, allowsItem: step.foreach != nil, ancestry: ancestry)
            for template in step.outputs.flatMap(\.value.templates) + [step.expect].compactMap({ $0 }) {
                checkReferences(
                    template, scope: resultScope, workflow: workflow, indexByID: indexByID,
                    inputs: inputNames, problems: &problems)
            }
        }
        checkServerTemplates(workflow, indexByID: indexByID, inputs: inputNames, problems: &problems)
        let finalTemplates =
            workflow.outputs.flatMap(\.value.templates) + (workflow.output?.templates ?? [])
            + workflow.env.keys.sorted().compactMap { workflow.env[$0] }.flatMap(\.templates)
        for template in finalTemplates {
            checkReferences(
                template, scope: Scope(step: nil, allowsResult: false, allowsItem: false, ancestry: nil),
                workflow: workflow, indexByID: indexByID, inputs: inputNames, problems: &problems)
        }
    }

    /// Checks the templates of the workflow's own servers and of every server a step uses, with
    /// the roots a server's templates see (`ServerSpec.templateRoots`).
    static func checkServerTemplates(
        _ workflow: Workflow, indexByID: [String: Int], inputs: [String], problems: inout ProblemCollector
    ) {
        let used = Set(workflow.steps.map(\.server))
        for name in workflow.servers.keys.sorted() {
            guard let spec = workflow.servers[name], spec.origin == .workflow || used.contains(name) else { continue }
            let before = problems.problems.count
            let scope = Scope(step: nil, allowsResult: false, allowsItem: false, isServer: true, ancestry: nil)
            for (_, template) in spec.templates {
                checkReferences(
                    template, scope: scope, workflow: workflow, indexByID: indexByID, inputs: inputs,
                    problems: &problems)
            }
            for index in before..<problems.problems.count where problems.problems[index].context.server == nil {
                problems.problems[index].context.server = name
            }
        }
    }

    struct Scope {
        var step: Step?
        var allowsResult: Bool
        var allowsItem: Bool
        /// Who is asking: a server definition sees only `ServerSpec.templateRoots`.
        var isServer = false
        /// Which steps are certain to have finished before which; nil: every step has (workflow outputs).
        var ancestry: Ancestry?

        /// Whether step `id` is certain to have finished before this scope's step.
        func hasFinished(_ id: String) -> Bool {
            guard let step, let ancestry else { return true }
            return ancestry.isAncestor(id, of: step.id)
        }
    }

    /// Answers "has step a finished before step b starts?" without building every step's full set
    /// of ancestors up front: a workflow without `needs` is a chain, answered by file position.
    final class Ancestry {
        private let edges: [String: [String]]
        private let indexByID: [String: Int]
        private let isChain: Bool
        private let isEverything: Bool
        private var memo: [String: Set<String>] = [:]

        init(edges: [String: [String]], indexByID: [String: Int], isChain: Bool, isEverything: Bool) {
            self.edges = edges
            self.indexByID = indexByID
            self.isChain = isChain
            self.isEverything = isEverything
        }

        func isAncestor(_ a: String, of b: String) -> Bool {
            if isEverything { return true }
            if isChain, let ia = indexByID[a], let ib = indexByID[b] { return ia < ib }
            return ancestors(of: b).contains(a)
        }

        private func ancestors(of id: String) -> Set<String> {
            if let known = memo[id] { return known }
            var result = Set<String>()
            var stack = edges[id] ?? []
            while let next = stack.popLast() {
                guard result.insert(next).inserted else { continue }
                if let known = memo[next] {
                    result.formUnion(known)
                } else {
                    stack += edges[next] ?? []
                }
            }
            memo[id] = result
            return result
        }
    }

    /// Checks `needs` names and cycles; returns each step's set of steps certain to finish before it.
    static func checkNeeds(
        _ workflow: Workflow, indexByID: [String: Int], problems: inout ProblemCollector
    ) -> Ancestry {
        let ids = workflow.steps.map(\.id)
        var edges: [String: [String]] = [:]
        for step in workflow.steps where edges[step.id] == nil {
            var valid: [String] = []
            for need in step.needs {
                if indexByID[need] == nil {
                    problems.add(
                        .unknownStep(need), "step '\(step.id)' needs unknown step '\(need)'",
                        at: step.needsLocation ?? step.location,
                        hint: nearestMatch(to: need, in: ids).map { "did you mean '\($0)'?" }, step: step.id)
                } else if need == step.id {
                    problems.add(
                        .dependencyCycle([step.id]), "step '\(step.id)' needs itself",
                        at: step.needsLocation ?? step.location, step: step.id)
                } else {
                    valid.append(need)
                }
            }
            // Without `needs`, a step waits for every step before it (contract §3).
            edges[step.id] = !step.hasNeeds && step.index > 0 ? [workflow.steps[step.index - 1].id] : valid
        }
        // Cycle detection: depth-first with colours, on an explicit stack of (step, next edge).
        var state: [String: Int] = [:]  // 1 on the current path, 2 done
        var reported = Set<String>()
        for root in Set(ids).sorted(by: { (indexByID[$0] ?? 0) < (indexByID[$1] ?? 0) }) where state[root] == nil {
            var path: [(id: String, next: Int)] = [(root, 0)]
            state[root] = 1
            while let top = path.last {
                let children = edges[top.id] ?? []
                guard top.next < children.count else {
                    state[top.id] = 2
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let child = children[top.next]
                switch state[child] {
                case 1?:
                    guard let start = path.firstIndex(where: { $0.id == child }) else { continue }
                    let cycle = path[start...].map(\.id) + [child]
                    let members = Set(cycle)
                    guard !members.isSubset(of: reported) else { continue }
                    reported.formUnion(members)
                    let step = workflow.steps.first { $0.id == child }
                    problems.add(
                        .dependencyCycle(cycle), "'needs' forms a cycle: \(cycle.joined(separator: " -> "))",
                        at: step?.needsLocation ?? step?.location, hint: "remove one of these needs", step: child)
                case 2?:
                    continue
                default:
                    state[child] = 1
                    path.append((child, 0))
                }
            }
        }
        // After a cycle, every step counts as finished before every other, so the cycle is
        // reported once and no reference is flagged because of it.
        let isChain = workflow.steps.allSatisfy { !$0.hasNeeds }
        return Ancestry(edges: edges, indexByID: indexByID, isChain: isChain, isEverything: !reported.isEmpty)
    }

    /// `isCondition`: the template is a step's `if`, the one place status functions may be called.
    static func checkReferences(
        _ template: TemplateString, scope: Scope, workflow: Workflow, indexByID: [String: Int], inputs: [String],
        problems: inout ProblemCollector, isCondition: Bool = false
    ) {
        if !isCondition, template.template.callsStatusFunction {
            problems.add(
                .expression,
                "status functions ('success()', 'failure()', 'always()', 'cancelled()') can only be used in a step's 'if'",
                at: template.origin.start,
                hint: "decide with 'if: ${{ failure() }}' whether the step runs; read 'steps.<id>.status' elsewhere",
                step: scope.step?.id)
        }
        var roots = scope.isServer ? ServerSpec.templateRoots : ["inputs", "env", "secrets", "steps", "workflow"]
        if scope.allowsItem { roots += ["item", "index"] }
        if scope.allowsResult { roots += ["result"] }
        for expression in template.template.expressions {
            for reference in expression.references {
                let location = template.origin.location(at: reference.offset)
                let shown = reference.path.joined(separator: ".")
                let stepID = scope.step?.id
                guard let root = reference.path.first else { continue }
                guard roots.contains(root) else {
                    var hint = "known names here are \(roots.quotedList)"
                    if root == "item" || root == "index" { hint = "'\(root)' exists only in a step with 'foreach'" }
                    if root == "result" { hint = "'result' exists only in a step's 'outputs' and 'expect'" }
                    if let near = nearestMatch(to: root, in: roots) { hint = "did you mean '\(near)'?" }
                    if scope.isServer, ["steps", "item", "index", "result"].contains(root) {
                        hint =
                            "a server's templates are evaluated when it starts and see only "
                            + "\(roots.quotedList); pass step values in the step's 'arguments'"
                    }
                    problems.add(
                        .expression, "unknown name '\(root)' in '\(shown)'", at: location, hint: hint, step: stepID)
                    continue
                }
                switch root {
                case "steps":
                    guard reference.path.count > 1 else { continue }
                    let target = reference.path[1]
                    guard let targetIndex = indexByID[target] else {
                        problems.add(
                            .unknownStep(target), "'\(shown)' refers to unknown step '\(target)'", at: location,
                            hint: nearestMatch(to: target, in: workflow.steps.map(\.id)).map { "did you mean '\($0)'?" }
                                ?? "steps are \(workflow.steps.map(\.id).quotedList)",
                            step: stepID)
                        continue
                    }
                    if let step = scope.step {
                        if targetIndex >= step.index {
                            problems.add(
                                .laterStep(target),
                                target == step.id
                                    ? "step '\(step.id)' refers to its own result in '\(shown)'"
                                    : "'\(shown)' refers to step '\(target)', which runs after step '\(step.id)'",
                                at: location,
                                hint: target == step.id
                                    ? "use 'result' in the step's 'outputs' or 'expect'"
                                    : "move step '\(target)' before step '\(step.id)'",
                                step: stepID)
                            continue
                        }
                        if !scope.hasFinished(target), !reference.isGuarded {
                            problems.add(
                                .laterStep(target),
                                "'\(shown)' refers to step '\(target)', which may not have finished: "
                                    + "step '\(step.id)' does not need it",
                                at: location, hint: "add '\(target)' to the step's 'needs'", step: stepID)
                            continue
                        }
                    }
                    if reference.path.count > 2 {
                        let property = reference.path[2]
                        if !stepProperties.contains(property) {
                            problems.add(
                                .expression, "'\(shown)': a step has no property '\(property)'", at: location,
                                hint: nearestMatch(to: property, in: stepProperties).map { "did you mean '\($0)'?" }
                                    ?? "a step has \(stepProperties.quotedList)",
                                step: stepID)
                        } else if property == "outputs", reference.path.count > 3, !reference.isGuarded,
                            let targetStep = workflow.steps.first(where: { $0.id == target })
                        {
                            let names = targetStep.outputs.map(\.name)
                            if !names.contains(reference.path[3]) {
                                problems.add(
                                    .expression, "'\(shown)': step '\(target)' has no output '\(reference.path[3])'",
                                    at: location,
                                    hint: names.isEmpty
                                        ? "declare it under the step's 'outputs:'"
                                        : "its outputs are \(names.quotedList)",
                                    step: stepID)
                            }
                        }
                    }
                case "inputs":
                    guard reference.path.count > 1, !reference.isGuarded else { continue }
                    let name = reference.path[1]
                    if !inputs.contains(name) {
                        problems.add(
                            .unknownInput(name), "'\(shown)' refers to undeclared input '\(name)'", at: location,
                            hint: nearestMatch(to: name, in: inputs).map { "did you mean '\($0)'?" }
                                ?? "declare it under 'inputs:'",
                            step: stepID)
                    }
                case "workflow":
                    guard reference.path.count > 1 else { continue }
                    if !workflowProperties.contains(reference.path[1]) {
                        problems.add(
                            .expression, "'\(shown)': the workflow has no property '\(reference.path[1])'",
                            at: location, hint: "the workflow has \(workflowProperties.quotedList)", step: stepID)
                    }
                default:
                    continue
                }
            }
        }
    }
}

extension Template {
    /// The expressions among the parts.
    var expressions: [Expression] {
        parts.compactMap {
            if case .expression(let expression) = $0 { return expression }
            return nil
        }
    }
}
