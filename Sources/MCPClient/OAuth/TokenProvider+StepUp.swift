import Basics
import HTTP

extension TokenProvider {
    /// RFC 6750 §3.1 step-up: a 403 `insufficient_scope` obtains one new token with the union of
    /// the granted and the challenged scopes (a person's login for an interactive grant, when one
    /// may be asked); the transport retries the request once with the new header.
    ///
    /// - Throws: `ClientError` `.unauthorized(403)` naming the scope when the token already had it
    ///   (stepping up again would loop) or a person would be needed and the run is non-interactive;
    ///   the grant's own errors.
    package func authorizationAfterForbidden(
        challenges: [String], rejected: HTTPHeader?, logger: Logger
    ) async throws -> HTTPHeader? {
        self.logger = logger
        if current == nil { current = settings.store.read(settings.identity) }
        let serverName = settings.serverName
        let granted = current?.grantedScopes ?? settings.scopes ?? []
        guard let (named, union) = try StepUp.plan(challenges, granted: granted, serverName: serverName) else {
            return nil
        }
        guard !grant.needsPerson || settings.mayAskPerson else {
            throw StepUp.needsLogin(named, serverName: serverName)
        }
        logger.trace(
            "[\(serverName)] oauth: insufficient_scope; re-authorizing once with '\(union.joined(separator: " "))'")
        let token = try await renew(rejected: rejected?.secretValue, force: true, stepUpScopes: union)
        current = token
        return token.authorizationHeader
    }
}
