import Basics
import Foundation
import WorkflowModel

/// Reads the files and variables a command depends on: workflow, `--servers`, `MCP_SERVERS`, `--secrets`.
struct Sources {
    var environment: [String: String]

    /// The text of `path`, or a `WorkflowError` saying why it could not be read.
    func read(_ path: String, what: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw WorkflowError(
                code: .fileNotReadable(path), message: "\(what) '\(path)' does not exist",
                hint: "check the path; it is relative to \(FileManager.default.currentDirectoryPath)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WorkflowError(code: .fileNotReadable(path), message: "\(what) '\(path)' cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw WorkflowError(
                code: .fileNotReadable(path), message: "\(what) '\(path)' is not UTF-8 text",
                context: ErrorContext(location: SourceLocation(file: path, line: 1, column: 1)))
        }
        return text
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
