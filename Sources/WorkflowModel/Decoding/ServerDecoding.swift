import Basics
import YAML

/// The keys of a server definition, as contract §2 spells them.
enum ServerKeys {
    static let all = [
        "url", "transport", "command", "args", "env", "cwd", "headers", "authType", "apiKey", "apiKeyHeader",
        "token", "username", "password", "oauth", "timeout", "protocolVersion",
    ]
    static let oauth = [
        "clientId", "clientSecret", "clientMetadataUrl", "resource", "scopes", "metadataUrl", "flow",
        "tokenEndpointAuthMethod", "redirectPort",
    ]
}

extension ServerSpec {
    /// Decodes one server definition named `name`.
    ///
    /// - Parameter otherClient: the entry is from another client's config file (`ClientConfig`),
    ///   so `type` may stand for `transport`.
    static func decode(
        name: String, node: YAMLNode, origin: Origin, otherClient: Bool = false, problems: inout ProblemCollector
    ) -> ServerSpec? {
        let what = "server '\(name)'"
        let known = otherClient ? ServerKeys.all + ["type"] : ServerKeys.all
        guard let fields = Fields(node, what: what, known: known, problems: &problems) else { return nil }
        var spec = ServerSpec(
            name: name, url: nil, transport: .sse, command: nil, args: [], env: [:], cwd: nil, headers: [:],
            authType: .none, apiKey: nil, apiKeyHeader: "X-API-Key", token: nil, username: nil, password: nil,
            oauth: nil, timeout: nil, location: node.location, origin: origin)
        let before = problems.problems.count
        spec.url = Read.requiredTemplate(fields["url"], "\(what) url", &problems)
        if let transport: Transport = Read.oneOf(fields["transport"], "\(what) transport", &problems) {
            spec.transport = transport
        }
        spec.command = Read.untemplated(fields["command"], "\(what) command", &problems, required: true)
        if let type = fields["type"],
            let transport = ClientConfig.transport(
                type: type, transport: fields["transport"], what: what, problems: &problems)
        {
            spec.transport = transport
        }
        // A `command` and no `url` or `transport` is a local process (contract §2), as other clients read it.
        if fields["transport"] == nil, fields["type"] == nil, fields["url"] == nil, fields["command"] != nil {
            spec.transport = .stdio
        }
        if let args = fields["args"] {
            if let elements = args.sequenceElements {
                spec.args = elements.map { Read.template($0, &problems) }
            } else {
                problems.add(
                    .wrongType("args"), "\(what) args must be a list, not a \(args.kindName)", at: args.location)
            }
        }
        spec.env = templateMap(fields["env"], "\(what) env", &problems)
        checkEnvironment(fields["env"], what: "\(what) env", problems: &problems)
        spec.headers = templateMap(fields["headers"], "\(what) headers", &problems)
        checkHeaders(fields["headers"], what: "\(what) headers", problems: &problems)
        spec.cwd = Read.untemplated(fields["cwd"], "\(what) cwd", &problems)
        if let authType: AuthType = Read.oneOf(fields["authType"], "\(what) authType", &problems) {
            spec.authType = authType
        }
        spec.apiKey = fields["apiKey"].map { Read.template($0, &problems) }
        spec.apiKeyHeader = Read.untemplated(fields["apiKeyHeader"], "\(what) apiKeyHeader", &problems) ?? "X-API-Key"
        if let node = fields["apiKeyHeader"], let problem = HeaderRules.nameProblem(spec.apiKeyHeader) {
            problems.add(
                .invalidValue("apiKeyHeader"), "\(what) apiKeyHeader '\(printable(spec.apiKeyHeader))' \(problem)",
                at: node.location, hint: HeaderRules.nameHint)
        }
        spec.token = fields["token"].map { Read.template($0, &problems) }
        spec.username = fields["username"].map { Read.template($0, &problems) }
        spec.password = fields["password"].map { Read.template($0, &problems) }
        spec.timeout = Read.integer(fields["timeout"], "\(what) timeout", &problems, range: Limits.timeout, unit: " ms")
        spec.protocolVersion = readProtocolVersion(
            fields["protocolVersion"], what: what, transport: spec.transport, problems: &problems)
        if let oauthNode = fields["oauth"],
            let oauth = Fields(oauthNode, what: "\(what) oauth", known: ServerKeys.oauth, problems: &problems)
        {
            spec.oauth = OAuth(
                clientID: oauth["clientId"].map { Read.template($0, &problems) },
                clientSecret: oauth["clientSecret"].map { Read.template($0, &problems) },
                clientMetadataURL: Read.string(oauth["clientMetadataUrl"], "oauth clientMetadataUrl", &problems),
                resource: Read.string(oauth["resource"], "oauth resource", &problems),
                scopes: Read.stringList(oauth["scopes"], "oauth scopes", &problems),
                metadataURL: Read.string(oauth["metadataUrl"], "oauth metadataUrl", &problems),
                flow: Read.oneOf(oauth["flow"], "oauth flow", &problems) ?? .auto,
                tokenEndpointAuthMethod: Read.oneOf(
                    oauth["tokenEndpointAuthMethod"], "oauth tokenEndpointAuthMethod", &problems),
                redirectPort: Read.integer(oauth["redirectPort"], "oauth redirectPort", &problems, range: Limits.port))
            if let node = oauth["clientMetadataUrl"], let url = spec.oauth?.clientMetadataURL,
                let problem = ClientMetadataURLCheck.problem(url)
            {
                problems.add(
                    .invalidValue("clientMetadataUrl"), "\(what) oauth clientMetadataUrl '\(url)' \(problem)",
                    at: node.location,
                    hint: "use the https URL where your client ID metadata document is served (see docs/auth.md)")
            }
        }
        spec.checkConsistency(fields: fields, problems: &problems)
        for index in before..<problems.problems.count where problems.problems[index].context.server == nil {
            problems.problems[index].context.server = name
        }
        return spec
    }

    private static func templateMap(
        _ node: YAMLNode?, _ what: String, _ problems: inout ProblemCollector
    ) -> [String: TemplateValue] {
        guard let node else { return [:] }
        guard let entries = node.mappingEntries else {
            problems.add(.wrongType(what), "\(what) must be a mapping, not a \(node.kindName)", at: node.location)
            return [:]
        }
        var result: [String: TemplateValue] = [:]
        for entry in entries {
            guard let key = entry.key.scalarText else { continue }
            if case .scalar = entry.value.kind {
                result[key] = Read.template(entry.value, &problems)
            } else {
                problems.add(
                    .wrongType(what), "\(what) '\(key)' must be a string, not a \(entry.value.kindName)",
                    at: entry.value.location)
            }
        }
        return result
    }

    /// Reports header names that are not RFC 9110 tokens and literal values with CR, LF or NUL,
    /// which would end the header early or be refused by every server.
    private static func checkHeaders(_ node: YAMLNode?, what: String, problems: inout ProblemCollector) {
        for entry in node?.mappingEntries ?? [] {
            guard let name = entry.key.scalarText else { continue }
            if let problem = HeaderRules.nameProblem(name) {
                problems.add(
                    .invalidValue("headers"), "\(what) name '\(printable(name))' \(problem)", at: entry.key.location,
                    hint: HeaderRules.nameHint)
            }
            if let value = entry.value.scalarText, let problem = HeaderRules.valueProblem(value) {
                problems.add(
                    .invalidValue("headers"), "\(what) '\(printable(name))' value \(problem)",
                    at: entry.value.location, hint: "write the value on one line, without control characters")
            }
        }
    }

    /// The pinned `protocolVersion` (contract §8): one mcp-run speaks, and for `transport:
    /// http-sse` the only one that transport carries.
    private static func readProtocolVersion(
        _ node: YAMLNode?, what: String, transport: Transport, problems: inout ProblemCollector
    ) -> String? {
        guard let node, let version = Read.untemplated(node, "\(what) protocolVersion", &problems) else { return nil }
        let known = ServerSpec.protocolVersions
        guard known.contains(version) else {
            problems.add(
                .invalidValue("protocolVersion"),
                "\(what) protocolVersion '\(printable(version))' is not a version mcp-run speaks", at: node.location,
                hint: "use one of \(known.quotedList), or remove the key to let mcp-run negotiate")
            return nil
        }
        if transport == .httpSSE, version != ServerSpec.legacySSEProtocolVersion {
            problems.add(
                .invalidValue("protocolVersion"),
                "\(what) uses transport 'http-sse', which speaks only protocol version '\(ServerSpec.legacySSEProtocolVersion)', not '\(version)'",
                at: node.location,
                hint: "use 'transport: streamable-http' for '\(version)', or remove `protocolVersion`")
            return nil
        }
        return version
    }

    /// Reports variable names that cannot be set (empty, with `=` or NUL) and literal values with NUL.
    private static func checkEnvironment(_ node: YAMLNode?, what: String, problems: inout ProblemCollector) {
        for entry in node?.mappingEntries ?? [] {
            guard let name = entry.key.scalarText else { continue }
            if name.isEmpty || name.contains("=") || name.unicodeScalars.contains("\0") {
                problems.add(
                    .invalidValue("env"), "\(what) name '\(printable(name))' cannot be a variable name",
                    at: entry.key.location, hint: "use a name without '=' or NUL, e.g. API_TOKEN")
            }
            if let value = entry.value.scalarText, value.unicodeScalars.contains("\0") {
                problems.add(
                    .invalidValue("env"), "\(what) '\(printable(name))' value contains a NUL character",
                    at: entry.value.location, hint: "remove the \\0 from the value")
            }
        }
    }

    /// Checks that the keys fit the transport and auth type.
    private func checkConsistency(fields: Fields, problems: inout ProblemCollector) {
        let what = "server '\(name)'"
        let here = fields.node.location
        if transport == .stdio {
            if command == nil {
                problems.add(
                    .missingKey("command"), "\(what) uses transport 'stdio' but has no 'command'", at: here,
                    hint: "add 'command:' with the program to start, and 'args:' for its arguments")
            }
        } else if url == nil {
            problems.add(
                .missingKey("url"), "\(what) has no 'url'", at: here,
                hint: command != nil
                    ? "add 'transport: stdio' to start '\(command ?? "")' as a local process"
                    : "add 'url:' with the server's http or https endpoint")
        } else if case .literal(.string(let text)) = url, !(text.hasPrefix("http://") || text.hasPrefix("https://")) {
            problems.add(
                .invalidValue("url"), "\(what) url '\(text)' is not an http or https URL",
                at: fields["url"]?.location ?? here)
        }
        func require(_ value: TemplateValue?, _ key: String) {
            if value == nil {
                problems.add(
                    .missingKey(key), "\(what) uses authType '\(authType.rawValue)' but has no '\(key)'", at: here,
                    hint: "add '\(key): ${{ secrets.NAME }}' and set NAME in the environment or a --secrets file")
            }
        }
        switch authType {
        case .apiKey: require(apiKey, "apiKey")
        case .bearerToken: require(token, "token")
        case .basic:
            require(username, "username")
            require(password, "password")
        case .none, .oauth2, .oauth2ClientCredentials: break
        }
    }
}
