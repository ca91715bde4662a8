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

    /// `NAME=value` lines of a dotenv file: `#` comments, optional `export `, single or double quotes.
    func secrets(file: String?) throws -> [String: Secret] {
        guard let file else { return [:] }
        let text = try read(file, what: "secrets file")
        var secrets: [String: Secret] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else {
                throw WorkflowError(
                    code: .invalidValue("secrets"), message: "expected NAME=value in the secrets file",
                    hint: "write one NAME=value per line; '#' starts a comment",
                    context: ErrorContext(location: SourceLocation(file: file, line: number + 1, column: 1)))
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
                if first == "\"" { value = value.replacingAll("\\n", with: "\n").replacingAll("\\\"", with: "\"") }
            }
            secrets[name] = Secret(value)
        }
        return secrets
    }
}
