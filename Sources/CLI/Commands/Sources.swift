import Basics
import Foundation
import WorkflowModel

/// Reads the files and variables a command depends on: workflow, `--servers`, `MCP_SERVERS`, `--secrets`.
struct Sources {
    var environment: [String: String]

    /// The text of `path`, or a `WorkflowError` naming the path and the system's reason.
    func read(_ path: String, what: String) throws -> String {
        try TextFileReader.contents(of: path, what: what, currentFolder: FileManager.default.currentDirectoryPath)
    }

    /// Servers from `--servers FILE` over `MCP_SERVERS` (contract §2 precedence: workflow > file > variable).
    func extraServers(serversFile: String?) throws -> [String: ServerSpec] {
        var servers: [String: ServerSpec] = [:]
        if let text = environment["MCP_SERVERS"], !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            servers = try WorkflowLoader.loadServers(text: text, file: "MCP_SERVERS", origin: .environment)
        }
        if let serversFile {
            let text = try read(serversFile, what: "servers file")
            for (name, spec) in try WorkflowLoader.loadServers(text: text, file: serversFile, origin: .serversFile) {
                servers[name] = spec
            }
        }
        return servers
    }

    /// The entries of a dotenv file (`DotEnv` lists the conventions); a name given twice keeps its last value.
    func secrets(file: String?) throws -> [String: Secret] {
        guard let file else { return [:] }
        let text = try read(file, what: "secrets file")
        do {
            var secrets: [String: Secret] = [:]
            for entry in try DotEnv.parse(text, file: file) { secrets[entry.key] = Secret(entry.value) }
            return secrets
        } catch {
            throw WorkflowError(
                code: .invalidValue("secrets"), message: "secrets file: \(error.message)", hint: error.hint,
                context: error.context, underlying: error)
        }
    }
}
