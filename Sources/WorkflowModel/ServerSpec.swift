import Basics

/// One server definition in the `MCP_SERVERS` schema (contract §2), from a workflow's `servers:`,
/// a `--servers` file or the `MCP_SERVERS` variable.
package struct ServerSpec: Sendable {
    /// How to reach the server.
    package enum Transport: String, Sendable, CaseIterable {
        /// Negotiate: Streamable HTTP first, legacy HTTP+SSE on 400/404/405.
        case sse
        /// MCP Streamable HTTP only.
        case streamableHTTP = "streamable-http"
        /// Legacy HTTP+SSE (2024-11-05) only.
        case httpSSE = "http-sse"
        /// A local process.
        case stdio
    }

    /// How the runner authenticates to the server.
    package enum AuthType: String, Sendable, CaseIterable {
        case none
        case apiKey = "api-key"
        case bearerToken = "bearer-token"
        case basic
        case oauth2
        case oauth2ClientCredentials = "oauth2-client-credentials"
    }

    /// The `oauth:` block (contract §2; docs/auth.md), its keys and enumerated values checked at load time.
    package struct OAuth: Sendable {
        /// `oauth.flow`: which login a person does for `authType: oauth2`.
        package enum Flow: String, Sendable, CaseIterable {
            /// The device grant when the authorization server advertises it, else the browser login.
            case auto
            /// Authorization code with PKCE through a browser.
            case browser
            /// The device authorization grant (RFC 8628).
            case device
        }

        /// `oauth.tokenEndpointAuthMethod`: how the client authenticates at the token endpoint
        /// (RFC 6749 §2.3.1, RFC 7591 §2).
        package enum TokenEndpointAuthMethod: String, Sendable, CaseIterable {
            /// HTTP Basic with the client id and secret.
            case clientSecretBasic = "client_secret_basic"
            /// The client id and secret in the form body.
            case clientSecretPost = "client_secret_post"
            /// The client id only (a public client).
            case none
        }

        package var clientID: TemplateValue?
        package var clientSecret: TemplateValue?
        package var clientMetadataURL: String?
        package var resource: String?
        package var scopes: [String]?
        package var metadataURL: String?
        /// `oauth.flow`; `auto` when absent.
        package var flow: Flow = .auto
        /// `oauth.tokenEndpointAuthMethod`; nil when absent (`client_secret_basic` with a secret, else `none`).
        package var tokenEndpointAuthMethod: TokenEndpointAuthMethod?
        package var redirectPort: Int?
    }

    /// Where a definition came from, for precedence and messages.
    package enum Origin: Sendable, Hashable {
        case workflow, serversFile, environment
    }

    package var name: String
    package var url: TemplateValue?
    package var transport: Transport
    package var command: String?
    package var args: [TemplateValue]
    package var env: [String: TemplateValue]
    package var cwd: String?
    package var headers: [String: TemplateValue]
    package var authType: AuthType
    package var apiKey: TemplateValue?
    package var apiKeyHeader: String
    package var token: TemplateValue?
    package var username: TemplateValue?
    package var password: TemplateValue?
    package var oauth: OAuth?
    /// Per-request timeout in milliseconds.
    package var timeout: Int?
    /// The pinned protocol version (contract §8); nil to negotiate.
    package var protocolVersion: String? = nil
    package var location: SourceLocation?
    package var origin: Origin
    /// The folder of the file that defined the server: a relative `command` with a `/` and a
    /// relative `cwd` are taken from it (contract §2, Paths); nil: the current directory.
    package var folder: String? = nil

    /// `command` as the process is started: a path with a `/` taken from `folder`; a bare name
    /// stays a name looked up on `PATH`.
    package var commandPath: String? {
        guard let command, command.contains("/") else { return command }
        return FileFolder.resolve(command, in: folder)
    }

    /// `cwd` taken from `folder`.
    package var cwdPath: String? { cwd.map { FileFolder.resolve($0, in: folder) } }

    /// The roots a server definition's templates may read (docs/workflow-format.md): they are
    /// evaluated once, when a step first uses the server, so step results, `item` and `index` are
    /// not among them. `validate` and the runner both use this list.
    package static let templateRoots = ["inputs", "env", "secrets", "workflow"]

    /// Every template of the definition, with its key for messages, in a stable order.
    package var templates: [(key: String, template: TemplateString)] {
        var found: [(String, TemplateValue?)] = [("url", url)]
        found += args.enumerated().map { ("args[\($0.offset)]", $0.element) }
        found += env.keys.sorted().map { ("env '\($0)'", env[$0]) }
        found += headers.keys.sorted().map { ("header '\($0)'", headers[$0]) }
        found += [
            ("apiKey", apiKey), ("token", token), ("username", username), ("password", password),
            ("oauth.clientId", oauth?.clientID), ("oauth.clientSecret", oauth?.clientSecret),
        ]
        return found.flatMap { key, value in (value?.templates ?? []).map { (key, $0) } }
    }

    /// A stdio server given on the command line (`mcp-run tools --stdio 'python server.py'`):
    /// its arguments are passed as written, never templated; a relative `command` is taken from
    /// the current directory.
    package static func adHoc(command: String, arguments: [String], name: String) -> ServerSpec {
        ServerSpec(
            name: name, url: nil, transport: .stdio, command: command,
            args: arguments.map { .literal(.string($0)) }, env: [:], cwd: nil, headers: [:], authType: .none,
            apiKey: nil, apiKeyHeader: "X-API-Key", token: nil, username: nil, password: nil, oauth: nil,
            timeout: nil, location: nil, origin: .environment)
    }

    /// The versions `protocolVersion` may pin: the modern one, then the legacy ones, newest first
    /// (the same list as MCPClient's `ServerSession.knownProtocolVersions`).
    package static let protocolVersions = ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    /// The one version legacy HTTP+SSE carries.
    package static let legacySSEProtocolVersion = "2024-11-05"

    /// A server reached by URL with nothing else configured (`mcp-run tools https://…`).
    package static func adHoc(url: String) -> ServerSpec {
        ServerSpec(
            name: url, url: .literal(.string(url)), transport: .sse, command: nil, args: [], env: [:], cwd: nil,
            headers: [:], authType: .none, apiKey: nil, apiKeyHeader: "X-API-Key", token: nil, username: nil,
            password: nil, oauth: nil, timeout: nil, location: nil, origin: .environment)
    }
}
