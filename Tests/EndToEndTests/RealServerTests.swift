import Basics
import Foundation
import TestSupport
import Testing

/// The binary against real servers from PyPI, each over every transport it offers and in each
/// protocol era it speaks (contract §8, issue #10 point 4): the official `mcp-server-git` on a
/// repository the test creates (stdio; also behind `mcp-proxy` over Streamable HTTP and legacy
/// HTTP+SSE) and the official `mcp-server-time` over stdio. `TransportTests` runs
/// `mcp-server-time` behind `mcp-proxy`.
@Suite("real servers end to end", .timeLimit(.minutes(5)))
struct RealServerTests {
    @Test(
        "mcp-server-git over stdio: status, diffs, log and add on the test's repository, in each era",
        arguments: [nil, "2026-07-28", "2025-11-25"] as [String?])
    func gitOverStdio(pin: String?) async throws {
        let repository = try await makeGitRepository()
        var server: [String: JSONValue] = [
            "transport": "stdio", "command": .string(try venvExecutable("mcp-server-git")),
            "args": ["--repository", .string(repository)],
        ]
        if let pin { server["protocolVersion"] = .string(pin) }
        let run = try await runGitReview(repository: repository, server: server)
        try await expectGitReview(run, repository: repository)
        let results = try run.json()
        #expect(results["servers"]?["git"]?["transport"] == "stdio", "\(run)")
        // mcp-server-git 2026.10.19 is built on mcp 2.3, which speaks 2026-07-28 and the handshake.
        #expect(results["servers"]?["git"]?["protocolVersion"] == .string(pin ?? "2026-07-28"), "\(run)")
        if pin == nil {
            #expect(run.stderr.contains("protocol 2026-07-28 (modern, no handshake)"), "\(run)")
        }
    }

    /// mcp-proxy 0.13 (SDK 1.x) serves its stdio child over Streamable HTTP at `/mcp` (with
    /// sessions, or without them under `--stateless`) and legacy HTTP+SSE at `/sse`: the
    /// handshake era only. `sse` (the default) negotiates; the results
    /// document's `servers` records what was spoken.
    @Test(
        "mcp-server-git behind mcp-proxy over each of its transports",
        arguments: [
            ProxyRoute(transport: "sse", path: "/mcp", spoken: "streamable-http", version: "2025-11-25"),
            ProxyRoute(transport: "sse", path: "/sse", spoken: "http-sse", version: "2025-11-25"),
            ProxyRoute(transport: "streamable-http", path: "/mcp", spoken: "streamable-http", version: "2025-11-25"),
            ProxyRoute(transport: "http-sse", path: "/sse", spoken: "http-sse", version: "2025-11-25"),
            ProxyRoute(
                transport: "streamable-http", path: "/mcp", spoken: "streamable-http", version: "2025-11-25",
                proxyArguments: ["--stateless"]),
        ])
    func gitThroughProxy(route: ProxyRoute) async throws {
        let repository = try await makeGitRepository()
        let child = [try venvExecutable("mcp-server-git"), "--repository", repository]
        try await withMCPProxy(arguments: route.proxyArguments, child: child) { baseURL in
            let server: [String: JSONValue] = [
                "url": .string(baseURL + route.path), "transport": .string(route.transport),
            ]
            let run = try await runGitReview(repository: repository, server: server)
            try await expectGitReview(run, repository: repository)
            let results = try run.json()
            #expect(results["servers"]?["git"]?["transport"] == .string(route.spoken), "\(run)")
            #expect(results["servers"]?["git"]?["protocolVersion"] == .string(route.version), "\(run)")
            if route.transport != "http-sse" {
                // The modern probe first; mcp-proxy's SDK 1.x answers it as a legacy server.
                #expect(run.stderr.contains("trying 2026-07-28 (server/discover) first"), "\(run)")
            }
        }
    }

    @Test("mcp-server-time over stdio, in each era", arguments: [nil, "2025-11-25"] as [String?])
    func timeOverStdio(pin: String?) async throws {
        var server: [String: JSONValue] = [
            "transport": "stdio", "command": .string(try venvExecutable("mcp-server-time")),
            "args": ["--local-timezone", "UTC"],
        ]
        if let pin { server["protocolVersion"] = .string(pin) }
        let servers = JSONValue.object(["time": .object(server)]).serialized()
        let run = try await runMCPRun(
            ["run", fixture("workflows/proxied-time.yaml"), "-v"], environment: ["MCP_SERVERS": servers])
        #expect(run.exitCode == 0, "\(run)")
        let results = try run.json()
        #expect(results["outputs"]?["zone"] == "Europe/Paris", "\(run)")
        #expect(results["outputs"]?["datetime"]?.stringValue?.isEmpty == false, "\(run)")
        #expect(results["servers"]?["time"]?["protocolVersion"] == .string(pin ?? "2026-07-28"), "\(run)")
    }
}

/// One way to reach a server behind mcp-proxy, and what the results document must then record.
struct ProxyRoute: CustomStringConvertible, Sendable {
    /// The server block's `transport`.
    var transport: String
    /// mcp-proxy's endpoint: `/mcp` (Streamable HTTP) or `/sse` (legacy HTTP+SSE).
    var path: String
    /// The transport the results document records.
    var spoken: String
    /// The protocol version the results document records.
    var version: String
    /// mcp-proxy's options: `--stateless` serves Streamable HTTP without sessions.
    var proxyArguments: [String] = []
    var description: String { "transport \(transport) to \(path)" + proxyArguments.map { " \($0)" }.joined() }
}

/// `name` in the fixtures' venv's `bin` (next to `venvPython()`).
private func venvExecutable(_ name: String) throws -> String {
    let path = URL(fileURLWithPath: try venvPython()).deletingLastPathComponent().appendingPathComponent(name).path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw TestSupportError("no '\(path)'", hint: "run scripts/setup (fixtures/requirements.txt installs it)")
    }
    return path
}

/// Runs a shell script with git on PATH and no user or system git configuration; returns its stdout.
private func shell(_ script: String, in directory: String) async throws -> String {
    let environment = [
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory,
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "LC_ALL": "C",
    ]
    let process = try await ChildProcess(
        executable: "/bin/sh", arguments: ["-ec", script], environment: environment, workingDirectory: directory)
    guard let ended = await process.waitForExit(timeout: .seconds(30)) else {
        await process.terminate()
        throw TestSupportError("'\(script)' did not finish within 30 s", output: process.stderr)
    }
    guard ended.exitCode == 0, await process.waitForOutputClosed(timeout: .seconds(5)) else {
        throw TestSupportError(
            "'\(script)' failed (exit \(ended.exitCode))", hint: "is git installed? run scripts/setup",
            output: process.stderr)
    }
    return process.stdout
}

/// A new repository in a temporary folder: notes.txt committed as "one" (commit `first`), then
/// "one two" (commit `second`), then changed to "one two three" and left unstaged.
private func makeGitRepository() async throws -> String {
    let directory = try temporaryDirectory("git-repository")
    _ = try await shell(
        """
        git init -q -b main .
        git config user.name 'Test Author'
        git config user.email author@example.invalid
        printf 'one\\n' > notes.txt
        git add notes.txt
        git commit -q -m first
        printf 'one\\ntwo\\n' > notes.txt
        git commit -q -am second
        printf 'one\\ntwo\\nthree\\n' > notes.txt
        """, in: directory)
    return directory
}

/// Runs `git-review.yaml` with `server` as `git`.
private func runGitReview(repository: String, server: [String: JSONValue]) async throws -> RunOutput {
    let servers = JSONValue.object(["git": .object(server)]).serialized()
    return try await runMCPRun(
        ["run", fixture("workflows/git-review.yaml"), "--input", "repo=\(repository)", "-v"],
        environment: ["MCP_SERVERS": servers])
}

/// What every transport of mcp-server-git must give for `git-review.yaml`, and the one change the
/// run made in the repository (notes.txt staged).
private func expectGitReview(_ run: RunOutput, repository: String) async throws {
    #expect(run.exitCode == 0, "\(run)")
    let results = try run.json()
    #expect(results["status"] == "succeeded", "\(run)")
    let outputs = results["outputs"]
    let status = outputs?["status"]?.stringValue ?? ""
    #expect(status.contains("modified:") && status.contains("notes.txt"), "\(run)")
    #expect(outputs?["unstaged"]?.stringValue?.contains("\n+three") == true, "\(run)")
    let log = outputs?["log"]?.stringValue ?? ""
    #expect(log.contains("Message: second") && log.contains("Message: first"), "\(run)")
    #expect(log.contains("Author: Test Author"), "\(run)")
    let sinceFirst = outputs?["sinceFirst"]?.stringValue ?? ""
    #expect(sinceFirst.contains("\n+two") && sinceFirst.contains("\n+three"), "\(run)")
    #expect(outputs?["staged"]?.stringValue?.contains("\n+three") == true, "\(run)")
    // The server's own guard against flag injection: a tool error, tolerated by the step.
    #expect(outputs?["injection"] == "failed", "\(run)")
    let injection = results.step("injection")?["result"]
    #expect(injection?["isError"] == true, "\(run)")
    #expect(injection?["content"]?[0]?["text"]?.stringValue?.contains("cannot start with '-'") == true, "\(run)")
    let staged = try await shell("git diff --cached --name-only", in: repository)
    #expect(staged == "notes.txt\n", "the run staged notes.txt: \(staged)")
}

/// Runs `mcp-proxy` from `.venv-proxy` on a free port of 127.0.0.1 with `child` as its stdio
/// server, and passes `body` its base URL; stops it afterwards. mcp-proxy reports the port it
/// bound only in uvicorn's log line on stderr, which a shell folds into stdout.
func withMCPProxy(
    arguments: [String] = [], child: [String], _ body: (String) async throws -> Void
) async throws {
    let proxy = repoPath(".venv-proxy/bin/mcp-proxy")
    guard FileManager.default.isExecutableFile(atPath: proxy) else {
        throw TestSupportError("no '\(proxy)'", hint: "run scripts/setup (it installs .venv-proxy)")
    }
    let process = try await ChildProcess(
        executable: "/bin/sh",
        arguments: ["-c", #"exec "$0" "$@" 2>&1"#, proxy, "--host", "127.0.0.1", "--port", "0"] + arguments + ["--"]
            + child,
        environment: ProcessInfo.processInfo.environment, workingDirectory: repoRoot)
    let marker = "Uvicorn running on http://127.0.0.1:"
    let port = await process.waitForStdoutLine(timeout: .seconds(30)) { line -> Int? in
        guard let range = line.range(of: marker) else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
    do {
        guard let port else {
            throw TestSupportError(
                "mcp-proxy did not report its port within 30 s", hint: "run scripts/setup", output: process.stdout)
        }
        try await body("http://127.0.0.1:\(port)")
        await process.terminate()
    } catch {
        await process.terminate()
        throw error
    }
}
