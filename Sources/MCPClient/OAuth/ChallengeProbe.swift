import Basics
import HTTP

/// Asks an MCP server, without credentials, the way a run does, and returns the Bearer challenge
/// of the first 401 (contract §7: every login starts by asking the server).
///
/// `mcp-run auth login` calls it so that a login uses the challenge's `resource_metadata` and
/// `scope` exactly as a run does (MCP 2025-11-25, Authorization: Protected Resource Metadata
/// Discovery and Scope Selection Strategy): a login and a run of the same server then discover
/// the same authorization server and ask for the same scopes. It opens a real session over the
/// server's transport and lists its tools, which is what a run does before its first step, with
/// an authorization provider that sends no credential and stops at the first 401. Servers differ
/// in which request they refuse (some refuse `initialize`, some let the handshake through and
/// refuse `tools/list`); both are covered. Any other outcome (no 401, no Bearer challenge, a
/// network error) is nil, and discovery then goes on without a challenge. The session is closed
/// (DELETE) before returning. Each request is bounded by `timeout`.
package enum ChallengeProbe {
    /// The first 401's Bearer challenge for `server` (an HTTP endpoint), or nil.
    ///
    /// - Parameters:
    ///   - server: the server as a run reaches it, with its configured `headers:` and no
    ///     `authorization` (any given is replaced: the probe sends no credential).
    package static func bearerChallenge(
        _ server: ServerConfig, logger: Logger, timeout: Duration = .seconds(30)
    ) async -> AuthChallenge? {
        guard case .http(let url, _) = server.endpoint else { return nil }
        logger.trace("[\(server.name)] oauth: asking \(url) without credentials first, as a run does")
        let recorder = ChallengeRecorder()
        var probe = server
        probe.authorization = recorder
        probe.requestTimeout = timeout
        if let session = try? await ServerSession.open(probe, logger: logger) {
            _ = try? await session.listTools()
            await session.close()
        }
        let challenge = await recorder.challenge
        logger.trace(
            "[\(server.name)] oauth: "
                + (challenge.map {
                    "the server's 401 carried a Bearer challenge (\($0.parameters.keys.sorted().joined(separator: ", ")))"
                }
                    ?? "no Bearer challenge came back"))
        return challenge
    }
}

/// The probe's authorization provider: sends nothing, keeps the first 401's Bearer challenge, and
/// ends the exchange there (it never supplies a header).
private actor ChallengeRecorder: AuthorizationProvider {
    var challenge: AuthChallenge?

    func currentAuthorization(logger: Logger) async throws -> HTTPHeader? { nil }

    func authorizationAfterUnauthorized(
        challenges: [String], rejected: HTTPHeader?, logger: Logger
    ) async throws -> HTTPHeader {
        if challenge == nil { challenge = AuthChallenge.parse(challenges).first(where: \.isBearer) }
        throw ClientError(code: .unauthorized(401), message: "the server asked for authorization")
    }

    func authorizationAfterForbidden(
        challenges: [String], rejected: HTTPHeader?, logger: Logger
    ) async throws -> HTTPHeader? { nil }
}
