import Basics
import Runner
import WorkflowModel

/// Finds the server a `tools` or `call` command names: in `-f FILE`'s servers, `--servers`,
/// `MCP_SERVERS`, or as a URL.
///
/// A URL names an ad hoc server with `authType` `urlAuthType`: `none` for `tools` and `call`,
/// `oauth2` for `auth` (contract §7: `auth login URL` means `oauth2`).
enum ServerSelection {
    static func resolve(
        _ name: String, context: CommandContext, urlAuthType: ServerSpec.AuthType = .none
    ) throws -> ServerSpec {
        let parsed = context.parsed
        var servers = try context.sources.extraServers(serversFile: parsed.value(.servers))
        if let file = parsed.value(.file) {
            let text = try context.sources.read(file, what: "workflow file")
            let workflow = try WorkflowLoader.load(text: text, file: file, extraServers: servers)
            servers = workflow.servers
        }
        if let spec = servers[name] { return spec }
        if name.hasPrefix("http://") || name.hasPrefix("https://") {
            var spec = ServerSpec.adHoc(url: name)
            spec.authType = urlAuthType
            return spec
        }
        let names = servers.keys.sorted()
        throw UsageError(
            code: .invalidValue(option: "SERVER", value: name), message: "unknown server '\(name)'",
            hint: nearestMatch(to: name, in: names).map { "did you mean '\($0)'?" }
                ?? (names.isEmpty
                    ? "name a server from a workflow with -f FILE, a --servers file or MCP_SERVERS, or give its URL"
                    : "known servers are \(names.quotedList)"))
    }
}

extension CommandContext {
    /// The files this command line named, so a hint names a server as another command finds it.
    var serverReference: ServerReference {
        ServerReference(workflowFile: parsed.value(.file), serversFile: parsed.value(.servers))
    }

    /// `error` with the commands its hint names rewritten to find `spec` as this command did.
    func naming(_ error: RunError, server spec: ServerSpec) -> RunError {
        error.naming(server: spec.name, as: serverReference.commandLine(for: spec.name, origin: spec.origin))
    }
}
