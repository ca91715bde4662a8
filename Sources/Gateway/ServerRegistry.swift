import Basics
import Foundation
import WorkflowModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The servers the gateway knows: fixed ones (`MCP_SERVERS`, `--servers`) and those registered
/// through the API, which it keeps in one JSON file.
///
/// An actor because requests add, remove and read servers concurrently, and each change must be
/// written to the file before it is answered; it owns the registered servers and that file.
actor ServerRegistry {
    /// One server as the API shows it.
    struct Entry: Sendable {
        var name: String
        var spec: ServerSpec
        /// The definition as given (fixed servers defined in YAML: nil).
        var definition: JSONValue?
        /// Whether it came from `MCP_SERVERS` or `--servers`.
        var isReadOnly: Bool
    }

    private let fixed: [String: Entry]
    private var registered: [String: Entry]
    private let path: String
    private let masker: SecretMasker

    /// Loads the registered servers from `settings.registryPath` (none when the file is absent).
    /// - Throws: `GatewayError` when the file cannot be read or is not a registry.
    /// Every text `ServerDisplay` hides is handed to `masker`, so no answer or log line shows it.
    init(settings: GatewaySettings, masker: SecretMasker) throws {
        self.masker = masker
        var fixed: [String: Entry] = [:]
        for (name, spec) in settings.fixedServers {
            fixed[name] = Entry(name: name, spec: spec, definition: settings.fixedDefinitions[name], isReadOnly: true)
            Self.register(settings.fixedDefinitions[name], in: masker)
        }
        self.fixed = fixed
        path = settings.registryPath
        registered = [:]
        guard FileManager.default.fileExists(atPath: path) else { return }
        func broken(_ why: String) -> GatewayError {
            GatewayError(
                status: 500, code: "registry_unreadable", message: "cannot read the server registry '\(path)': \(why)",
                hint: "fix or remove the file; it holds the servers registered through POST /api/v1/servers")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw broken("not readable") }
        guard case .object(let servers)? = try? JSONValue.parse(Array(data)) else { throw broken("not a JSON object") }
        for (name, definition) in servers {
            do {
                registered[name] = Entry(
                    name: name, spec: try Self.validate(name: name, definition: definition), definition: definition,
                    isReadOnly: false)
                Self.register(definition, in: masker)
            } catch {
                throw broken("server '\(name)': \(error.message)")
            }
        }
    }

    /// Every server, sorted by name; a registered name never shadows a fixed one.
    func all() -> [Entry] {
        fixed.merging(registered) { fixed, _ in fixed }.values.sorted { $0.name < $1.name }
    }

    /// The server named `name`, if any.
    func entry(_ name: String) -> Entry? { fixed[name] ?? registered[name] }

    /// Registers `definition` (the body of `POST /api/v1/servers`) and writes the file.
    /// - Throws: `GatewayError` 400 naming the field, 409 for a name in use, 500 when the file
    ///   cannot be written (then nothing is registered).
    func add(_ body: JSONValue) throws(GatewayError) -> Entry {
        guard case .object(var members) = body else {
            throw .invalid("body", "the body must be a JSON object: a `name` and the server's definition")
        }
        guard let nameValue = members.removeValue(forKey: "name") else {
            throw .invalid("name", "the body has no `name`")
        }
        guard case .string(let name) = nameValue, !name.isEmpty, name.count <= 64,
            name.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0))
            })
        else {
            throw .invalid("name", "`name` must be 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'")
        }
        if entry(name) != nil {
            throw GatewayError(
                status: 409, code: "name_in_use", message: "a server named '\(name)' exists",
                hint: "choose another name, or DELETE /api/v1/servers/\(name) first", details: ["field": "name"])
        }
        let definition = JSONValue.object(members)
        try Self.refuseUnsafe(definition)
        let spec = try Self.validate(name: name, definition: definition)
        let entry = Entry(name: name, spec: spec, definition: definition, isReadOnly: false)
        Self.register(definition, in: masker)
        var next = registered
        next[name] = entry
        try write(next)
        registered = next
        return entry
    }

    /// Removes the registered server `name` and writes the file.
    /// - Throws: `GatewayError` 404 for an unknown name, 403 for a fixed server, 500 when the
    ///   file cannot be written.
    func remove(_ name: String) throws(GatewayError) {
        if fixed[name] != nil {
            throw GatewayError(
                status: 403, code: "read_only", message: "server '\(name)' comes from MCP_SERVERS or --servers",
                hint: "change it where it is defined and restart the gateway")
        }
        guard registered[name] != nil else { throw Self.unknown(name) }
        var next = registered
        next[name] = nil
        try write(next)
        registered = next
    }

    private static func register(_ definition: JSONValue?, in masker: SecretMasker) {
        for text in ServerDisplay.secretTexts(in: definition) where text.count >= SecretMasker.minimumLength {
            masker.add(Secret(text))
        }
    }

    /// 1 to 64 ASCII letters, digits, '-', '_' or '.', not starting with '.': safe in a path and a URL.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }

    /// 404 for a server nobody defined.
    static func unknown(_ name: String) -> GatewayError {
        GatewayError(
            status: 404, code: "unknown_server", message: "no server named '\(name)'",
            hint: "GET /api/v1/servers lists them")
    }

    /// Servers registered through the API may not run commands on the gateway's host or read its
    /// environment and secrets: whoever holds the API key would otherwise own the host.
    private static func refuseUnsafe(_ definition: JSONValue) throws(GatewayError) {
        if definition["command"] != nil {
            throw .invalid(
                "command", "servers registered through the API must be HTTP servers (`url`), not commands",
                hint: "define stdio servers in MCP_SERVERS or a --servers file")
        }
        if let field = firstTemplate(in: definition, path: "") {
            throw .invalid(
                field, "`\(field)` holds a `${{ }}` template; servers registered through the API take literal values",
                hint: "send the value itself; it is stored 0600 and never shown")
        }
    }

    private static func firstTemplate(in value: JSONValue, path: String) -> String? {
        switch value {
        case .string(let text): return text.contains("${{") ? (path.isEmpty ? "body" : path) : nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = firstTemplate(in: item, path: "\(path)[\(index)]") { return found }
            }
            return nil
        case .object(let members):
            for key in members.keys.sorted() {
                if let member = members[key],
                    let found = firstTemplate(in: member, path: path.isEmpty ? key : "\(path).\(key)")
                {
                    return found
                }
            }
            return nil
        default: return nil
        }
    }

    /// The server `definition` describes, checked as `--servers` files are (contract §2).
    private static func validate(name: String, definition: JSONValue) throws(GatewayError) -> ServerSpec {
        let text = JSONValue.object([name: definition]).serialized()
        do {
            let servers = try WorkflowLoader.loadServers(text: text, file: "request body", origin: .serversFile)
            guard let spec = servers[name] else { throw GatewayError.invalid("body", "no server in the body") }
            return spec
        } catch let problems as WorkflowProblems {
            let first = problems.problems.first
            var field = "body"
            switch first?.code {
            case .missingKey(let key)?, .unknownKey(let key)?, .wrongType(let key)?, .invalidValue(let key)?:
                // Keys of server blocks are spelled "server 'NAME' KEY" by the loader.
                let prefix = "server '\(name)' "
                field = key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : key
            default: break
            }
            throw .invalid(field, first?.message ?? "invalid server definition", hint: first?.hint)
        } catch let error as GatewayError {
            throw error
        } catch {
            throw .invalid("body", "invalid server definition")
        }
    }

    /// Writes `servers` through a temporary file created 0600 next to the registry, renamed over
    /// it (`AtomicFile`), so a crash leaves the old file or the new one, never half of one.
    private func write(_ servers: [String: Entry]) throws(GatewayError) {
        var object: [String: JSONValue] = [:]
        for (name, entry) in servers { object[name] = entry.definition }
        let bytes = JSONValue.object(object).serializedBytes(pretty: true)
        let folder = (path as NSString).deletingLastPathComponent
        func failure(_ why: String) -> GatewayError {
            GatewayError(
                status: 500, code: "registry_not_written",
                message: "cannot write the server registry '\(path)': \(why)",
                hint: "check that MCP_RUN_HOME is writable by this user")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw failure("cannot create its folder")
        }
        // Created 0600 (AtomicFile): the definitions hold credentials from the first byte on.
        do {
            try AtomicFile.write(bytes, to: path, folder: folder, stem: "gateway-servers")
        } catch {
            switch error.step {
            case .create:
                throw failure("cannot create a file in '\(folder)': \(systemErrorText(error.errorNumber))")
            case .write: throw failure(systemErrorText(error.errorNumber))
            }
        }
    }
}
