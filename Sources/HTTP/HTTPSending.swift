/// What sends one HTTP request and returns its response head with the body streaming after: the
/// seam the MCP transports depend on.
///
/// `HTTPClient` (libcurl, one multi handle, one thread) is the real one. Tests hand the
/// transports an in-process one, so a transport's decisions (statuses, sessions, event streams)
/// are exercised without sockets or a server process.
package protocol HTTPSending: Sendable {
    /// Sends `request` and returns once the final status and headers are in; the body streams
    /// after, as `HTTPClient.send(_:)` does.
    ///
    /// A 4xx or 5xx status is returned, not thrown; redirects are not followed.
    /// - Throws: `HTTPError` (the transfer failed before the head arrived) or `CancellationError`.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
