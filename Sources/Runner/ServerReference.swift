import Basics
import WorkflowModel

/// How another `mcp-run` command names a server of this run, for hints that name a command:
/// the server's name (or URL), then the option that finds it again — `-f FILE` for a server the
/// workflow file declares, `--servers FILE` for one from a servers file — each word quoted for a
/// POSIX shell when it needs it. A server from `MCP_SERVERS` needs no option.
package struct ServerReference: Sendable, Hashable {
    /// The workflow file as the user named it, when the servers came from one.
    package var workflowFile: String?
    /// The `--servers` file as the user named it, when one was given.
    package var serversFile: String?

    /// A reference that knows no files: a server is named by its name alone.
    package init(workflowFile: String? = nil, serversFile: String? = nil) {
        self.workflowFile = workflowFile
        self.serversFile = serversFile
    }

    /// `NAME`, `NAME -f FILE` or `NAME --servers FILE`, shell-quoted.
    package func commandLine(for server: String, origin: ServerSpec.Origin?) -> String {
        var words = [server]
        switch origin {
        case .workflow?:
            if let workflowFile { words += ["-f", workflowFile] }
        case .serversFile?:
            if let serversFile { words += ["--servers", serversFile] }
        case .environment?, nil:
            break
        }
        return words.map(Self.quoted).joined(separator: " ")
    }

    /// `word` as a POSIX shell reads it back: as is when it holds only safe characters, else in
    /// double quotes (inside hints that are themselves in single quotes) with `"`, `$`, `` ` ``
    /// and `\` escaped.
    package static func quoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@%+,=")
        if !word.isEmpty, word.allSatisfy({ safe.contains($0) }) { return word }
        var out = "\""
        for character in word {
            if "\"$`\\".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}

extension RunError {
    /// This error with every `mcp-run COMMAND SERVER` its hint names rewritten to `reference`, so
    /// the command works as printed (for example `mcp-run auth login NAME -f FILE`).
    package func naming(server: String, as reference: String) -> RunError {
        guard var hint, reference != server else { return self }
        for command in ["auth login", "auth status", "auth logout", "auth revoke", "tools"] {
            hint = hint.replacingAll("mcp-run \(command) \(server)'", with: "mcp-run \(command) \(reference)'")
        }
        var copy = self
        copy.hint = hint
        return copy
    }
}
