import Foundation
import TestSupport
import Testing

/// `mcp-run completion bash|zsh|fish|man` (contract §5, issue #12): scripts the shells accept and
/// that complete commands, options and their values; a man page `man` renders; `--help` lists
/// every command.
@Suite("shell completion and the man page", .timeLimit(.minutes(3)))
struct CompletionTests {
    /// Every command of contract §5.
    static let commands = [
        "run", "validate", "tools", "call", "resources", "prompts", "auth", "schema", "completion", "serve", "help",
    ]

    /// `mcp-run completion FORMAT` written to a new temporary file; returns its path.
    static func generate(_ format: String) async throws -> String {
        let output = try await runMCPRun(["completion", format])
        #expect(output.exitCode == 0, "\(output)")
        #expect(output.stderr.isEmpty, "\(output)")
        let path = try temporaryDirectory("completion") + "/mcp-run.\(format)"
        try output.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// What bash's `_mcp_run` offers for the command line `words` (the last one being completed).
    static func bashCompletions(_ script: String, _ words: [String]) async throws -> [String] {
        let quoted = words.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let program = """
            source '\(script)'
            COMP_WORDS=(\(quoted.joined(separator: " ")))
            COMP_CWORD=\(words.count - 1)
            _mcp_run
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let output = try await runProgram("/bin/bash", ["--norc", "--noprofile", "-c", program])
        #expect(output.exitCode == 0 && output.stderr.isEmpty, "\(output)")
        return output.stdout.split(separator: "\n").map(String.init)
    }

    @Test("'mcp-run --help' lists every command, and each has its own help")
    func helpListsEveryCommand() async throws {
        let overview = try await runMCPRun(["--help"])
        #expect(overview.exitCode == 0, "\(overview)")
        let listed = overview.stdout.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
        for command in Self.commands {
            #expect(listed.contains(command), "'\(command)' missing from:\n\(overview.stdout)")
            let help = try await runMCPRun(["help", command])
            #expect(help.exitCode == 0 && help.stdout.hasPrefix("Usage: mcp-run \(command)"), "\(help)")
        }
    }

    @Test("the bash script passes 'bash -n' and completes commands, options and their values")
    func bash() async throws {
        let script = try await Self.generate("bash")
        let syntax = try await runProgram("/bin/bash", ["-n", script])
        #expect(syntax.exitCode == 0 && syntax.stderr.isEmpty, "\(syntax)")
        let registered = try await runProgram(
            "/bin/bash", ["--norc", "--noprofile", "-c", "source '\(script)' && complete -p mcp-run"])
        #expect(registered.stdout.contains("-F _mcp_run mcp-run"), "\(registered)")

        #expect(try await Self.bashCompletions(script, ["mcp-run", "val"]) == ["validate"])
        #expect(try await Self.bashCompletions(script, ["mcp-run", "co"]) == ["completion"])
        #expect(try await Self.bashCompletions(script, ["mcp-run", "run", "--dry"]) == ["--dry-run"])
        #expect(try await Self.bashCompletions(script, ["mcp-run", "run", "--format", ""]) == ["json", "jsonl"])
        #expect(try await Self.bashCompletions(script, ["mcp-run", "validate", "--format", "g"]) == ["github"])
        #expect(try await Self.bashCompletions(script, ["mcp-run", "auth", "lo"]) == ["login", "logout"])
        #expect(
            try await Self.bashCompletions(script, ["mcp-run", "completion", ""]) == ["bash", "zsh", "fish", "man"])
        // `mcp-run FILE` takes run's options, also after an option's value.
        #expect(
            try await Self.bashCompletions(script, ["mcp-run", "flow.yaml", "-o", "out.json", "--on"]) == ["--only"])
        // One-shot options belong to tools, not to run.
        #expect(try await Self.bashCompletions(script, ["mcp-run", "tools", "--bearer"]) == ["--bearer-env"])
        #expect(try await Self.bashCompletions(script, ["mcp-run", "run", "--bearer"]) == [])
        // A file argument completes to files (run from the repository root).
        #expect(try await Self.bashCompletions(script, ["mcp-run", "validate", "Package.sw"]) == ["Package.swift"])
    }

    @Test("the zsh script passes 'zsh -n', loads with compinit and completes commands, options and values")
    func zsh() async throws {
        let script = try await Self.generate("zsh")
        let syntax = try await runProgram("/usr/bin/zsh", ["-n", script])
        #expect(syntax.exitCode == 0 && syntax.stderr.isEmpty, "\(syntax)")
        #expect(try String(contentsOfFile: script, encoding: .utf8).hasPrefix("#compdef mcp-run\n"))
        // Loaded by compinit from a folder on $fpath, as a user installs it.
        let folder = try temporaryDirectory("zsh-fpath")
        try FileManager.default.copyItem(atPath: script, toPath: folder + "/_mcp-run")
        let program = """
            fpath=('\(folder)' $fpath)
            autoload -Uz compinit && compinit -u -d '\(folder)/.zcompdump'
            print -r -- ${_comps[mcp-run]}
            """
        let loaded = try await runProgram("/usr/bin/zsh", ["-f", "-c", program], environment: ["HOME": folder])
        #expect(loaded.exitCode == 0 && loaded.stdout == "_mcp-run\n", "\(loaded)")

        #expect(try await Self.zshCompletions(folder, "mcp-run val") == ["validate"])
        #expect(try await Self.zshCompletions(folder, "mcp-run run --dry") == ["--dry-run"])
        #expect(try await Self.zshCompletions(folder, "mcp-run run --format ") == ["json", "jsonl"])
        #expect(try await Self.zshCompletions(folder, "mcp-run auth lo") == ["login", "logout"])
    }

    /// What zsh offers when Tab is pressed after `line`, in an interactive zsh on a pseudo-terminal
    /// (`zpty`) that loads `_mcp-run` from `folder` with compinit; `compadd` is wrapped to write
    /// each match to a file. Once matches arrive (zsh skips completion while more input is
    /// already waiting), the line is cleared and a marker line says the completion is over. Both
    /// waits poll a file, at most 10 s each.
    static func zshCompletions(_ folder: String, _ line: String) async throws -> [String] {
        let output = folder + "/matches-\(UUID().uuidString)"
        let driver = """
            zmodload zsh/zpty
            zpty z zsh -f -i
            zpty -w z "fpath=('\(folder)' \\$fpath); autoload -Uz compinit; compinit -u -d '\(folder)/.zcompdump'"
            zpty -w z 'compadd() { local -a m; builtin compadd -O m "$@"; (( $#m )) && print -rl -- $m >> \(output); builtin compadd "$@" }'
            zpty -w z "bindkey '^I' complete-word"
            zpty -n -w z "$1"$'\\t'
            for i in {1..200}; do [[ -s \(output) ]] && break; sleep 0.05; done
            zpty -w z $'\\x15print -r -- END-OF-MATCHES >> \(output)'
            for i in {1..200}; do grep -qx END-OF-MATCHES \(output) 2>/dev/null && break; sleep 0.05; done
            zpty -d z
            grep -vx -e END-OF-MATCHES -e '' \(output)
            """
        let driverPath = folder + "/driver.zsh"
        try driver.write(toFile: driverPath, atomically: true, encoding: .utf8)
        let run = try await runProgram("/usr/bin/zsh", ["-f", driverPath, line], environment: ["HOME": folder])
        #expect(run.exitCode == 0, "\(run)")
        return run.stdout.split(separator: "\n").map(String.init)
    }

    @Test("the fish script passes 'fish -n' and completes commands, options and their values")
    func fish() async throws {
        let script = try await Self.generate("fish")
        let syntax = try await runProgram("/usr/bin/fish", ["-n", script])
        #expect(syntax.exitCode == 0 && syntax.stderr.isEmpty, "\(syntax)")
        let home = try temporaryDirectory("fish-home")
        func complete(_ line: String) async throws -> [String] {
            let output = try await runProgram(
                "/usr/bin/fish", ["--no-config", "-c", "source '\(script)'; complete -C '\(line)'"],
                environment: ["HOME": home, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home])
            #expect(output.exitCode == 0 && output.stderr.isEmpty, "\(output)")
            // Each line is the completion, a tab, and its description.
            return output.stdout.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") }
        }
        #expect(try await complete("mcp-run val") == ["validate"])
        #expect(try await complete("mcp-run run --dry") == ["--dry-run"])
        #expect(try await complete("mcp-run run --format ") == ["json", "jsonl"])
        #expect(try await complete("mcp-run auth lo") == ["login", "logout"])
    }

    @Test("the man page renders with 'man -l' and documents every command and option")
    func manPage() async throws {
        let page = try await Self.generate("man")
        let rendered = try await runProgram(
            "/usr/bin/man", ["--warnings", "-l", page],
            environment: ["MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "80", "LC_ALL": "C.UTF-8"])
        #expect(rendered.exitCode == 0 && rendered.stderr.isEmpty, "\(rendered)")
        let text = rendered.stdout
        for heading in ["NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT"] {
            #expect(text.contains("\n" + heading + "\n"), "\(heading) missing:\n\(text)")
        }
        for command in Self.commands {
            #expect(text.contains("mcp-run \(command) [options]"), "'\(command)' missing:\n\(text)")
        }
        for option in ["--dry-run", "--summary", "--bearer-env", "--listen", "--no-color"] {
            #expect(text.contains(option), "'\(option)' missing:\n\(text)")
        }
    }
}
