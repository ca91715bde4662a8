import Basics
import Expressions
import YAML

/// Loads workflow files and server definitions, reporting every problem in one pass.
package enum WorkflowLoader {
    static let topLevelKeys = [
        "name", "description", "inputs", "servers", "env", "defaults", "concurrency", "steps", "outputs", "output",
        "elicitation",
    ]
    static let stepKeys = [
        "id", "server", "tool", "resource", "prompt", "arguments", "if", "foreach", "concurrency", "needs", "timeout",
        "retry", "continue-on-error", "outputs", "expect", "task",
    ]
    static let inputKeys = ["type", "default", "description", "required"]

    /// Parses and validates a workflow.
    ///
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - file: the path as the user named it, used in every location.
    ///   - extraServers: servers from `--servers` and `MCP_SERVERS`, already merged by precedence.
    /// - Throws: `WorkflowProblems` with every problem found, sorted by location.
    package static func load(
        text: String, file: String, extraServers: [String: ServerSpec] = [:]
    ) throws(WorkflowProblems) -> Workflow {
        var problems = ProblemCollector()
        let root: YAMLNode
        do {
            let parsed = try YAMLParser.parse(text, file: file)
            problems.problems += parsed.problems.map(wrap)
            guard let node = parsed.root else {
                throw WorkflowProblems([
                    WorkflowError(
                        code: .missingKey("steps"), message: "the workflow file is empty",
                        hint: "add 'servers:' and 'steps:'; see docs/workflow-format.md",
                        context: ErrorContext(location: SourceLocation(file: file, line: 1, column: 1)))
                ])
            }
            root = node
        } catch let error as YAMLError {
            throw WorkflowProblems(problems.problems + [wrap(error)])
        } catch let error as WorkflowProblems {
            throw error
        } catch {
            throw WorkflowProblems([WorkflowError(code: .yaml, message: "\(error)")])
        }
        reportCollectionKeys(in: root, problems: &problems)
        let workflow = decodeWorkflow(root, file: file, extraServers: extraServers, problems: &problems)
        if let workflow {
            WorkflowValidator.validate(workflow, problems: &problems)
        }
        guard let workflow, problems.problems.isEmpty else {
            throw WorkflowProblems(problems.problems.map(withoutRepeatedStep))
        }
        return workflow
    }

    /// The renderer prefixes `step 'x': `; a message that starts with the same words drops them.
    static func withoutRepeatedStep(_ problem: WorkflowError) -> WorkflowError {
        var copy = problem
        for prefix in [problem.context.step.map { "step '\($0)' " }, problem.context.server.map { "server '\($0)' " }] {
            guard let prefix, copy.message.hasPrefix(prefix) else { continue }
            copy.message = String(copy.message.dropFirst(prefix.count))
        }
        return copy
    }

    /// Parses server definitions from a `--servers` file or `MCP_SERVERS` (JSON is YAML too).
    ///
    /// - Throws: `WorkflowProblems`.
    package static func loadServers(
        text: String, file: String, origin: ServerSpec.Origin
    ) throws(WorkflowProblems) -> [String: ServerSpec] {
        var problems = ProblemCollector()
        var servers: [String: ServerSpec] = [:]
        do {
            let parsed = try YAMLParser.parse(text, file: file)
            problems.problems += parsed.problems.map(wrap)
            if let root = parsed.root {
                reportCollectionKeys(in: root, problems: &problems)
                // Other clients' files (contract §2) hold the servers one level down.
                if let inner = ClientConfig.servers(in: root) {
                    servers = decodeServers(inner, origin: origin, otherClient: true, problems: &problems)
                } else {
                    servers = decodeServers(root, origin: origin, problems: &problems)
                }
            }
            // A file's own relative paths are taken from its folder; the variable's from the current one.
            if origin == .serversFile {
                for name in servers.keys { servers[name]?.folder = FileFolder.of(file) }
            }
        } catch {
            throw WorkflowProblems([wrap(error)])
        }
        guard problems.problems.isEmpty else { throw WorkflowProblems(problems.problems) }
        return servers
    }

    /// Whether `node` is a string that is one `${{ }}` and nothing else, whose value may be a mapping.
    static func isSingleTemplate(_ node: YAMLNode) -> Bool {
        guard case .scalar(let scalar) = node.kind, case .string(let text) = scalar.value else { return false }
        return (try? Template.parse(text))?.isSingleExpression == true
    }

    /// Reports every mapping key that is a sequence or a mapping (`? [a, b]: x`, `{a: 1}: x`): no
    /// key of the format is one, and reading it as text would lose it. Walks with an explicit stack,
    /// so the depth of the tree does not matter.
    static func reportCollectionKeys(in root: YAMLNode, problems: inout ProblemCollector) {
        var pending = [root]
        while let node = pending.popLast() {
            switch node.kind {
            case .scalar:
                continue
            case .sequence(let elements):
                pending.append(contentsOf: elements.reversed())
            case .mapping(let entries):
                for entry in entries.reversed() {
                    if case .scalar = entry.key.kind {
                    } else {
                        problems.add(
                            .wrongType("key"), "a mapping key must be a plain value, not a \(entry.key.kindName)",
                            at: entry.key.location, hint: "write the key as text, e.g. 'name: value'")
                    }
                    pending.append(entry.value)
                }
            }
        }
    }

    static func wrap(_ error: YAMLError) -> WorkflowError {
        WorkflowError(code: .yaml, message: error.message, hint: error.hint, context: error.context, underlying: error)
    }

    static func decodeServers(
        _ node: YAMLNode, origin: ServerSpec.Origin, otherClient: Bool = false, problems: inout ProblemCollector
    ) -> [String: ServerSpec] {
        guard let entries = node.mappingEntries else {
            problems.add(
                .wrongType("servers"), "servers must be a mapping of name to server, not a \(node.kindName)",
                at: node.location)
            return [:]
        }
        var servers: [String: ServerSpec] = [:]
        for entry in entries {
            guard let name = entry.key.scalarText else { continue }
            if let spec = ServerSpec.decode(
                name: name, node: entry.value, origin: origin, otherClient: otherClient, problems: &problems)
            {
                servers[name] = spec
            }
        }
        return servers
    }

    static func decodeWorkflow(
        _ root: YAMLNode, file: String, extraServers: [String: ServerSpec], problems: inout ProblemCollector
    ) -> Workflow? {
        guard let fields = Fields(root, what: "the workflow", known: topLevelKeys, problems: &problems) else {
            return nil
        }
        let stem = file.split(separator: "/").last.map(String.init) ?? file
        let defaultName = stem.split(separator: ".").dropLast().joined(separator: ".")
        var workflow = Workflow(
            name: Read.string(fields["name"], "name", &problems) ?? (defaultName.isEmpty ? stem : defaultName),
            description: Read.string(fields["description"], "description", &problems),
            file: file, inputs: [], servers: extraServers, env: [:], defaults: StepDefaults(), concurrency: 4,
            steps: [], outputs: [], output: nil)
        if let node = fields["servers"] {
            for (name, var spec) in decodeServers(node, origin: .workflow, problems: &problems) {
                spec.folder = FileFolder.of(file)
                workflow.servers[name] = spec
            }
        }
        if let node = fields["inputs"] { workflow.inputs = decodeInputs(node, problems: &problems) }
        if let node = fields["env"] {
            if let entries = node.mappingEntries {
                for entry in entries {
                    guard let key = entry.key.scalarText else { continue }
                    workflow.env[key] = Read.template(entry.value, &problems)
                }
            } else {
                problems.add(.wrongType("env"), "env must be a mapping, not a \(node.kindName)", at: node.location)
            }
        }
        if let node = fields["defaults"],
            let defaults = Fields(node, what: "defaults", known: ["timeout", "retry"], problems: &problems)
        {
            workflow.defaults.timeout = Read.integer(
                defaults["timeout"], "defaults timeout", &problems, range: Limits.timeout, unit: " ms")
            workflow.defaults.retry = decodeRetry(defaults["retry"], what: "defaults retry", problems: &problems)
        }
        workflow.concurrency =
            Read.integer(fields["concurrency"], "concurrency", &problems, range: Limits.concurrency) ?? 4
        if let node = fields["steps"] {
            workflow.steps = decodeSteps(node, problems: &problems)
        } else {
            problems.add(
                .missingKey("steps"), "the workflow has no 'steps'", at: root.location,
                hint: "add 'steps:' with at least one step naming a 'server' and a 'tool'")
        }
        if let node = fields["outputs"] { workflow.outputs = decodeOutputs(node, what: "outputs", problems: &problems) }
        workflow.output = fields["output"].map { Read.template($0, &problems) }
        if let node = fields["elicitation"] { workflow.elicitation = decodeElicitation(node, problems: &problems) }
        return workflow
    }

    /// Decodes `elicitation:`: a list of rules `{match?: string, action?: accept|decline|cancel,
    /// content?: mapping}`, where `content` goes only with `accept`.
    static func decodeElicitation(_ node: YAMLNode, problems: inout ProblemCollector) -> [ElicitationRule] {
        guard let rules = node.sequenceElements else {
            problems.add(
                .wrongType("elicitation"), "elicitation must be a list of rules, not a \(node.kindName)",
                at: node.location, hint: "write '- match: <text in the message>' with 'action' and 'content'")
            return []
        }
        var decoded: [ElicitationRule] = []
        for (index, rule) in rules.enumerated() {
            let what = "elicitation rule \(index + 1)"
            guard let fields = Fields(rule, what: what, known: ["match", "action", "content"], problems: &problems)
            else { continue }
            // A number or a boolean matches as written (`match: 2024` matches "Deploy 2024").
            let match = Read.string(fields["match"], "\(what) match", &problems)
            let action: ElicitationRule.Action? = Read.oneOf(fields["action"], "\(what) action", &problems)
            var content: [String: JSONValue] = [:]
            if let node = fields["content"] {
                if node.mappingEntries == nil {
                    problems.add(
                        .wrongType("\(what) content"),
                        "\(what) content must be a mapping of field names to values, not a \(node.kindName)",
                        at: node.location)
                } else if let action, action != .accept {
                    problems.add(
                        .invalidValue("\(what) content"),
                        "\(what) has 'content' but its action is '\(action.rawValue)'",
                        at: fields.keyLocation("content"), hint: "content is sent only with 'accept'")
                } else {
                    content = node.toJSON().objectValue ?? [:]
                }
            }
            decoded.append(ElicitationRule(match: match, action: action ?? .accept, content: content))
        }
        return decoded
    }

    static func decodeInputs(_ node: YAMLNode, problems: inout ProblemCollector) -> [InputSpec] {
        guard let entries = node.mappingEntries else {
            problems.add(.wrongType("inputs"), "inputs must be a mapping, not a \(node.kindName)", at: node.location)
            return []
        }
        var inputs: [InputSpec] = []
        for entry in entries {
            guard let name = entry.key.scalarText else { continue }
            let what = "input '\(name)'"
            guard let fields = Fields(entry.value, what: what, known: inputKeys, problems: &problems) else { continue }
            let kind: InputSpec.Kind = Read.oneOf(fields["type"], "\(what) type", &problems) ?? .string
            let defaultValue = fields["default"]?.toJSON()
            if let node = fields["default"] { Read.checkFinite(node, "\(what) default", &problems) }
            if let defaultValue, let node = fields["default"], !InputSpec.value(defaultValue, fits: kind) {
                problems.add(
                    .wrongType(what),
                    "\(what) default must be of type '\(kind.rawValue)', not '\(defaultValue.typeName)'",
                    at: node.location)
            }
            inputs.append(
                InputSpec(
                    name: name, kind: kind, defaultValue: defaultValue,
                    isRequired: Read.bool(fields["required"], "\(what) required", &problems) ?? (defaultValue == nil),
                    description: Read.string(fields["description"], "\(what) description", &problems),
                    location: entry.key.location))
        }
        return inputs
    }

    static func decodeRetry(_ node: YAMLNode?, what: String, problems: inout ProblemCollector) -> RetryPolicy? {
        guard let node, let fields = Fields(node, what: what, known: ["attempts", "backoff"], problems: &problems)
        else { return nil }
        return RetryPolicy(
            attempts: Read.integer(fields["attempts"], "\(what) attempts", &problems, range: Limits.attempts) ?? 1,
            backoff: Read.integer(
                fields["backoff"], "\(what) backoff", &problems, range: Limits.backoff, unit: " ms") ?? 1000)
    }

    static func decodeOutputs(
        _ node: YAMLNode, what: String, problems: inout ProblemCollector
    ) -> [(name: String, value: TemplateValue)] {
        guard let entries = node.mappingEntries else {
            problems.add(.wrongType(what), "\(what) must be a mapping, not a \(node.kindName)", at: node.location)
            return []
        }
        return entries.compactMap { entry in
            guard let name = entry.key.scalarText else { return nil }
            return (name, Read.template(entry.value, &problems))
        }
    }

    static func decodeSteps(_ node: YAMLNode, problems: inout ProblemCollector) -> [Step] {
        guard let elements = node.sequenceElements else {
            problems.add(
                .wrongType("steps"), "steps must be a list, not a \(node.kindName)", at: node.location,
                hint: "start each step with '- '")
            return []
        }
        var steps: [Step] = []
        for (index, element) in elements.enumerated() {
            if let step = decodeStep(element, index: index, problems: &problems) { steps.append(step) }
        }
        return steps
    }

    static func decodeStep(_ node: YAMLNode, index: Int, problems: inout ProblemCollector) -> Step? {
        let fallbackID = "step-\(index + 1)"
        guard let fields = Fields(node, what: "step \(index + 1)", known: stepKeys, problems: &problems) else {
            return nil
        }
        let id = Read.requiredString(fields["id"], "step id", &problems) ?? fallbackID
        let before = problems.problems.count
        defer {
            for i in before..<problems.problems.count where problems.problems[i].context.step == nil {
                problems.problems[i].context.step = id
            }
        }
        let what = "step '\(id)'"
        if fields["id"] != nil, !Step.isValidID(id) {
            problems.add(
                .invalidValue("id"), "step id '\(id)' is not valid", at: fields["id"]?.location,
                hint: "use letters, digits, '_' and '-', starting with a letter or '_'")
        }
        let server = Read.untemplated(fields["server"], "\(what) server", &problems, required: true)
        if server == nil, fields["server"] == nil {
            problems.add(
                .missingKey("server"), "\(what) has no 'server'", at: node.location,
                hint: "add 'server:' naming one of the workflow's servers")
        }
        var calls: [Step.Call] = []
        if let tool = Read.untemplated(fields["tool"], "\(what) tool", &problems, required: true) {
            calls.append(.tool(tool))
        }
        if let resource = Read.requiredTemplate(fields["resource"], "\(what) resource", &problems) {
            calls.append(.resource(resource))
        }
        if let prompt = Read.untemplated(fields["prompt"], "\(what) prompt", &problems, required: true) {
            calls.append(.prompt(prompt))
        }
        if calls.count > 1 {
            problems.add(
                .invalidValue("tool"), "\(what) has more than one of 'tool', 'resource' and 'prompt'",
                at: node.location, hint: "split it into one step per call")
        } else if calls.isEmpty, fields["tool"] == nil, fields["resource"] == nil, fields["prompt"] == nil {
            problems.add(
                .missingKey("tool"), "\(what) has no 'tool'", at: node.location,
                hint: "add 'tool:' with the tool's name (or 'resource:' / 'prompt:')")
        }
        if let node = fields["arguments"], node.mappingEntries == nil, !Self.isSingleTemplate(node) {
            var isNull = false
            if case .scalar(let scalar) = node.kind { isNull = scalar.value.isNull }
            problems.add(
                .wrongType("arguments"),
                "\(what) arguments must be a mapping, not \(isNull ? "null" : Read.describe(node))",
                at: node.location, hint: "write 'arguments: { name: value }', or remove the key for none")
        }
        if fields["concurrency"] != nil, fields["foreach"] == nil {
            problems.add(
                .invalidValue("concurrency"), "\(what) has 'concurrency' but no 'foreach'",
                at: fields.keyLocation("concurrency"), hint: "step concurrency bounds a foreach; remove it")
        }
        var step = Step(
            id: id, index: index, server: server ?? "", call: calls.first ?? .tool(""),
            arguments: fields["arguments"].map { Read.template($0, &problems) },
            condition: fields["if"].flatMap { Read.templateString($0, bareExpression: true, problems: &problems) },
            foreach: fields["foreach"].flatMap { Read.templateString($0, bareExpression: true, problems: &problems) },
            needs: Read.stringList(fields["needs"], "\(what) needs", &problems) ?? [],
            timeout: Read.integer(fields["timeout"], "\(what) timeout", &problems, range: Limits.timeout, unit: " ms"),
            retry: decodeRetry(fields["retry"], what: "\(what) retry", problems: &problems),
            continueOnError: Read.bool(fields["continue-on-error"], "\(what) continue-on-error", &problems) ?? false,
            outputs: [],
            expect: fields["expect"].flatMap {
                Read.templateString($0, bareExpression: true, problems: &problems)
            },
            location: node.location)
        step.task = Read.bool(fields["task"], "\(what) task", &problems)
        if step.task != nil, fields["tool"] == nil {
            problems.add(
                .invalidValue("task"), "\(what) has 'task' but no 'tool'", at: fields.keyLocation("task"),
                hint: "only a tool call can become a task (the Tasks extension); remove 'task'")
        }
        step.foreachConcurrency = Read.integer(
            fields["concurrency"], "\(what) concurrency", &problems, range: Limits.concurrency)
        if let node = fields["outputs"] {
            step.outputs = decodeOutputs(node, what: "\(what) outputs", problems: &problems)
        }
        step.serverLocation = fields["server"]?.location
        step.needsLocation = fields["needs"]?.location
        step.hasNeeds = fields["needs"] != nil
        step.idLocation = fields["id"]?.location
        return step
    }
}

extension InputSpec {
    /// Whether `value` has the JSON type `kind` asks for (an integer is a number too).
    package static func value(_ value: JSONValue, fits kind: Kind) -> Bool {
        switch (kind, value) {
        case (.string, .string), (.integer, .integer), (.number, .integer), (.number, .double), (.boolean, .bool),
            (.array, .array), (.object, .object):
            return true
        case (.integer, .double(let d)):
            return d.rounded() == d
        default:
            return false
        }
    }
}

extension Step {
    /// Whether `id` matches `[A-Za-z_][A-Za-z0-9_-]*`.
    package static func isValidID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return id.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
