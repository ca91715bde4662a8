import Basics
import Expressions
import MCPClient
import WorkflowModel

/// One-off access to a server outside a workflow run (`mcp-run tools`).
package enum ServerAccess {
    /// Lists `spec`'s tools, resolving its templates against secrets and the environment;
    /// `nonInteractive` (`--non-interactive`): no login may start; `loginUI`: where a login talks
    /// to the person (nil: nobody, so none starts).
    ///
    /// - Throws: `RunError` (`.invalidInput` for a missing secret, `.unreachable`, `.unauthorized`).
    package static func listTools(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], logger: Logger,
        nonInteractive: Bool = false, loginUI: (any LoginUI)? = nil, opener: any SessionOpener = MCPSessionOpener()
    ) async throws -> [ToolDescription] {
        var secretValues: [String: JSONValue] = [:]
        for template in spec.templates {
            for part in template.template.parts {
                guard case .expression(let expression) = part else { continue }
                for reference in expression.references
                where reference.path.first == "secrets" && reference.path.count > 1 {
                    let name = reference.path[1]
                    if let secret = secrets[name] {
                        secretValues[name] = .string(secret.withRevealedValue { $0 })
                        logger.masker.add(secret)
                    } else if let value = environment[name] {
                        secretValues[name] = .string(value)
                        logger.masker.add(Secret(value))
                    } else if !reference.isGuarded {
                        throw RunError(
                            code: .invalidInput, message: "secret '\(name)' is not set",
                            hint: "export \(name)=… in the environment, or put it in a file passed with --secrets",
                            context: ErrorContext(server: spec.name))
                    }
                }
            }
        }
        let context = EvaluationContext(
            variables: [
                "secrets": .object(secretValues), "env": .object(environment.mapValues { .string($0) }),
                "inputs": .object([:]), "steps": .object([:]),
            ],
            secretRoots: ["secrets"], now: { 0 })
        let server = try ServerResolver.resolve(
            spec, context: context, environment: environment, nonInteractive: nonInteractive, loginUI: loginUI)
        let pool = SessionPool(opener: opener, logger: logger)
        do {
            let tools = try await pool.tools(for: server)
            await pool.closeAll()
            return tools
        } catch {
            await pool.closeAll()
            throw RunError.wrap(error).adding(ErrorContext(server: spec.name))
        }
    }
}
