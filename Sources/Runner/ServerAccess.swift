import Basics
import Expressions
import MCPClient
import WorkflowModel

/// One-off access to a server outside a workflow run (`mcp-run tools`).
package enum ServerAccess {
    /// Lists `spec`'s tools, resolving its templates against secrets and the environment;
    /// `nonInteractive` (`--non-interactive`): no login may start; `loginUI`: where a login talks
    /// to the person (nil: nobody, so none starts); `listCache`: where a list still fresh from an
    /// earlier listing is found (nil: `--no-cache`).
    ///
    /// - Throws: `RunError` (`.invalidInput` for a missing secret, `.unreachable`, `.unauthorized`).
    package static func listTools(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], logger: Logger,
        nonInteractive: Bool = false, loginUI: (any LoginUI)? = nil, listCache: ListCache? = nil,
        opener: any SessionOpener = MCPSessionOpener()
    ) async throws -> [ToolDescription] {
        let server = try resolve(
            spec, secrets: secrets, environment: environment, logger: logger, nonInteractive: nonInteractive,
            loginUI: loginUI)
        let pool = SessionPool(opener: opener, logger: logger, listCache: listCache)
        do {
            let tools = try await pool.tools(for: server)
            await pool.closeAll()
            return tools
        } catch {
            await pool.closeAll()
            throw RunError.wrap(error).adding(ErrorContext(server: spec.name))
        }
    }

    /// Opens a session to `spec` (its templates resolved as `listTools` does), runs `body` with
    /// it, and closes it on every path (`resources` and `prompts`); its lists are kept in
    /// `listCache` (nil: never).
    ///
    /// - Throws: `RunError` with the server in its context, for a failure to resolve, open or in `body`.
    package static func withSession<Value: Sendable>(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], logger: Logger,
        nonInteractive: Bool = false, loginUI: (any LoginUI)? = nil, listCache: ListCache? = nil,
        _ body: (ServerSession) async throws -> Value
    ) async throws -> Value {
        var server = try resolve(
            spec, secrets: secrets, environment: environment, logger: logger, nonInteractive: nonInteractive,
            loginUI: loginUI)
        server.config.listCache = listCache
        let session: ServerSession
        do {
            session = try await ServerSession.open(server.config, logger: logger)
        } catch {
            throw RunError.wrap(error).adding(ErrorContext(server: spec.name))
        }
        do {
            let value = try await body(session)
            await session.close()
            return value
        } catch {
            await session.close()
            throw RunError.wrap(error).adding(ErrorContext(server: spec.name))
        }
    }

    /// `spec` with its templates evaluated against `secrets` and `environment`.
    static func resolve(
        _ spec: ServerSpec, secrets: [String: Secret], environment: [String: String], logger: Logger,
        nonInteractive: Bool, loginUI: (any LoginUI)?
    ) throws -> ResolvedServer {
        let scope = TemplateScope(secrets: secrets, environment: environment)
        let secretValues = try scope.secretValues(
            SecretScanner.references(in: spec.templates), masker: logger.masker,
            context: ErrorContext(server: spec.name))
        let context = scope.context(secrets: secretValues)
        return try ServerResolver.resolve(
            spec, context: context, environment: environment, nonInteractive: nonInteractive, loginUI: loginUI)
    }
}
