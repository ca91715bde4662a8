import Basics
import Foundation
import HTTPServer
import MCPClient
import Results
import Runner
import WorkflowModel

/// Answers the routes of contract §9; the `HTTPListener`'s handler.
///
/// Every `/api/v1/…` request is checked for the API key before anything else is done. Each
/// request is bounded by `GatewaySettings.requestLimit` (504 past it; the upstream call is
/// cancelled, which sends `notifications/cancelled`). Every error is a JSON `{"error",
/// "message"}` with its status; texts are masked.
package struct RequestRouter: Sendable {
    private let settings: GatewaySettings
    private let registry: ServerRegistry
    private let upstreams: Upstreams
    private let relay: LoginRelay
    private let masker: SecretMasker
    private let logger: Logger

    /// A router over `settings`, loading the registry file.
    /// - Throws: `GatewayError` when the registry file is unreadable.
    package init(settings: GatewaySettings, logger: Logger) throws {
        self.settings = settings
        masker = logger.masker
        masker.add(settings.apiKey)
        registry = try ServerRegistry(settings: settings, masker: logger.masker)
        relay = LoginRelay(publicURL: settings.publicURL)
        upstreams = Upstreams(settings: settings, logger: logger, relay: relay)
        self.logger = logger
    }

    /// Closes every upstream session (shutdown).
    package func closeSessions() async { await upstreams.closeAll() }

    /// The answer to `request`.
    package func respond(to request: ParsedRequest) async -> ServerResponse {
        logger.trace("-> \(request.method) \(request.path)")
        let limit = settings.requestLimit
        do {
            var response = try await withTimeout(limit) { try await route(request) }
            // A second line of defence, as in results documents: a server echoing a credential
            // it was sent (a header, a token) never shows it to the client.
            if !masker.isEmpty {
                let text = String(decoding: response.body, as: UTF8.self)
                let masked = masker.mask(text)
                if masked != text { response.body = Array(masked.utf8) }
            }
            return response
        } catch let error as GatewayError {
            return error.response(masker: masker)
        } catch is TimeoutError {
            return GatewayError(
                status: 504, code: "timeout", message: "the request was not answered within \(limit.humanReadable)"
            ).response(masker: masker)
        } catch {
            return Self.gatewayError(RunError.wrap(error)).response(masker: masker)
        }
    }

    private func route(_ request: ParsedRequest) async throws -> ServerResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            String($0).removingPercentEncoding ?? String($0)
        }
        if segments == ["healthz"] {
            try allow(request, ["GET", "HEAD"])
            return .json(200, ["status": "ok"])
        }
        if segments == ["oauth", "callback"] {
            try allow(request, ["GET"])
            return oauthCallback(request)
        }
        guard segments.count >= 2, segments[0] == "api", segments[1] == "v1" else {
            throw GatewayError(status: 404, code: "not_found", message: "no route for '\(request.path)'")
        }
        try checkAPIKey(request)
        let rest = Array(segments.dropFirst(2))
        switch rest.count {
        case 1 where rest[0] == "servers":
            try allow(request, ["GET", "POST"])
            if request.method == "GET" {
                return .json(200, ["servers": .array(await registry.all().map(ServerDisplay.json))])
            }
            let entry = try await registry.add(try Self.jsonBody(request))
            return .json(201, ServerDisplay.json(entry))
        case 2 where rest[0] == "servers":
            try allow(request, ["GET", "DELETE"])
            let name = rest[1]
            if request.method == "GET" {
                guard let entry = await registry.entry(name) else { throw ServerRegistry.unknown(name) }
                return .json(200, ServerDisplay.json(entry))
            }
            try await registry.remove(name)
            await upstreams.discard(name)
            return .json(200, ["deleted": .string(name)])
        case 3 where rest[0] == "mcp" && rest[2] == "tools":
            try allow(request, ["GET"])
            let spec = try await spec(rest[1])
            let (_, tools) = try await upstream(spec) { try await upstreams.sessionAndTools(for: spec) }
            return .json(200, ["tools": .array(tools.map(\.raw))])
        case 3 where rest[0] == "oauth" && rest[2] == "revoke":
            try allow(request, ["DELETE"])
            let spec = try await spec(rest[1])
            guard spec.authType == .oauth2 || spec.authType == .oauth2ClientCredentials else {
                throw GatewayError(
                    status: 400, code: "not_oauth", message: "server '\(spec.name)' does not use OAuth",
                    details: ["field": "server"])
            }
            await upstreams.discard(spec.name)
            let revoked = try await AuthAccess.revoke(
                spec, secrets: settings.secrets, environment: settings.environment, logger: logger)
            return .json(200, ["server": .string(spec.name), "revoked": .bool(revoked)])
        case 3 where rest[0] == "workflows" && rest[2] == "run":
            try allow(request, ["POST"])
            return try await runWorkflow(rest[1], request: request)
        case 4 where rest[0] == "mcp" && rest[2] == "tools":
            try allow(request, ["POST"])
            let spec = try await spec(rest[1])
            return try await upstream(spec) { try await callTool(rest[3], on: spec, request: request) }
        default:
            throw GatewayError(status: 404, code: "not_found", message: "no route for '\(request.path)'")
        }
    }

    private func callTool(_ name: String, on spec: ServerSpec, request: ParsedRequest) async throws -> ServerResponse {
        let arguments = request.body.isEmpty ? JSONValue.object([:]) : try Self.jsonBody(request)
        guard case .object = arguments else {
            throw GatewayError.invalid("body", "the body must be a JSON object: the tool's arguments")
        }
        let (session, tools) = try await upstreams.sessionAndTools(for: spec)
        guard let tool = tools.first(where: { $0.name == name }) else {
            throw GatewayError(
                status: 404, code: "unknown_tool", message: "server '\(spec.name)' has no tool '\(name)'",
                hint: nearestMatch(to: name, in: tools.map(\.name)).map { "did you mean '\($0)'?" }
                    ?? "GET /api/v1/mcp/\(spec.name)/tools lists them")
        }
        if let mismatch = SchemaCheck.firstMismatch(arguments, schema: tool.inputSchema) {
            let path = mismatch.instancePath.isEmpty ? "/" : mismatch.instancePath
            throw GatewayError(
                status: 400, code: "schema_mismatch",
                message: "the arguments do not match the input schema of '\(name)' at '\(path)': \(mismatch.message)",
                details: ["path": .string(path)])
        }
        do {
            // A result with isError is returned, not thrown: 200 with the result as the server sent it.
            let result = try await session.callTool(
                name, arguments: arguments, timeout: nil, progressToken: nil, acceptsTasks: true)
            return .json(200, result)
        } catch {
            let wrapped = RunError.wrap(error).adding(ErrorContext(server: spec.name))
            await upstreams.callFailed(spec, wrapped)
            if wrapped.code == .unauthorized, spec.authType == .oauth2 {
                // The tokens are gone for good: open the server anew, which starts the login and
                // answers 401 with its URL (or, if another request logged in meanwhile, returns).
                _ = try await upstreams.sessionAndTools(for: spec)
            }
            throw wrapped
        }
    }

    /// Runs `body`, which talks to `spec`'s server, answering an engine failure for that server.
    private func upstream<R>(_ spec: ServerSpec, _ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as GatewayError {
            throw error
        } catch {
            let isOAuth = spec.authType == .oauth2 || spec.authType == .oauth2ClientCredentials
            throw Self.gatewayError(RunError.wrap(error), isOAuth: isOAuth)
        }
    }

    /// Runs `DIR/NAME.yaml` with the body's `inputs`: 200 with the results document, whatever
    /// the run's `status`. The run opens sessions of its own and closes them when it ends.
    private func runWorkflow(_ name: String, request: ParsedRequest) async throws -> ServerResponse {
        guard let folder = settings.workflowsDirectory else {
            throw GatewayError(
                status: 404, code: "unknown_workflow", message: "this gateway serves no workflows",
                hint: "start it with --workflows DIR")
        }
        guard ServerRegistry.isValidName(name) else {
            throw GatewayError(status: 404, code: "unknown_workflow", message: "no workflow '\(name)'")
        }
        let file = folder + "/" + name + ".yaml"
        guard let data = FileManager.default.contents(atPath: file) else {
            throw GatewayError(
                status: 404, code: "unknown_workflow", message: "no workflow '\(name)' (no file '\(name).yaml')")
        }
        var inputs: [String: InputValue] = [:]
        if !request.body.isEmpty {
            guard case .object(var members) = try Self.jsonBody(request) else {
                throw GatewayError.invalid("body", "the body must be a JSON object: {\"inputs\": {...}}")
            }
            let given = members.removeValue(forKey: "inputs") ?? .object([:])
            if let unknown = members.keys.sorted().first {
                throw GatewayError.invalid(unknown, "unknown member '\(unknown)'; the body takes only `inputs`")
            }
            guard case .object(let values) = given else {
                throw GatewayError.invalid("inputs", "`inputs` must be a JSON object")
            }
            inputs = values.mapValues { InputValue.json($0) }
        }
        let workflow: Workflow
        do {
            let servers = await registry.all().reduce(into: [String: ServerSpec]()) { $0[$1.name] = $1.spec }
            workflow = try WorkflowLoader.load(
                text: String(decoding: data, as: UTF8.self), file: file, extraServers: servers)
        } catch {
            let first = error.problems.first
            throw GatewayError(
                status: 500, code: "invalid_workflow",
                message: "workflow '\(name)' is invalid: \(first.map { "\($0)" } ?? "unknown problem")",
                hint: "run 'mcp-run validate' on it")
        }
        var options = RunOptions(
            inputs: inputs, secrets: settings.secrets, environment: settings.environment,
            runID: UUID().uuidString.lowercased(), logger: logger)
        options.isNonInteractive = true
        options.resolvesOutputPath = false
        let report = await WorkflowRunner(workflow: workflow, options: options).run()
        return ServerResponse(
            status: 200, headers: [HTTPField(name: "Content-Type", value: "application/json")],
            body: ResultsWriter.encode(report.document, masker: report.masker))
    }

    /// `GET /oauth/callback?code&state`: hands the redirect to the login waiting for its state,
    /// once; anything else is 400. A short HTML page either way (a person's browser shows it).
    private func oauthCallback(_ request: ParsedRequest) -> ServerResponse {
        let items = URLComponents(string: "/?" + (request.query ?? ""))?.queryItems ?? []
        let delivered = relay.complete(items)
        let text =
            delivered
            ? "The login is complete. You can close this tab and retry the request."
            : "This is not the redirect of a login the gateway is waiting for (state missing, wrong or already used)."
        let page = "<!doctype html><title>mcp-run gateway</title><p>\(text)</p>\n"
        return ServerResponse(
            status: delivered ? 200 : 400,
            headers: [
                HTTPField(name: "Content-Type", value: "text/html; charset=utf-8"),
                HTTPField(name: "Cache-Control", value: "no-store"),
            ], body: Array(page.utf8))
    }

    private func spec(_ name: String) async throws(GatewayError) -> ServerSpec {
        guard let entry = await registry.entry(name) else { throw ServerRegistry.unknown(name) }
        return entry.spec
    }

    private func allow(_ request: ParsedRequest, _ methods: [String]) throws(GatewayError) {
        guard methods.contains(request.method) else {
            throw GatewayError(
                status: 405, code: "method_not_allowed",
                message: "'\(request.path)' takes \(methods.joined(separator: " or ")), not \(request.method)")
        }
    }

    /// Compares the key in time independent of where it differs.
    private func checkAPIKey(_ request: ParsedRequest) throws(GatewayError) {
        let given = Array((request.header("x-api-key") ?? "").utf8)
        let matches = settings.apiKey.withRevealedValue { key -> Bool in
            let expected = Array(key.utf8)
            var difference = given.count ^ expected.count
            for index in 0..<expected.count {
                difference |= Int(expected[index] ^ (index < given.count ? given[index] : 0))
            }
            return difference == 0
        }
        guard matches else {
            throw GatewayError(
                status: 401, code: "unauthorized",
                message: request.header("x-api-key") == nil ? "the request has no X-API-Key" : "the X-API-Key is wrong",
                hint: "send the key the gateway was started with (MCP_RUN_API_KEY) in the X-API-Key header")
        }
    }

    private static func jsonBody(_ request: ParsedRequest) throws(GatewayError) -> JSONValue {
        do {
            return try JSONValue.parse(request.body)
        } catch {
            throw GatewayError.invalid("body", "the body is not JSON: \(error)")
        }
    }

    /// The status for a failure from the engine.
    /// A server that refuses the gateway's own credentials (`isOAuth` false: a key, a token) is
    /// the gateway's misconfiguration, 502 `upstream_unauthorized`; 401 is kept for the client's
    /// key and for OAuth logins a person can complete.
    static func gatewayError(_ error: RunError, isOAuth: Bool = true) -> GatewayError {
        let status: Int
        let code: String
        switch error.code {
        case .unauthorized where !isOAuth:
            (status, code) = (502, "upstream_unauthorized")
        case .unauthorized:
            (status, code) = (401, "authorization_required")
        case .invalidInput, .invalidArguments, .schemaMismatch, .expressionError:
            (status, code) = (400, error.code.rawValue)
        case .unknownTool:
            (status, code) = (404, error.code.rawValue)
        case .timeout:
            (status, code) = (504, "timeout")
        case .unreachable, .protocolError, .rpcError:
            (status, code) = (502, error.code.rawValue)
        case .cancelled:
            (status, code) = (503, "cancelled")
        default:
            (status, code) = (500, error.code.rawValue)
        }
        var details: [String: JSONValue] = [:]
        if let server = error.context.server { details["server"] = .string(server) }
        if let rpc = error.rpcError { details["rpcCode"] = .integer(rpc.code) }
        return GatewayError(
            status: status, code: code, message: error.message, hint: error.hint, details: details,
            context: error.context, underlying: error)
    }
}
