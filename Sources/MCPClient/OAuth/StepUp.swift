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
    /// a server configured without auth (`hasCredentials` false) that answers 401 with an OAuth
    /// Bearer challenge wants OAuth (contract §2, `authType: none`); a 403 `insufficient_scope` names the
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
        // An OAuth challenge points at its metadata (MCP 2025-06-18) or says so in its realm
        // (Atlassian's `realm="OAuth"`, MCP 2025-03-26); a plain RFC 6750 Bearer challenge is a
        // token server's, and the plain auth error (with its bearer-token/api-key/basic hint) stands.
        guard status == 401, !hasCredentials,
            let bearer = parse(challenges).first(where: {
                $0.isBearer
                    && ($0.parameters["resource_metadata"] != nil
                        || $0.parameters["realm"]?.lowercased().contains("oauth") == true)
            })
        else {
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

/// What a step-up asks for (RFC 6750 §3.1; contract §7, Step-up): `TokenProvider+StepUp.swift`.
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
