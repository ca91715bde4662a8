import Basics
import Foundation
import HTTP

/// The RFC 8628 device authorization grant: one login, printed for a person and polled.
///
/// Asks the `device_authorization_endpoint` for a device code (client id, scopes, `resource`),
/// tells the person where to go (`verification_uri_complete`, else `verification_uri`, and the
/// `user_code`) through the `LoginUI`, then polls the token endpoint every `interval` seconds (default
/// 5): `authorization_pending` polls again, `slow_down` adds 5 seconds to the interval (§3.5),
/// `access_denied` and `expired_token` end the login, and so does the code's `expires_in` (at most
/// 30 minutes are ever waited). Reads nothing from stdin. The device code is a `Secret`; neither
/// it nor any token is logged. Runs in the caller's task; cancelling it ends the polling.
struct DeviceAuthorization: Sendable {
    var serverName: String
    var http: OAuthHTTP
    var logger: Logger
    /// Shows the person the instructions.
    var ui: any LoginUI
    /// Refuses a verification URI that is not https (or http on loopback).
    var policy: DiscoveredURLPolicy

    /// The RFC 8628 grant type.
    static let grantType = "urn:ietf:params:oauth:grant-type:device_code"
    /// The longest a login waits, whatever `expires_in` says.
    static let longestWait: Double = 1800

    /// Runs the grant and returns the token endpoint's successful answer (RFC 6749 §5.1).
    ///
    /// - Parameters:
    ///   - endpoint: `device_authorization_endpoint`.
    ///   - tokenEndpoint: `token_endpoint`.
    ///   - clientForm: the client's form fields (`client_id`, or id and secret for `client_secret_post`).
    ///   - clientHeaders: the client's headers (HTTP Basic for `client_secret_basic`).
    /// - Throws: `ClientError` `.unauthorized` for a refused request, `access_denied`, an expired
    ///   code; `.unreachable`; `CancellationError`.
    func run(
        endpoint: String, tokenEndpoint: String, scopes: [String], resource: String,
        clientForm: [(String, OAuthHTTP.FormValue)], clientHeaders: [HTTPHeader]
    ) async throws -> JSONValue {
        var form = clientForm
        if !scopes.isEmpty { form.append(("scope", .plain(scopes.joined(separator: " ")))) }
        form.append(("resource", .plain(resource)))
        let reply = try await http.post(endpoint, form: form, headers: clientHeaders)
        guard reply.status == 200, let json = reply.json, let code = json["device_code"]?.stringValue,
            let userCode = json["user_code"]?.stringValue, let verification = json["verification_uri"]?.stringValue
        else {
            throw failure(
                "the device authorization endpoint refused the request with HTTP \(reply.status)"
                    + OAuthHTTP.errorSummary(reply.json))
        }
        let deviceCode = Secret.credential(code)
        var shown = verification
        if let complete = json["verification_uri_complete"]?.stringValue, policy.refusal(of: complete) == nil {
            shown = complete
        }
        if let why = policy.refusal(of: shown) {
            throw failure("refusing the verification URI '\(Self.printable(shown))': \(why)")
        }
        var interval = max(1, Self.seconds(json["interval"]) ?? 5)
        let lifetime = min(Self.longestWait, max(1, Self.seconds(json["expires_in"]) ?? 600))
        let deadline = Date().timeIntervalSince1970 + lifetime
        ui.showDeviceCode(
            server: serverName, verificationURL: Self.printable(shown), userCode: Self.printable(userCode),
            expiresIn: Int(lifetime))
        var poll = [("grant_type", OAuthHTTP.FormValue.plain(Self.grantType)), ("device_code", .secret(deviceCode))]
        poll += clientForm
        // A server-driven loop with caps (issue #8): it ends by `deadline` (`expires_in`, at most
        // `longestWait`), and each wait is clamped to the time left, so neither a growing
        // `slow_down` interval nor a huge `interval` outlasts it; polls are at least 1 s apart.
        while true {
            let remaining = deadline - Date().timeIntervalSince1970
            guard remaining > 0 else { throw expired() }
            try await Task.sleep(for: .milliseconds(Int(min(interval, remaining) * 1000)))
            guard Date().timeIntervalSince1970 < deadline else { throw expired() }
            let answer = try await http.post(tokenEndpoint, form: poll, headers: clientHeaders)
            if answer.status == 200, let json = answer.json { return json }
            switch answer.json?["error"]?.stringValue {
            case "authorization_pending":
                logger.trace("[\(serverName)] oauth: device login pending; polling again in \(Int(interval)) s")
            case "slow_down":
                interval += 5
                logger.trace("[\(serverName)] oauth: slow_down; polling every \(Int(interval)) s")
            case "access_denied":
                throw failure(
                    "the device login was denied", hint: "run 'mcp-run auth login \(serverName)' again and approve it")
            case "expired_token":
                throw expired()
            default:
                throw failure(
                    "the token endpoint refused the device code with HTTP \(answer.status)"
                        + OAuthHTTP.errorSummary(answer.json))
            }
        }
    }

    private func expired() -> ClientError {
        failure(
            "the device code expired before the login was approved",
            hint: "run 'mcp-run auth login \(serverName)' again and approve it within the time shown")
    }

    private func failure(_ message: String, hint: String? = nil) -> ClientError {
        ClientError(code: .unauthorized(401), message: message, hint: hint, context: ErrorContext(server: serverName))
    }

    /// A number of seconds from a JSON number or numeric string.
    static func seconds(_ value: JSONValue?) -> Double? {
        value?.doubleValue ?? value?.stringValue.flatMap(Double.init)
    }

    /// `text` for a terminal: secrets masked, control characters escaped, at most 300 characters.
    static func printable(_ text: String) -> String {
        TerminalText.inline(SecretMasker().mask(text), limit: 300)
    }
}
