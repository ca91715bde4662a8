import Basics
import MCPClient

/// `mcp-run resources SERVER [URI]`: the server's resources and resource templates, or one
/// resource's contents (contract §5).
struct ResourcesCommand {
    var context: CommandContext

    func execute() async throws -> ExitCode {
        let parsed = context.parsed
        let query = ServerQuery(context: context)
        let json = parsed.flag(.jsonOutput)
        if let uri = parsed.argument(.resourceURI) {
            let outcome = try await query.run { session in
                try await session.readResource(uri, timeout: nil)
            }
            guard case .answered(let result, let masker) = outcome else { return Self.code(outcome) }
            if json {
                query.printJSON(result, masker: masker)
            } else {
                query.print(Self.contentLines(result[MCPWire.Key.contents]?.arrayValue ?? []), masker: masker)
            }
            return .succeeded
        }
        let outcome = try await query.run { session in
            let resources = try await session.listResources()
            // A server may offer resources and no templates: the official Python SDK's low-level
            // `Server` without a templates handler answers `resources/templates/list` with
            // -32601. That is an empty list of templates, not a failure of the command.
            let templates: [JSONValue]
            do {
                templates = try await session.listResourceTemplates()
            } catch let error as ClientError where error.code.rpcCode == JSONRPCError.methodNotFound {
                templates = []
            }
            return ["resources": .array(resources), "resourceTemplates": .array(templates)]
        }
        guard case .answered(let lists, let masker) = outcome else { return Self.code(outcome) }
        if json {
            query.printJSON(lists, masker: masker)
            return .succeeded
        }
        let resources = lists["resources"]?.arrayValue ?? []
        let templates = lists["resourceTemplates"]?.arrayValue ?? []
        var lines: [String] = []
        lines.append(resources.isEmpty ? "no resources" : "resources:")
        lines += resources.flatMap { Self.entryLines($0, key: MCPWire.Key.uri) }
        lines.append(templates.isEmpty ? "no resource templates" : "resource templates:")
        lines += templates.flatMap { Self.entryLines($0, key: MCPWire.Key.uriTemplate) }
        query.print(lines, masker: masker)
        return .succeeded
    }

    static func code(_ outcome: ServerQuery.Outcome) -> ExitCode {
        if case .failed(let code) = outcome { return code }
        return .succeeded
    }

    /// `  URI  name (mimeType)` and the description's first line.
    static func entryLines(_ entry: JSONValue, key: String) -> [String] {
        var line = "  " + (entry[key]?.stringValue ?? "")
        let name = entry[MCPWire.Key.title]?.stringValue ?? entry[MCPWire.Key.name]?.stringValue
        if let name { line += "  " + name }
        if let mimeType = entry[MCPWire.Key.mimeType]?.stringValue { line += " (\(mimeType))" }
        var lines = [line]
        if let description = ServerQuery.firstLine(entry[MCPWire.Key.description]?.stringValue) {
            lines.append("      " + description)
        }
        return lines
    }

    /// The text of each content item; a binary one as its type and size.
    static func contentLines(_ contents: [JSONValue]) -> [String] {
        contents.map { item in
            if let text = item[MCPWire.Key.text]?.stringValue { return text }
            let mimeType = item[MCPWire.Key.mimeType]?.stringValue ?? "application/octet-stream"
            let encoded = item[MCPWire.Key.blob]?.stringValue ?? ""
            let uri = item[MCPWire.Key.uri]?.stringValue.map { " \($0)" } ?? ""
            let padding = encoded.reversed().prefix { $0 == "=" }.count
            let size = max(0, encoded.count / 4 * 3 - padding)
            return "[binary\(uri): \(mimeType), \(size) bytes; use --json for its base64]"
        }
    }
}
