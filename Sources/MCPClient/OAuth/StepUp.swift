import Basics
import HTTP

extension AuthorizationProvider {
    /// No step-up: the 403 stands.
    package func authorizationAfterForbidden(
        challenges: [String], rejected: HTTPHeader?, logger: Logger
    ) async throws -> HTTPHeader? {
        nil
    }
}

extension AuthChallenge {
    /// The scopes an RFC 6750 §3.1 `insufficient_scope` Bearer challenge in `challenges` asks
    /// for; nil when there is no such challenge (an empty list when it names none).
    package static func insufficientScopes(_ challenges: [String]) -> [String]? {
        guard
            let challenge = parse(challenges).first(where: {
                $0.isBearer && $0.parameters["error"] == "insufficient_scope"
            })
        else { return nil }
        return (challenge.parameters["scope"] ?? "").split(separator: " ").map(String.init)
    }

    /// The error for a final 401 or 403 with `challenges`, when they say more than the status:
    /// a server configured without auth (`hasCredentials` false) that answers 401 with a Bearer
    /// challenge wants OAuth (contract §2, `authType: none`); a 403 `insufficient_scope` names the
    /// scope. Nil otherwise (the plain auth error stands). Exit 3 either way.
    package static func authorizationError(
        status: Int, challenges: [String], hasCredentials: Bool, serverName: String
    ) -> ClientError? {
        let context = ErrorContext(server: serverName)
        if status == 403, let scopes = insufficientScopes(challenges) {
            let named = scopes.isEmpty ? "a scope it did not name" : "scope '\(scopes.joined(separator: " "))'"
            return ClientError(
                code: .unauthorized(403),
                message: "the server requires \(named) (insufficient_scope), which the token does not carry",
                hint: scopes.isEmpty
                    ? "check the server's documentation for the scopes its tools need"
                    : "add \(scopes.map { "'\($0)'" }.joined(separator: ", ")) to `oauth.scopes`, then run 'mcp-run auth login \(serverName)'",
                context: context)
        }
        guard status == 401, !hasCredentials, let bearer = parse(challenges).first(where: \.isBearer) else {
            return nil
        }
        var message = "the server requires OAuth: it answered 401 with a Bearer challenge"
        if bearer.parameters["resource_metadata"] != nil { message += " pointing at its OAuth metadata" }
        message += ", and server '\(serverName)' is not configured for OAuth"
        return ClientError(
            code: .unauthorized(401), message: message,
            hint:
                "set `authType: oauth2` (a person logs in: run 'mcp-run auth login \(serverName)') or `authType: oauth2-client-credentials` with `oauth.clientId`/`clientSecret` (CI and cron); see docs/auth.md",
            context: context)
    }
}

/// What a step-up asks for (RFC 6750 §3.1; contract §7, Step-up), shared by the providers.
enum StepUp {
    /// The challenged scopes as one text, and the union of `granted` and them; nil when
    /// `challenges` hold no `insufficient_scope` challenge naming a scope (the 403 stands).
    /// - Throws: `ClientError` `.unauthorized(403)` when the token already has every challenged
    ///   scope: stepping up again would loop.
    static func plan(
        _ challenges: [String], granted: [String], serverName: String
    ) throws(ClientError) -> (named: String, union: [String])? {
        guard let wanted = AuthChallenge.insufficientScopes(challenges), !wanted.isEmpty else { return nil }
        let named = wanted.joined(separator: " ")
        guard !Set(wanted).isSubset(of: granted) else {
            throw refused(
                "the server still answers insufficient_scope for scope '\(named)', which the token has",
                serverName: serverName)
        }
        var union = granted
        for scope in wanted where !union.contains(scope) { union.append(scope) }
        return (named, union)
    }

    /// The error when a run may not start the new login a step-up needs.
    static func needsLogin(_ named: String, serverName: String) -> ClientError {
        refused(
            "the server requires scope '\(named)' (insufficient_scope) and adding it needs a new login, which this non-interactive run cannot start",
            serverName: serverName)
    }

    static func refused(_ message: String, serverName: String) -> ClientError {
        ClientError(
            code: .unauthorized(403), message: message,
            hint:
                "add the scope to `oauth.scopes`, then run 'mcp-run auth login \(serverName)' on a machine with a browser",
            context: ErrorContext(server: serverName))
    }
}

extension ClientCredentialsProvider {
    /// RFC 6750 §3.1 step-up: a 403 `insufficient_scope` re-authorizes once with the union of the
    /// granted and the challenged scopes (client credentials, and the device flow when a person
    /// may be asked); the transport retries the request once with the new header.
    ///
    /// - Throws: `ClientError` `.unauthorized(403)` naming the scope when the token already had it
    ///   (stepping up again would loop) or a person would be needed and the run is non-interactive.
    package func authorizationAfterForbidden(
        challenges: [String], rejected: HTTPHeader?, logger: Logger
    ) async throws -> HTTPHeader? {
        self.logger = logger
        if current == nil { current = config.store.read(config.identity) }
        let granted = current?.grantedScopes ?? config.scopes ?? []
        guard let (named, union) = try StepUp.plan(challenges, granted: granted, serverName: config.serverName) else {
            return nil
        }
        guard config.grant == .clientCredentials || config.interactive else {
            throw StepUp.needsLogin(named, serverName: config.serverName)
        }
        logger.trace(
            "[\(config.serverName)] oauth: insufficient_scope; re-authorizing once with '\(union.joined(separator: " "))'"
        )
        var rejectedSecret: Secret?
        if let rejected, case .secret(let secret) = rejected.value { rejectedSecret = secret }
        let token = try await renew(rejected: rejectedSecret, force: true, stepUpScopes: union)
        current = token
        return token.authorizationHeader
    }
}

extension BrowserFlowProvider {
    /// RFC 6750 §3.1 step-up for a browser login: a 403 `insufficient_scope` starts one new
    /// login with the union of the granted and the challenged scopes, when a person may be asked;
    /// the transport retries the request once with the new header.
    ///
    /// - Throws: `ClientError` `.unauthorized(403)` naming the scope when the token already had it
    ///   (stepping up again would loop) or the run is non-interactive; the login's own errors.
    package func authorizationAfterForbidden(
        challenges: [String], rejected: HTTPHeader?, logger: Logger
    ) async throws -> HTTPHeader? {
        self.logger = logger
        if current == nil { current = cachedToken() }
        let granted = current?.grantedScopes ?? scopes ?? []
        guard let (named, union) = try StepUp.plan(challenges, granted: granted, serverName: serverName) else {
            return nil
        }
        guard mayLogIn else { throw StepUp.needsLogin(named, serverName: serverName) }
        logger.trace(
            "[\(serverName)] oauth: insufficient_scope; logging in once with '\(union.joined(separator: " "))'")
        var rejectedSecret: Secret?
        if let rejected, case .secret(let secret) = rejected.value { rejectedSecret = secret }
        let token = try await stepUp(to: union, rejected: rejectedSecret)
        current = token
        return token.authorizationHeader
    }
}
