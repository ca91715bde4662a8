import Basics
import Expressions
import Foundation
import HTTP
import MCPClient
import WorkflowModel

/// Turns a server definition into a connection config: templates evaluated, auth headers built.
enum ServerResolver {
    /// Resolves `spec` for connecting.
    ///
    /// `oauth2-client-credentials` and `oauth2` get a `TokenProvider` (`AuthSettings.tokenProvider`;
    /// token cache under `MCP_RUN_HOME`); an `oauth2` login starts only when the run is
    /// interactive (`AuthSettings.isInteractive`) and has a `loginUI`. Nothing is fetched here:
    /// tokens are read or requested on the first request.
    ///
    /// - Parameters:
    ///   - environment: the process environment (the token cache's folder, `CI`).
    ///   - nonInteractive: `--non-interactive`: no login may start.
    ///   - loginUI: where a login talks to the person; nil: nobody, so no login starts.
    ///   - redirectTarget: where a browser login's redirect lands (the gateway); with one and a
    ///     `loginUI`, a login may start whatever the terminal.
    ///
    /// - Throws: `RunError` with code `.unauthorized` for an incomplete `oauth:` block, `.expression` for a template that fails.
    static func resolve(
        _ spec: ServerSpec, context: EvaluationContext, environment: [String: String], nonInteractive: Bool,
        loginUI: (any LoginUI)?, redirectTarget: (any RedirectTarget)? = nil
    ) throws -> ResolvedServer {
        let where_ = ErrorContext(location: spec.location, server: spec.name)
        func text(_ value: TemplateValue?, _ key: String) throws -> Evaluated? {
            guard let value else { return nil }
            do {
                let evaluated = try value.evaluate(in: context)
                switch evaluated.value {
                case .string, .integer, .double, .bool:
                    return evaluated
                default:
                    throw RunError(
                        code: .expressionError,
                        message: "server '\(spec.name)' \(key) must be text, not \(evaluated.value.typeName)",
                        context: where_)
                }
            } catch let error as ExpressionError {
                throw error.adding(where_)
            }
        }
        func string(_ evaluated: Evaluated) -> String {
            if case .string(let s) = evaluated.value { return s }
            return evaluated.value.serialized()
        }
        var headers: [HTTPHeader] = []
        for name in spec.headers.keys.sorted() {
            guard let evaluated = try text(spec.headers[name], "header '\(name)'") else { continue }
            let value = string(evaluated)
            headers.append(
                HTTPHeader(name: name, value: evaluated.isSecret ? .secret(Secret.credential(value)) : .plain(value)))
        }
        switch spec.authType {
        case .none:
            break
        case .apiKey:
            if let key = try text(spec.apiKey, "apiKey") {
                headers.append(HTTPHeader(name: spec.apiKeyHeader, value: .secret(Secret.credential(string(key)))))
            }
        case .bearerToken:
            if let token = try text(spec.token, "token") {
                headers.append(
                    HTTPHeader(name: "Authorization", value: .secret(Secret.credential("Bearer " + string(token)))))
            }
        case .basic:
            if let user = try text(spec.username, "username"), let password = try text(spec.password, "password") {
                // The password, and the header value built from it (its base64 part too), are secrets.
                SecretRegistry.shared.register(Secret(string(password)))
                let encoded = Data((string(user) + ":" + string(password)).utf8).base64EncodedString()
                headers.append(HTTPHeader(name: "Authorization", value: .secret(Secret.credential("Basic " + encoded))))
            }
        case .oauth2, .oauth2ClientCredentials:
            break
        }
        var authorization: (any AuthorizationProvider)?
        if spec.authType == .oauth2 || spec.authType == .oauth2ClientCredentials {
            guard spec.transport != .stdio, let urlValue = try text(spec.url, "url") else {
                throw RunError(
                    code: .unauthorized, message: "authType '\(spec.authType.rawValue)' needs an HTTP server `url`",
                    context: where_)
            }
            let clientID = try text(spec.oauth?.clientID, "oauth.clientId").map(string)
            if spec.authType == .oauth2ClientCredentials, clientID == nil {
                throw RunError(
                    code: .unauthorized,
                    message: "server '\(spec.name)' uses 'oauth2-client-credentials' but has no `oauth.clientId`",
                    hint: "add `oauth: { clientId: …, clientSecret: ${{ secrets.NAME }} }` to the server block",
                    context: where_)
            }
            let secret = try text(spec.oauth?.clientSecret, "oauth.clientSecret").map { Secret.credential(string($0)) }
            // A login may start only on a terminal, and only when there is a person to talk to.
            // The gateway's redirect target stands for a person reached through the 401's URL.
            let mayAskPerson =
                loginUI != nil
                && (redirectTarget != nil
                    || AuthSettings.isInteractive(environment: environment, nonInteractive: nonInteractive))
            authorization = try AuthSettings.tokenProvider(
                spec, url: string(urlValue), clientID: clientID, clientSecret: secret, environment: environment,
                mayAskPerson: mayAskPerson, ui: loginUI ?? SilentLoginUI(), logger: .silent,
                redirectTarget: redirectTarget)
        }
        let timeout = Duration.milliseconds(spec.timeout ?? 60_000)
        let endpoint: ServerEndpoint
        if spec.transport == .stdio {
            var arguments: [String] = []
            for (index, arg) in spec.args.enumerated() {
                if let evaluated = try text(arg, "args[\(index)]") { arguments.append(string(evaluated)) }
            }
            var environment: [String: Secret] = [:]
            for name in spec.env.keys.sorted() {
                if let evaluated = try text(spec.env[name], "env '\(name)'") {
                    environment[name] =
                        evaluated.isSecret ? Secret.credential(string(evaluated)) : Secret(string(evaluated))
                }
            }
            // Paths from a file are taken from its folder (contract §2), then made absolute, so a
            // relative `command` is not read again from inside `cwd`.
            let command = spec.commandPath.map { $0.contains("/") ? Self.absolute($0) : $0 } ?? ""
            endpoint = .stdio(
                command: command, arguments: arguments, environment: environment,
                directory: spec.cwdPath.map(Self.absolute))
        } else {
            guard let url = try text(spec.url, "url") else {
                throw RunError(code: .unreachable, message: "server '\(spec.name)' has no url", context: where_)
            }
            let kind: HTTPTransportKind
            switch spec.transport {
            case .streamableHTTP: kind = .streamableHTTP
            case .httpSSE: kind = .legacySSE
            case .sse, .stdio: kind = .negotiate
            }
            endpoint = .http(url: string(url), transport: kind)
        }
        return ResolvedServer(
            name: spec.name,
            config: ServerConfig(
                name: spec.name, endpoint: endpoint, headers: headers, requestTimeout: timeout,
                authorization: authorization, protocolVersion: spec.protocolVersion))
    }

    /// `path` from the current directory when it is relative.
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileFolder.resolve(path, in: FileManager.default.currentDirectoryPath)
    }
}
