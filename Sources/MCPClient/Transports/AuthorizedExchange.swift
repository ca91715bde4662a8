import Basics
import HTTP

/// One request's OAuth around its HTTP exchange (contract §7), the part of `HTTPExchange` that
/// talks to the `AuthorizationProvider`, and the only code in the transports that does: the
/// provider's current token is sent; a 401 renews it once and the request is sent once more; a
/// 403 `insufficient_scope` steps up once (when the provider can) and the request is sent once
/// more. Without a provider the request is sent as it is.
struct AuthorizedExchange: Sendable {
    let authorization: (any AuthorizationProvider)?
    let logger: Logger

    /// Sends `request` through `exchange` as above.
    /// - Returns: the last response (a 401 or 403 that stands is returned for the caller to
    ///   report) and the request as it was last sent (its headers carry the token).
    /// - Throws: the provider's `ClientError`s (a login refused or not possible), `exchange`'s.
    func send(
        _ request: HTTPRequest, exchange: (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> (HTTPResponse, HTTPRequest) {
        var request = request
        guard let authorization else { return (try await exchange(request), request) }
        var sent = try await authorize(&request)
        var response = try await exchange(request)
        if response.status == 401 {
            let challenges = response.headers.values(for: MCPHeader.wwwAuthenticate)
            _ = try? await response.body.collect(limit: 64 << 10)
            let renewed = try await authorization.authorizationAfterUnauthorized(
                challenges: challenges, rejected: sent, logger: logger)
            Self.replaceAuthorization(in: &request, with: renewed)
            sent = renewed
            response = try await exchange(request)
        }
        // At most one step-up per request, so a server that always answers 403 ends the run.
        if response.status == 403 {
            let challenges = response.headers.values(for: MCPHeader.wwwAuthenticate)
            if AuthChallenge.insufficientScopes(challenges) != nil {
                _ = try? await response.body.collect(limit: 64 << 10)
                if let stepped = try await authorization.authorizationAfterForbidden(
                    challenges: challenges, rejected: sent, logger: logger)
                {
                    Self.replaceAuthorization(in: &request, with: stepped)
                    response = try await exchange(request)
                }
            }
        }
        return (response, request)
    }

    /// Adds the provider's current token to `request` (also for a request that is not retried
    /// after a 401: a GET stream, a resumption, the closing DELETE); nothing without a provider or
    /// a token.
    /// - Returns: the header added, if any.
    /// - Throws: the provider's `ClientError`s.
    @discardableResult
    func authorize(_ request: inout HTTPRequest) async throws -> HTTPHeader? {
        guard let authorization, let header = try await authorization.currentAuthorization(logger: logger) else {
            return nil
        }
        request.headers.append(header)
        return header
    }

    private static func replaceAuthorization(in request: inout HTTPRequest, with header: HTTPHeader) {
        request.headers.removeAll { $0.name.lowercased() == MCPHeader.authorization.lowercased() }
        request.headers.append(header)
    }
}
