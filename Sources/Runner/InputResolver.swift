import Basics
import Expressions
import WorkflowModel

/// Checks and converts inputs against the workflow's declarations.
enum InputResolver {
    /// Typed input values: given ones converted to their declared type, defaults for the rest.
    ///
    /// - Throws: `RunError` `.invalidInput` for an undeclared input, a value of the wrong type, or a
    ///   missing required input.
    static func resolve(_ specs: [InputSpec], given: [String: InputValue]) throws -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        let declared = specs.map(\.name)
        for name in given.keys.sorted() where !declared.contains(name) {
            throw RunError(
                code: .invalidInput, message: "unknown input '\(name)'",
                hint: nearestMatch(to: name, in: declared).map { "did you mean '\($0)'?" }
                    ?? (declared.isEmpty
                        ? "the workflow declares no inputs" : "declared inputs are \(declared.quotedList)"))
        }
        for spec in specs {
            let context = ErrorContext(location: spec.location)
            guard let value = given[spec.name] else {
                if let defaultValue = spec.defaultValue {
                    if let problem = defaultValue.firstNonFiniteNumber {
                        throw RunError(
                            code: .invalidInput,
                            message: "input '\(spec.name)\(StepExecutor.joined(problem.path))' default is "
                                + "\(problem.name), which JSON cannot carry",
                            hint: "give a finite number as the default", context: context)
                    }
                    result[spec.name] = defaultValue
                } else if spec.isRequired {
                    throw RunError(
                        code: .invalidInput, message: "input '\(spec.name)' is required",
                        hint: "pass --input \(spec.name)=VALUE", context: context)
                } else {
                    result[spec.name] = .null
                }
                continue
            }
            let converted: JSONValue?
            switch value {
            case .json(let json): converted = json
            case .text(let text): converted = convert(text, to: spec.kind)
            }
            if let problem = converted?.firstNonFiniteNumber {
                throw RunError(
                    code: .invalidInput,
                    message: "input '\(spec.name)\(StepExecutor.joined(problem.path))' is \(problem.name), "
                        + "which JSON cannot carry",
                    hint: "give a finite number", context: context)
            }
            guard let converted, InputSpec.value(converted, fits: spec.kind) else {
                throw RunError(
                    code: .invalidInput, message: "input '\(spec.name)' must be of type '\(spec.kind.rawValue)'",
                    hint: example(for: spec), context: context)
            }
            result[spec.name] =
                spec.kind == .integer ? (converted.intValue.map(JSONValue.integer) ?? converted) : converted
        }
        return result
    }

    private static func convert(_ text: String, to kind: InputSpec.Kind) -> JSONValue? {
        switch kind {
        case .string: return .string(text)
        case .integer: return Int(text).map(JSONValue.integer)
        case .number: return Int(text).map(JSONValue.integer) ?? Double(text).map(JSONValue.double)
        case .boolean:
            switch text {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return nil
            }
        case .array, .object: return try? JSONValue.parse(text)
        }
    }

    private static func example(for spec: InputSpec) -> String {
        switch spec.kind {
        case .string: return "pass --input \(spec.name)=text"
        case .integer: return "pass a whole number, e.g. --input \(spec.name)=3"
        case .number: return "pass a number, e.g. --input \(spec.name)=2.5"
        case .boolean: return "pass --input \(spec.name)=true or --input \(spec.name)=false"
        case .array: return "pass JSON, e.g. --input '\(spec.name)=[1,2]'"
        case .object: return "pass JSON, e.g. --input '\(spec.name)={\"a\":1}'"
        }
    }
}

/// Finds which secrets a workflow reads, so only those are looked up and masked.
enum SecretScanner {
    /// Names read as `secrets.NAME`: required ones, and ones guarded by `default()`.
    static func referencedSecrets(in workflow: Workflow) -> (required: Set<String>, optional: Set<String>) {
        var required = Set<String>()
        var optional = Set<String>()
        let usedServers = Set(workflow.steps.map(\.server))
        var templates: [TemplateString] = []
        for step in workflow.steps {
            templates += step.arguments?.templates ?? []
            if case .resource(let uri) = step.call { templates += uri.templates }
            templates += [step.condition, step.foreach, step.expect].compactMap { $0 }
            templates += step.outputs.flatMap(\.value.templates)
        }
        templates += workflow.outputs.flatMap(\.value.templates) + (workflow.output?.templates ?? [])
        templates += workflow.env.values.flatMap(\.templates)
        for name in usedServers.sorted() {
            guard let server = workflow.servers[name] else { continue }
            templates += server.templates
        }
        for reference in references(in: templates) {
            if reference.isRequired {
                required.insert(reference.name)
            } else {
                optional.insert(reference.name)
            }
        }
        return (required, optional.subtracting(required))
    }

    /// Every `secrets.NAME` in `templates`, in order; one guarded by `default()` is not required.
    static func references(in templates: [TemplateString]) -> [TemplateScope.Lookup] {
        var lookups: [TemplateScope.Lookup] = []
        for template in templates {
            for part in template.template.parts {
                guard case .expression(let expression) = part else { continue }
                for reference in expression.references
                where reference.path.first == "secrets" && reference.path.count > 1 {
                    lookups.append(TemplateScope.Lookup(name: reference.path[1], isRequired: !reference.isGuarded))
                }
            }
        }
        return lookups
    }
}

extension ServerSpec {
    /// Every templated value in the definition.
    var templates: [TemplateString] {
        var values: [TemplateValue?] = [url, apiKey, token, username, password, oauth?.clientID, oauth?.clientSecret]
        values += args.map { $0 }
        values += env.values.map { $0 }
        values += headers.values.map { $0 }
        return values.compactMap { $0 }.flatMap(\.templates)
    }
}
