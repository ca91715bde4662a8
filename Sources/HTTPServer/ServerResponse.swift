import Basics

/// An answer to one request. `Content-Length` and `Connection` are added by the listener.
package struct ServerResponse: Sendable {
    /// The status code.
    package var status: Int
    /// Header fields besides `Content-Length` and `Connection`.
    package var headers: [HTTPField]
    /// The body.
    package var body: [UInt8]

    /// Creates a response.
    package init(status: Int, headers: [HTTPField] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response: `value` serialized, `Content-Type: application/json`.
    package static func json(_ status: Int, _ value: JSONValue) -> ServerResponse {
        ServerResponse(
            status: status, headers: [HTTPField(name: "Content-Type", value: "application/json")],
            body: Array((value.serialized() + "\n").utf8))
    }

    /// The JSON error body of contract §9: `{"error": code, "message": message}`.
    package static func error(_ status: Int, _ code: String, _ message: String) -> ServerResponse {
        json(status, ["error": .string(code), "message": .string(message)])
    }

    /// The reason phrase of `status` (RFC 9110 §15), "Unknown" for codes this server never sends.
    package static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Unknown"
        }
    }

    /// The bytes on the wire: status line, headers (`Content-Length`, `Connection` added), body
    /// (omitted for `HEAD`).
    func serialized(keepAlive: Bool, omitBody: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for field in headers {
            // Values are the server's own; a CR or LF would split the response.
            let value = field.value.filter { $0 != "\r" && $0 != "\n" }
            head += "\(field.name): \(value)\r\n"
        }
        head += "Content-Length: \(body.count)\r\n"
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        return Array(head.utf8) + (omitBody ? [] : body)
    }
}
