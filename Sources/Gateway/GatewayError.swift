import Basics
import HTTPServer

/// A request the gateway refuses or cannot complete, with the status and JSON error it answers.
package struct GatewayError: UserFacingError {
    /// The HTTP status to answer.
    package var status: Int
    /// The `error` member of the JSON body: a stable, snake_case word.
    package var code: String
    package var message: String
    package var hint: String?
    package var context: ErrorContext
    package var underlying: (any Error)?
    /// Extra members of the JSON body (`field`, `path`, `authorizationUrl`).
    package var details: [String: JSONValue]

    /// Creates the error.
    package init(
        status: Int, code: String, message: String, hint: String? = nil, details: [String: JSONValue] = [:],
        context: ErrorContext = ErrorContext(), underlying: (any Error)? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint
        self.details = details
        self.context = context
        self.underlying = underlying
    }

    /// 400 for a body member: `field` names it.
    static func invalid(_ field: String, _ message: String, hint: String? = nil) -> GatewayError {
        GatewayError(
            status: 400, code: "invalid_request", message: message, hint: hint, details: ["field": .string(field)])
    }

    /// The JSON answer `{"error", "message", "hint"?, …details}`, every text masked by `masker`.
    func response(masker: SecretMasker) -> ServerResponse {
        var body: [String: JSONValue] = ["error": .string(code), "message": .string(masker.mask(message))]
        if let hint { body["hint"] = .string(masker.mask(hint)) }
        for (key, value) in details { body[key] = value }
        return .json(status, .object(body))
    }
}
