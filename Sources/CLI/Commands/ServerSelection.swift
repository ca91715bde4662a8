import Basics
import WorkflowModel

/// Finds the server a `tools` or `call` command names: in `-f FILE`'s servers, `--servers`,
/// `MCP_SERVERS`, or as a URL.
enum ServerSelection {
    static func resolve(_ name: String, context: CommandContext) throws -> ServerSpec {
        let parsed = context.parsed
        var servers = try context.sources.extraServers(serversFile: parsed.value(.servers))
        if let file = parsed.value(.file) {
            let text = try context.sources.read(file, what: "workflow file")
            let workflow = try WorkflowLoader.load(text: text, file: file, extraServers: servers)
            servers = workflow.servers
        }
        if let spec = servers[name] { return spec }
        if name.hasPrefix("http://") || name.hasPrefix("https://") { return ServerSpec.adHoc(url: name) }
        let names = servers.keys.sorted()
        throw UsageError(
            code: .invalidValue(option: "SERVER", value: name), message: "unknown server '\(name)'",
            hint: nearestMatch(to: name, in: names).map { "did you mean '\($0)'?" }
                ?? (names.isEmpty
                    ? "name a server from a workflow with -f FILE, a --servers file or MCP_SERVERS, or give its URL"
                    : "known servers are \(names.quotedList)"))
    }
}
