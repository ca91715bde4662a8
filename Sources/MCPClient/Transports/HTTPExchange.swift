import Basics
import HTTP

/// One HTTP exchange of an MCP transport, shared by the Streamable HTTP and legacy HTTP+SSE
/// transports: the retries of `HTTPRetryPolicy` (`RetryingExchange`), then OAuth
/// (`AuthorizedExchange`), then, for a final status the caller does not accept, the one
/// `ClientError` that reports it (with the first 200 bytes of the body).
///
/// A value: it holds what every exchange of one transport needs and nothing that changes.
/// Everything runs in the calling task.
struct HTTPExchange: Sendable {
    /// The client that sends (libcurl's `HTTPClient`, or an in-process one in tests).
    let client: any HTTPSending
    /// When to retry an exchange the server did not process.
    let policy: HTTPRetryPolicy
    /// OAuth: the token to send, renewed after a 401 and stepped up after a 403; nil without.
    let authorization: (any AuthorizationProvider)?
    /// The server's name, for errors and traces.
    let serverName: String
    /// Traces retries, redirects and OAuth at `-v`.
    let logger: Logger

    /// The OAuth part of the exchange, the only code that asks `authorization` for a header.
    var authorized: AuthorizedExchange { AuthorizedExchange(authorization: authorization, logger: logger) }

    /// Sends `request` with the provider's token (if any), retried as `HTTPRetryPolicy` says,
    /// renewed once after a 401 and stepped up once after a 403 `insufficient_scope`.
    ///
    /// `label` names the message in traces and errors.
    /// - Returns: the last response, whatever its status (the caller decides which it accepts
    ///   and reports the others with `statusError`), and the request as it was last sent.
    /// - Throws: `ClientError` (`.unreachable`, `.closed`, `.timedOut`, `.protocolViolation` from
    ///   the transfer or the retries, `.unauthorized` from the provider); `CancellationError`.
    func send(_ request: HTTPRequest, label: String) async throws -> (response: HTTPResponse, sent: HTTPRequest) {
        try await authorized.send(request) { try await sendRetrying($0, label: label) }
    }

    /// Sends `request` as it is, with the retries and redirects of `RetryingExchange` but no
    /// OAuth; a transfer's `HTTPError` becomes the `ClientError` of `clientError(_:server:)`.
    /// - Throws: as `send(_:label:)`, without the provider's errors.
    func sendRetrying(_ request: HTTPRequest, label: String) async throws -> HTTPResponse {
        do {
            return try await RetryingExchange(policy: policy, client: client, serverName: serverName, logger: logger)
                .send(request, label: label)
        } catch let error as HTTPError {
            throw Self.clientError(error, server: serverName)
        }
    }

    /// Whether `request` carried credentials: an OAuth provider stands behind it, or the
    /// config's headers hold an `Authorization` field. A 401 with a Bearer challenge to a request
    /// without credentials means the server wants OAuth (contract §2, `authType: none`).
    func hasCredentials(_ request: HTTPRequest) -> Bool {
        authorization != nil
            || request.headers.contains { $0.name.lowercased() == MCPHeader.authorization.lowercased() }
    }

    /// What to do about a 401 without an OAuth challenge to a request that carried no credentials
    /// (contract §2: an auth error, not an OAuth probe).
    static let credentialsHint =
        "give the server its credentials, or check them: `authType: bearer-token` (with `token`), `api-key` (`apiKey`) or `basic` (`username`, `password`), each from `${{ secrets.NAME }}`; one-shot commands take --bearer-env NAME, --api-key-env NAME or --basic-env USER:PASSWORD (environment variable names)"

    /// The error for a final status the caller does not accept.
    ///
    /// 401 and 403 are `.unauthorized(status)` (exit 3, never a fallback), with the specific
    /// error `AuthChallenge.authorizationError` finds in the challenges when there is one. Any
    /// other status is `.protocolViolation` carrying `httpStatus`, with the message and hint
    /// `describe` makes (given the note for a 3xx that was not followed) and the body's first 200
    /// bytes after a colon. Reads the body, unless the caller read it already (`snippet`).
    /// - Parameters:
    ///   - sent: the request as it was last sent (`send(_:label:)`'s `sent`).
    ///   - snippet: the body's `HTTPResponse.snippet()` when the caller has read it.
    ///   - describe: the message (without the body) and the hint for a status other than 401/403.
    func statusError(
        _ response: HTTPResponse, sent: HTTPRequest, snippet: String? = nil,
        describe: (_ redirect: (note: String, hint: String)?) -> (message: String, hint: String)
    ) async -> ClientError {
        let status = response.status
        if status == 401 || status == 403 {
            return AuthChallenge.authorizationError(
                status: status, challenges: response.headers.values(for: MCPHeader.wwwAuthenticate),
                hasCredentials: hasCredentials(sent), serverName: serverName)
                ?? ClientError(
                    code: .unauthorized(status), message: "the server refused the request with HTTP \(status)",
                    hint: status != 401
                        ? "the credentials lack permission for this server or tool"
                        : hasCredentials(sent)
                            ? "check the server's credentials (`authType` and its secret); an expired token needs a new login"
                            : Self.credentialsHint,
                    context: ErrorContext(server: serverName))
        }
        var body = snippet ?? ""
        if snippet == nil { body = await response.snippet() }
        let (message, hint) = describe(RetryingExchange.redirectNote(response, from: sent.url))
        var error = ClientError(
            code: .protocolViolation, message: message + (body.isEmpty ? "" : ": \(body)"), hint: hint,
            context: ErrorContext(server: serverName))
        error.httpStatus = status
        return error
    }

    /// A transfer's `HTTPError` as the transport's `ClientError`, keeping it as `underlying`:
    /// a dropped connection is `.closed`, a timeout `.timedOut`, a body too large or malformed
    /// `.protocolViolation`, anything else (no connection, TLS, a bad URL) `.unreachable`.
    static func clientError(_ error: HTTPError, server: String) -> ClientError {
        let code: ClientError.Code
        let hint: String?
        switch error.code {
        case .connectionClosed:
            code = .closed
            hint = "the server dropped the connection; check its logs"
        case .timedOut:
            code = .timedOut
            hint = "check that the server's `url` is reachable from here"
        case .bodyTooLarge:
            code = .protocolViolation
            hint = nil
        case .badResponse:
            code = .protocolViolation
            hint = error.hint
        default:
            code = .unreachable
            hint = error.hint ?? "check the server's `url` and your network"
        }
        return ClientError(
            code: code, message: error.message, hint: hint, context: ErrorContext(server: server), underlying: error)
    }
}
