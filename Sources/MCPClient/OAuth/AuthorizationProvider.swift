import Basics
import HTTP

/// Supplies the `Authorization` header for an HTTP transport and renews it after a 401.
///
/// The transport asks `currentAuthorization(logger:)` before each request and, when the server answers
/// 401, calls `authorizationAfterUnauthorized(challenges:rejected:logger:)` once and retries the request
/// once with the header it returns (MCP 2025-11-25, Authorization). Implementations are actors
/// (or otherwise `Sendable`) and keep their tokens as `Secret`s.
package protocol AuthorizationProvider: Sendable {
    /// The header to send, or nil when no token is known yet (the request then goes without one,
    /// and the server's 401 challenge starts discovery).
    ///
    /// Refreshes a token that is about to expire. Suspends for the token endpoint when it does.
    /// - Parameter logger: the transport's logger, for `-v` traces of OAuth exchanges (never a token).
    /// - Throws: `ClientError` `.unauthorized` naming the server when a token cannot be obtained.
    func currentAuthorization(logger: Logger) async throws -> HTTPHeader?

    /// A new header after the server refused `rejected` (nil: nothing was sent) with a 401
    /// carrying `challenges` (the `WWW-Authenticate` values); `logger` as above.
    ///
    /// - Throws: `ClientError` `.unauthorized` when no new token can be obtained.
    func authorizationAfterUnauthorized(
        challenges: [String], rejected: HTTPHeader?, logger: Logger
    ) async throws
        -> HTTPHeader

    /// A new header after the server refused `rejected` with a 403 carrying `challenges`, when one
    /// is an RFC 6750 `insufficient_scope` challenge the provider can step up to (once per
    /// request; the transport never asks twice); nil when it cannot (the 403 then stands).
    /// A default in StepUp.swift returns nil.
    ///
    /// - Throws: `ClientError` `.unauthorized(403)` naming the scope when a step-up would need a
    ///   person and the run is non-interactive.
    func authorizationAfterForbidden(
        challenges: [String], rejected: HTTPHeader?, logger: Logger
    ) async throws
        -> HTTPHeader?
}
