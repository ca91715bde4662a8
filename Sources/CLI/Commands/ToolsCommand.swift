import Basics
import Foundation
import MCPClient
import Results
import Runner

/// `mcp-run tools SERVER`: the server's tools with their input schemas.
struct ToolsCommand {
    var context: CommandContext

    func execute() async throws -> ExitCode {
        let parsed = context.parsed
        let server = try OneShotServer.resolve(context: context)
        let (spec, secrets) = (server.spec, server.secrets)
        let masker = SecretMasker(Array(secrets.values))
        let tools: [ToolDescription]
        let (environment, logger, nonInteractive) = (
            context.environment, context.logger(masker: masker), context.isNonInteractive
        )
        let loginUI = TerminalLoginUI(console: context.console, environment: environment)
        let listCache = context.listCache
        // Interruptible like a run: SIGINT, SIGTERM or SIGHUP closes the session, which ends a
        // stdio server's process group, and exits 130.
        let listed = await SignalHandling.runCancellable { () -> Result<[ToolDescription], RunError> in
            do {
                return .success(
                    try await ServerAccess.listTools(
                        spec, secrets: secrets, environment: environment, logger: logger,
                        nonInteractive: nonInteractive, loginUI: loginUI, listCache: listCache))
            } catch {
                return .failure(RunError.wrap(error))
            }
        }
        switch listed {
        case .success(let listedTools):
            tools = listedTools
        case .failure(let error):
            let error = context.naming(error, server: spec)
            context.report(error, masker: masker)
            return ExitCode(for: error.code)
        }
        if parsed.flag(.jsonOutput) {
            context.console.out(ResultsWriter.encodeLine(.array(tools.map(\.raw)), masker: masker))
            return .succeeded
        }
        var lines: [String] = []
        for tool in tools {
            lines.append(tool.name)
            if let description = tool.description?.split(separator: "\n").first {
                lines.append("  " + description.trimmingCharacters(in: .whitespaces))
            }
            let properties = tool.inputSchema["properties"]?.objectValue ?? [:]
            let required = Set(tool.inputSchema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            for key in properties.keys.sorted() {
                let schema = properties[key] ?? .null
                let type = schema["type"]?.stringValue ?? schema["type"]?.serialized() ?? "any"
                var line = "    \(key): \(type)\(required.contains(key) ? " (required)" : "")"
                if let description = schema["description"]?.stringValue { line += " — \(description)" }
                lines.append(line)
            }
        }
        // Names and descriptions are the server's text: masked, then control characters neutralised.
        context.console.out(TerminalText.neutralized(masker.mask(lines.joined(separator: "\n"))) + "\n")
        return .succeeded
    }
}
