import Foundation
import TestSupport
import Testing

/// `scripts/install PREFIX` (issue #12): a release binary with the static Swift standard library,
/// its man page and completions, installed into a temporary prefix and used from there.
///
/// With `MCP_RUN_RELEASE_BINARY` set the script installs that build; without it, it builds one
/// (in `.build/install`), which takes minutes: hence the long time limit.
@Suite("scripts/install", .timeLimit(.minutes(30)))
struct InstallTests {
    @Test("installs a statically linked binary, its man page and completions, and a second run changes nothing")
    func install() async throws {
        let prefix = try temporaryDirectory("install-prefix") + "/usr"
        var environment: [String: String] = [:]
        if let release = ProcessInfo.processInfo.environment["MCP_RUN_RELEASE_BINARY"], !release.isEmpty {
            environment["MCP_RUN_RELEASE_BINARY"] = release
        }
        let first = try await runProgram(
            repoRoot + "/scripts/install", [prefix], environment: environment, deadline: .seconds(1500))
        #expect(first.exitCode == 0 && first.stdout.isEmpty, "\(first)")
        let files = [
            "bin/mcp-run", "share/man/man1/mcp-run.1", "share/bash-completion/completions/mcp-run",
            "share/zsh/site-functions/_mcp-run", "share/fish/vendor_completions.d/mcp-run.fish",
        ]
        for file in files {
            #expect(first.stderr.contains("installed \(prefix)/\(file)"), "\(first)")
        }

        let binary = prefix + "/bin/mcp-run"
        let version = try await runProgram(binary, ["--version"])
        #expect(version.exitCode == 0 && version.stdout.hasPrefix("mcp-run "), "\(version)")
        // The Swift runtime is linked in: the binary needs no toolchain at run time.
        let linked = try await runProgram("/usr/bin/ldd", [binary])
        #expect(linked.exitCode == 0, "\(linked)")
        #expect(!linked.stdout.contains("libswiftCore"), "\(linked.stdout)")
        #expect(!linked.stdout.contains("libFoundation"), "\(linked.stdout)")
        #expect(linked.stdout.contains("libcurl") && linked.stdout.contains("libyaml"), "\(linked.stdout)")

        // `man mcp-run` finds the page under the prefix.
        let page = try await runProgram(
            "/usr/bin/man", ["mcp-run"],
            environment: ["MANPATH": prefix + "/share/man", "MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "80"])
        #expect(page.exitCode == 0 && page.stdout.contains("EXIT STATUS"), "\(page)")

        // The installed bash completion completes a command.
        let program = """
            source '\(prefix)/share/bash-completion/completions/mcp-run'
            COMP_WORDS=(mcp-run valid); COMP_CWORD=1; _mcp_run; printf '%s\\n' "${COMPREPLY[@]}"
            """
        let completed = try await runProgram("/bin/bash", ["--norc", "--noprofile", "-c", program])
        #expect(completed.stdout == "validate\n", "\(completed)")

        // Idempotent: the second run (the binary just installed) leaves every file alone.
        let second = try await runProgram(
            repoRoot + "/scripts/install", [prefix], environment: ["MCP_RUN_RELEASE_BINARY": binary],
            deadline: .seconds(120))
        #expect(second.exitCode == 0, "\(second)")
        for file in files {
            #expect(second.stderr.contains("unchanged \(prefix)/\(file)"), "\(second)")
        }
    }
}
