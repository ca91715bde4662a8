/// A response whose status and headers are in and whose body is still streaming.
package struct HTTPResponse: Sendable {
    /// The final status code (informational `1xx` responses are skipped).
    package var status: Int
    /// The header fields of the final response.
    package var headers: HTTPHeaders
    /// The body, as chunks as they arrive. Dropping every copy of it aborts the transfer.
    package var body: HTTPBody

    /// Creates a response.
    package init(status: Int, headers: HTTPHeaders, body: HTTPBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
