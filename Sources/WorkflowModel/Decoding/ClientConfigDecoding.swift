import Basics
import YAML

/// Other MCP clients' config files, read as they are (contract §2): `{"mcpServers": {...}}`
/// (Claude Desktop, Cursor, Claude Code) and VS Code's `{"servers": {...}}`, whose entries may say
/// `type: stdio|http|sse` where ours say `transport`.
enum ClientConfig {
    /// `type` as other clients spell it → our `transport`.
    static let types: [String: ServerSpec.Transport] = [
        "stdio": .stdio, "http": .streamableHTTP, "streamable-http": .streamableHTTP, "streamableHttp": .streamableHTTP,
        "sse": .httpSSE,
    ]

    /// The mapping of name → server inside another client's config file, or nil when `root` is
    /// our own shape (name → server at the top).
    ///
    /// `mcpServers` always marks the other shape (the rest of such a file, e.g. Claude Desktop's
    /// other settings, is not ours to read); `servers` marks it when none of its keys is a server
    /// key, so a server named `servers` in our shape stays one.
    static func servers(in root: YAMLNode) -> YAMLNode? {
        guard let entries = root.mappingEntries else { return nil }
        if let entry = entries.first(where: { $0.key.scalarText == "mcpServers" }) { return entry.value }
        if let entry = entries.first(where: { $0.key.scalarText == "servers" }),
            let inner = entry.value.mappingEntries,
            !inner.contains(where: { ServerKeys.all.contains($0.key.scalarText ?? "") })
        {
            return entry.value
        }
        return nil
    }

    /// The transport an entry's `type` names; a problem at the value for any other value, or when
    /// `transport` is given too.
    static func transport(
        type node: YAMLNode, transport: YAMLNode?, what: String, problems: inout ProblemCollector
    ) -> ServerSpec.Transport? {
        if transport != nil {
            problems.add(
                .invalidValue("type"), "\(what) has both 'type' and 'transport'", at: node.location,
                hint: "keep one: 'type' (stdio, http, sse) as other clients write it, or 'transport'")
            return nil
        }
        guard let text = node.scalarText, let transport = types[text] else {
            let given = node.scalarText.map { "'\(printable($0))'" } ?? "a \(node.kindName)"
            problems.add(
                .invalidValue("type"), "\(what) type \(given) is not one of 'stdio', 'http', 'sse'",
                at: node.location,
                hint: node.scalarText.flatMap { nearestMatch(to: $0, in: ["stdio", "http", "sse"]) }
                    .map { "did you mean '\($0)'?" } ?? "use 'stdio' for a command, 'http' or 'sse' for a url")
            return nil
        }
        return transport
    }
}
