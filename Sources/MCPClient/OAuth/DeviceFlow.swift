import Basics
import Foundation
import HTTP

/// Which OAuth grant an `oauth2` server block uses (contract §2, `oauth.flow`).
package enum OAuthGrantKind: String, Sendable {
    /// `authType: oauth2-client-credentials`.
    case clientCredentials = "client_credentials"
    /// `oauth.flow: device`: RFC 8628.
    case device
    /// `oauth.flow: browser`: authorization code + PKCE.
    case browser
    /// `oauth.flow: auto`: the device grant when the metadata advertises
    /// `device_authorization_endpoint`, else the browser.
    case auto
}

/// The RFC 8628 device authorization grant: one login, printed for a person and polled.
///
/// Asks the `device_authorization_endpoint` for a device code (client id, scopes, `resource`),
/// tells the person where to go (`verification_uri_complete`, else `verification_uri`, and the
/// `user_code`) through `notice`, then polls the token endpoint every `interval` seconds (default
/// 5): `authorization_pending` polls again, `slow_down` adds 5 seconds to the interval (§3.5),
/// `access_denied` and `expired_token` end the login, and so does the code's `expires_in` (at most
/// 30 minutes are ever waited). Reads nothing from stdin. The device code is a `Secret`; neither
/// it nor any token is logged. Runs in the caller's task; cancelling it ends the polling.
struct DeviceAuthorization: Sendable {
    var serverName: String
    var http: OAuthHTTP
    var logger: Logger
    /// Prints the instructions for the person (stderr).
    var notice: @Sendable (String) -> Void
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
                    + ClientCredentialsProvider.oauthError(reply.json))
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
        notice(
            "To log in to '\(serverName)', open \(Self.printable(shown)) and enter the code \(Self.printable(userCode)) "
                + "(it expires in \(Int(lifetime)) s; waiting for approval)")
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
                        + ClientCredentialsProvider.oauthError(answer.json))
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

    /// `text` without control characters (it goes to a terminal), at most 300 characters.
    static func printable(_ text: String) -> String {
        String(
            SecretMasker().mask(text).unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(300)
                .map(Character.init))
    }
}

extension ClientCredentialsProvider {
    /// A token from the grant a person approves (`authType: oauth2`): the device flow (RFC 8628)
    /// for `flow: device`, or `auto` when the metadata advertises it. Never started when the run
    /// is non-interactive.
    func interactiveToken(discovery: OAuthDiscoveryResult, scopes: [String]) async throws -> StoredToken {
        guard config.interactive else {
            throw ClientError.loginNeeded(server: config.serverName, refreshRefused: false)
        }
        let metadata = discovery.metadata
        if config.grant == .auto,
            metadata.deviceAuthorizationEndpoint == nil
                || config.clientIsMetadataDocument && !metadata.clientIDMetadataDocumentSupported
        {
            // No device endpoint, or a metadata-document client the server cannot resolve: the
            // browser login can still log in (it falls back to dynamic registration).
            throw DeviceFlowUnavailable(serverName: config.serverName)
        }
        if config.clientIsMetadataDocument, !metadata.clientIDMetadataDocumentSupported {
            throw ClientError(
                code: .unauthorized(401),
                message:
                    "`oauth.flow: device` with `oauth.clientMetadataUrl`, but the authorization server does not advertise client_id_metadata_document_supported",
                hint:
                    "set `oauth.clientId` to a client registered with the server, or use `oauth.flow: browser`, which falls back to dynamic registration",
                context: ErrorContext(server: config.serverName))
        }
        guard config.grant != .browser, let endpoint = metadata.deviceAuthorizationEndpoint else {
            throw ClientError(
                code: .unauthorized(401),
                message:
                    "`oauth.flow: device`, but the authorization server advertises no device_authorization_endpoint",
                hint: "use `oauth.flow: browser` (or `auto`) for the browser login",
                context: ErrorContext(server: config.serverName))
        }
        let http = OAuthHTTP(serverName: config.serverName, client: client, logger: logger)
        if config.registersDynamically {
            // A new login registers anew, as the browser login does (BrowserFlowProvider.renewToken).
            guard let registration = metadata.registrationEndpoint else {
                throw ClientError(
                    code: .unauthorized(401),
                    message: "the server does not offer dynamic client registration and no `oauth.clientId` is set",
                    hint: "register a client for the device grant with the server and set `oauth.clientId`",
                    context: ErrorContext(server: config.serverName))
            }
            registered = try await ClientRegistration.register(
                at: registration, for: .device, scopes: scopes, http: http)
            logger.trace("[\(config.serverName)] oauth: registered a client dynamically (RFC 7591)")
        }
        var clientForm: [(String, OAuthHTTP.FormValue)] = []
        let clientHeaders = clientAuthentication(&clientForm)
        let flow = DeviceAuthorization(
            serverName: config.serverName, http: http, logger: logger, notice: config.notice,
            policy: DiscoveredURLPolicy(serverURL: config.serverURL))
        // The person's approval does not count against the request that needed it.
        let json = try await RequestDeadline.excluding {
            try await flow.run(
                endpoint: endpoint, tokenEndpoint: metadata.tokenEndpoint, scopes: scopes, resource: discovery.resource,
                clientForm: clientForm, clientHeaders: clientHeaders)
        }
        var template = StoredToken(
            identity: config.identity, grant: "device_code", accessToken: Secret(""), refreshToken: nil,
            expiresAt: nil, issuedAt: 0, grantedScopes: scopes, tokenEndpoint: metadata.tokenEndpoint,
            revocationEndpoint: metadata.revocationEndpoint, issuer: metadata.issuer, resource: discovery.resource)
        if let registered { template.record(registration: registered) }
        let token = try parseToken(json, requestedScopes: scopes, template: template)
        logger.trace("[\(config.serverName)] oauth: obtained an access token (device_code)")
        return token
    }
}

/// Writes one line to stderr: the device flow's instructions, shown even without `-v`.
package let standardErrorNotice: @Sendable (String) -> Void = { line in
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
