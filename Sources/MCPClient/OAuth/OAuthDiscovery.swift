import Basics
import Foundation
import HTTP

/// An authorization server's metadata (RFC 8414 §2, or OpenID Connect Discovery 1.0 §3), with
/// every endpoint already checked by `DiscoveredURLPolicy`.
package struct AuthorizationServerMetadata: Sendable, Equatable {
    /// `issuer`, checked against the URL the metadata was fetched for.
    package var issuer: String
    /// `token_endpoint`.
    package var tokenEndpoint: String
    /// `authorization_endpoint`, if any.
    package var authorizationEndpoint: String?
    /// `revocation_endpoint` (RFC 7009), if any.
    package var revocationEndpoint: String?
    /// `registration_endpoint` (RFC 7591), if any.
    package var registrationEndpoint: String?
    /// `scopes_supported`.
    package var scopesSupported: [String]?
    /// `code_challenge_methods_supported`.
    package var codeChallengeMethods: [String]
    /// `device_authorization_endpoint` (RFC 8628 §4), if any.
    package var deviceAuthorizationEndpoint: String? = nil
    /// `client_id_metadata_document_supported` (MCP 2025-11-25, Client Registration): a client
    /// may use the HTTPS URL of its client ID metadata document as its `client_id`.
    package var clientIDMetadataDocumentSupported = false
    /// `token_endpoint_auth_methods_supported`; nil when the metadata does not say (RFC 8414 §2:
    /// then `client_secret_basic` is the default).
    package var tokenEndpointAuthMethods: [String]? = nil
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3): the authorization
    /// response must then carry `iss` (MCP 2026-07-28, Authorization), and one without it is
    /// refused.
    package var issParameterSupported = false
    /// Whether `issuer` is only assumed (the MCP 2025-03-26 default endpoints, with no metadata at
    /// all): no document named it, so an `iss` on a redirect has nothing to be compared with
    /// (RFC 9207 §2.4 compares it with the issuer of the metadata the client received).
    package var isIssuerAssumed = false
}

/// What discovery found for one server.
package struct OAuthDiscoveryResult: Sendable, Equatable {
    /// The RFC 8707 resource to ask for.
    package var resource: String
    /// The authorization server.
    package var metadata: AuthorizationServerMetadata
    /// The protected resource's `scopes_supported` (RFC 9728), if it published metadata.
    package var resourceScopes: [String]?
    /// The protected resource's `authorization_servers` (RFC 9728 §2), in its order; nil when
    /// no protected-resource metadata named any (the MCP 2025-03-26 fallback, `oauth.metadataUrl`):
    /// then nothing says which authorization server the resource trusts now.
    package var authorizationServers: [String]? = nil
}

/// Authorization discovery for an MCP server (MCP 2025-11-25 and 2025-06-18, Authorization;
/// RFC 9728, RFC 8414; the MCP 2025-03-26 fallback).
///
/// Order: the challenge's `resource_metadata`, else the path-aware then the root
/// `/.well-known/oauth-protected-resource`; its `resource` must be the server's URL (or a parent
/// of it on the same origin); its first `authorization_servers` entry (or the preferred one, when
/// the list names it: RFC 9728 §7.6 leaves the choice to the client); then that issuer's RFC 8414
/// and OpenID metadata, path-aware variants first. Without protected-resource metadata, the
/// server's origin serves the root metadata (its issuer may be on another origin), else the
/// origin's `/authorize`, `/token`, `/register`.
/// `metadataURL` skips all of it. Every discovered URL passes `DiscoveredURLPolicy`; none ever
/// receives a bearer token. Runs in the caller's task; each GET is bounded.
package struct OAuthDiscovery: Sendable {
    /// The MCP endpoint.
    package var serverURL: String
    /// For errors.
    package var serverName: String
    let http: OAuthHTTP
    let policy: DiscoveredURLPolicy

    /// Discovery for the server at `serverURL`.
    package init(serverURL: String, serverName: String, logger: Logger, client: HTTPClient = .shared) {
        self.serverURL = serverURL
        self.serverName = serverName
        http = OAuthHTTP(serverName: serverName, client: client, logger: logger)
        policy = DiscoveredURLPolicy(serverURL: serverURL)
    }

    /// Finds the authorization server and the resource to ask for.
    ///
    /// - Parameters:
    ///   - challenge: the 401's Bearer challenge, if one arrived.
    ///   - metadataURL: `oauth.metadataUrl`: fetched directly, skipping discovery.
    ///   - configuredResource: `oauth.resource`, which wins over the metadata's.
    ///   - preferredIssuer: the issuer of the cached login: used when the protected-resource
    ///     metadata lists it, so a login stays with the authorization server that issued it while
    ///     the resource still trusts that server (MCP 2026-07-28, Authorization Server Binding).
    /// - Throws: `ClientError` `.unauthorized(401)` for refused or missing metadata,
    ///   `.unreachable` when a metadata server cannot be reached.
    package func discover(
        challenge: AuthChallenge?, metadataURL: String?, configuredResource: String?, preferredIssuer: String? = nil
    ) async throws(ClientError) -> OAuthDiscoveryResult {
        let defaultResource = configuredResource ?? Self.withoutFragment(serverURL)
        if let metadataURL {
            let metadata = try await fetchMetadata(at: [metadataURL], issuer: nil)
            guard let metadata else {
                throw failure("the authorization-server metadata at '\(metadataURL)' could not be read")
            }
            return OAuthDiscoveryResult(resource: defaultResource, metadata: metadata, resourceScopes: nil)
        }
        var candidates: [String] = []
        if let pointed = challenge?.parameters["resource_metadata"] {
            if let why = policy.refusal(of: pointed) {
                throw failure("refusing the resource_metadata URL '\(pointed)': \(why)")
            }
            candidates.append(pointed)
        } else {
            candidates = wellKnownURLs(suffix: "oauth-protected-resource", issuerStyle: false)
        }
        var protected: JSONValue?
        for candidate in candidates {
            let reply = try await http.get(candidate)
            if reply.status == 200, let json = reply.json, json.objectValue != nil {
                protected = json
                break
            }
        }
        guard let protected else {
            // MCP 2025-03-26: no protected-resource metadata; the server's origin serves the
            // metadata, whose issuer may live on another origin (Atlassian's does, CONTRACT §7).
            let origin = Self.origin(of: serverURL) ?? serverURL
            if let metadata = try await fetchMetadata(
                at: [origin + "/.well-known/oauth-authorization-server"], issuer: nil)
            {
                return OAuthDiscoveryResult(resource: defaultResource, metadata: metadata, resourceScopes: nil)
            }
            // MCP 2025-03-26 (Authorization §2.3.3) names these default endpoints for a server without
            // metadata, and (§2.1.1) requires PKCE of every client and server: S256 is implied, not
            // advertised, so the S256 check of a login passes for them.
            let metadata = AuthorizationServerMetadata(
                issuer: origin, tokenEndpoint: origin + "/token", authorizationEndpoint: origin + "/authorize",
                revocationEndpoint: nil, registrationEndpoint: origin + "/register", scopesSupported: nil,
                codeChallengeMethods: ["S256"], isIssuerAssumed: true)
            return OAuthDiscoveryResult(resource: defaultResource, metadata: metadata, resourceScopes: nil)
        }
        guard let resource = protected["resource"]?.stringValue else {
            throw failure("the protected-resource metadata has no 'resource'")
        }
        guard Self.resource(resource, covers: serverURL) else {
            throw failure(
                "the protected-resource metadata names resource '\(resource)', not this server's '\(serverURL)'",
                hint: "the metadata belongs to another server; check the server's `url`")
        }
        let listed = protected["authorization_servers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard let first = listed.first else {
            throw failure("the protected-resource metadata lists no authorization_servers")
        }
        let issuer = preferredIssuer.flatMap { preferred in listed.first { Self.sameURL($0, preferred) } } ?? first
        if let why = policy.refusal(of: issuer) {
            throw failure("refusing the authorization server '\(issuer)': \(why)")
        }
        guard
            let metadata = try await fetchMetadata(
                at: Self.metadataURLs(issuer: issuer), issuer: issuer)
        else {
            throw failure("no authorization-server metadata found for '\(issuer)'")
        }
        let scopes = protected["scopes_supported"]?.arrayValue?.compactMap(\.stringValue)
        return OAuthDiscoveryResult(
            resource: configuredResource ?? resource, metadata: metadata, resourceScopes: scopes,
            authorizationServers: listed)
    }

    /// RFC 8414 §3.1 and OpenID Connect Discovery, in MCP 2025-11-25's order.
    package static func metadataURLs(issuer: String) -> [String] {
        guard let origin = origin(of: issuer), let components = URLComponents(string: issuer) else { return [] }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        if path.isEmpty {
            return [
                origin + "/.well-known/oauth-authorization-server", origin + "/.well-known/openid-configuration",
            ]
        }
        return [
            origin + "/.well-known/oauth-authorization-server" + path,
            origin + "/.well-known/openid-configuration" + path,
            origin + path + "/.well-known/openid-configuration",
        ]
    }

    /// `/.well-known/<suffix>` for the server URL: path-aware first, then at the root (RFC 9728 §3.1).
    private func wellKnownURLs(suffix: String, issuerStyle: Bool) -> [String] {
        guard let origin = Self.origin(of: serverURL), let components = URLComponents(string: serverURL) else {
            return []
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        let root = origin + "/.well-known/" + suffix
        return path.isEmpty ? [root] : [root + path, root]
    }

    /// The first candidate answering 200 with JSON; nil when every one answers 4xx. With an
    /// `issuer` (named by protected-resource metadata) the document must claim it; without one
    /// (the 2025-03-26 fallback, `oauth.metadataUrl`) any issuer is accepted, on any origin, and
    /// shown under `-v` (CONTRACT §7).
    private func fetchMetadata(
        at urls: [String], issuer: String?
    ) async throws(ClientError)
        -> AuthorizationServerMetadata?
    {
        for url in urls {
            let reply = try await http.get(url)
            guard reply.status == 200, let json = reply.json, json.objectValue != nil else { continue }
            guard let claimed = json["issuer"]?.stringValue else {
                throw failure("the authorization-server metadata at '\(url)' has no 'issuer'")
            }
            if let issuer {
                guard Self.sameURL(claimed, issuer) else {
                    throw failure(
                        "the authorization-server metadata at '\(url)' claims issuer '\(claimed)', not '\(issuer)'",
                        hint: "the metadata does not belong to the authorization server it was fetched for")
                }
            } else {
                http.logger.trace("[\(serverName)] oauth: authorization server '\(claimed)' (metadata at '\(url)')")
            }
            guard let token = json["token_endpoint"]?.stringValue else {
                throw failure("the authorization-server metadata at '\(url)' has no token_endpoint")
            }
            var metadata = AuthorizationServerMetadata(
                issuer: claimed, tokenEndpoint: token,
                authorizationEndpoint: json["authorization_endpoint"]?.stringValue,
                revocationEndpoint: json["revocation_endpoint"]?.stringValue,
                registrationEndpoint: json["registration_endpoint"]?.stringValue,
                scopesSupported: json["scopes_supported"]?.arrayValue?.compactMap(\.stringValue),
                codeChallengeMethods: json["code_challenge_methods_supported"]?.arrayValue?.compactMap(\.stringValue)
                    ?? [], deviceAuthorizationEndpoint: json["device_authorization_endpoint"]?.stringValue)
            metadata.clientIDMetadataDocumentSupported =
                json["client_id_metadata_document_supported"]?.boolValue ?? false
            metadata.tokenEndpointAuthMethods =
                json["token_endpoint_auth_methods_supported"]?.arrayValue?.compactMap(\.stringValue)
            metadata.issParameterSupported =
                json["authorization_response_iss_parameter_supported"]?.boolValue ?? false
            for (name, endpoint) in [
                ("token_endpoint", metadata.tokenEndpoint), ("revocation_endpoint", metadata.revocationEndpoint),
                ("registration_endpoint", metadata.registrationEndpoint),
                ("device_authorization_endpoint", metadata.deviceAuthorizationEndpoint),
            ] {
                guard let endpoint, let why = policy.refusal(of: endpoint) else { continue }
                if name == "token_endpoint" { throw failure("refusing the \(name) '\(endpoint)': \(why)") }
                if name == "revocation_endpoint" { metadata.revocationEndpoint = nil }
                if name == "registration_endpoint" { metadata.registrationEndpoint = nil }
                if name == "device_authorization_endpoint" { metadata.deviceAuthorizationEndpoint = nil }
            }
            return metadata
        }
        return nil
    }

    private func failure(_ message: String, hint: String? = nil) -> ClientError {
        ClientError(
            code: .unauthorized(401), message: message,
            hint: hint ?? "the server's OAuth metadata is unusable; set `oauth.metadataUrl` if you know the right one",
            context: ErrorContext(server: serverName))
    }

    // MARK: - URL helpers

    /// `scheme://host[:port]`, lower-cased, without a default port.
    package static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        if let port = components.port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) {
            return "\(scheme)://\(hostPart):\(port)"
        }
        return "\(scheme)://\(hostPart)"
    }

    /// Whether two URLs are the same once scheme and host case, a default port and an empty
    /// path's `/` are normalised (RFC 3986 §6.2.3).
    package static func sameURL(_ a: String, _ b: String) -> Bool {
        normalized(a) == normalized(b)
    }

    private static func normalized(_ url: String) -> String? {
        guard let origin = origin(of: url), let components = URLComponents(string: url) else { return nil }
        let path = components.path == "/" ? "" : components.path
        return origin + path + (components.query.map { "?" + $0 } ?? "")
    }

    /// Whether a protected resource's `resource` is the server's URL, or a parent path of it on
    /// the same origin (RFC 9728 §3.3; MCP servers often publish their origin as the resource).
    package static func resource(_ resource: String, covers serverURL: String) -> Bool {
        guard let a = normalized(withoutFragment(resource)), let b = normalized(withoutFragment(serverURL)) else {
            return false
        }
        if a == b { return true }
        let parent = a.hasSuffix("/") ? a : a + "/"
        return origin(of: resource) == origin(of: serverURL) && b.hasPrefix(parent)
    }

    static func withoutFragment(_ url: String) -> String {
        url.firstIndex(of: "#").map { String(url[..<$0]) } ?? url
    }
}
