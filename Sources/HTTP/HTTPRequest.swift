/// One HTTP request to send with `HTTPClient.send(_:)`.
///
/// Any method works: `GET` and `POST` map to curl's own modes, everything else is sent as a custom
/// method (with the body, if any). Redirects are never followed, and only `http` and `https` URLs
/// are accepted.
package struct HTTPRequest: Sendable {
    /// The method, such as `GET`, `POST` or `DELETE`.
    package var method: String
    /// The absolute `http` or `https` URL.
    package var url: String
    /// The header fields, in order. curl's default `Expect: 100-continue` is never sent.
    package var headers: [HTTPHeader]
    /// The body, sent with a `Content-Length`; `nil` sends none.
    package var body: [UInt8]?
    /// The limit for the whole exchange, until the last body byte arrived; `nil` for streams.
    package var timeout: Duration?
    /// The limit for establishing the connection (TCP and TLS).
    package var connectTimeout: Duration

    /// Creates a request.
    package init(
        method: String, url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil, timeout: Duration? = nil,
        connectTimeout: Duration = .seconds(30)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }
}
