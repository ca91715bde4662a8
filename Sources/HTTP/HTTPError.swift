import Basics

/// A request that could not be completed: no connection, a timeout, a TLS failure, a dropped
/// connection, a bad URL or a body over its limit.
///
/// An HTTP status of 4xx or 5xx is not an error at this layer: it is returned in `HTTPResponse`.
/// `context.server` names the URL's origin (`https://host:port`), never its path or query, and no
/// header value ever appears in `message`.
package struct HTTPError: UserFacingError {
    /// What went wrong, for code to switch on.
    package enum Code: Sendable, Hashable {
        /// The URL is malformed or not `http`/`https`.
        case invalidURL
        /// The host could not be resolved or refused the connection (proxy included).
        case couldNotConnect
        /// The connect timeout or the request's `timeout` passed.
        case timedOut
        /// The TLS handshake or certificate verification failed.
        case tls
        /// The connection closed or broke before the response was complete.
        case connectionClosed
        /// `HTTPBody.collect(limit:)` saw more bytes than its limit.
        case bodyTooLarge
        /// The server answered, but not with a usable HTTP response: not HTTP at all (another
        /// service on the port, TLS spoken to `http://`), a malformed status line, headers larger
        /// than curl accepts, or a body in an encoding curl cannot decode.
        case badResponse
        /// Any other failure, with curl's error number (43, a bad argument, for a header that cannot be sent).
        case transfer(Int)
    }

    /// What went wrong, for code to switch on.
    package var code: Code
    /// For people: lower-case start, no trailing period.
    package var message: String
    /// What the user can do next, when we know.
    package var hint: String?
    /// The origin of the URL in `server`.
    package var context: ErrorContext
    /// The cause from below, if any (curl's are described by `code` and `message`).
    package var underlying: (any Error)?

    /// Creates an error.
    package init(
        code: Code, message: String, hint: String? = nil, context: ErrorContext = ErrorContext(),
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.context = context
        self.underlying = underlying
    }
}
