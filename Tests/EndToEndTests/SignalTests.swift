import Basics
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// SIGINT, SIGTERM and SIGHUP, and the stdio servers' process groups (contract §6 and §8, issue #8):
/// an interrupted run writes its document with `cancelled` and exits 130, and neither a server nor
/// what its wrapper shell started outlives the run, interrupted or not.
@Suite("signals and stdio process groups", .timeLimit(.minutes(3)))
struct SignalTests {
    /// A folder with a stdio server `fixture` started through a wrapper shell that first leaves a
    /// grandchild behind (`sleep`, ignoring SIGTERM when `stubborn`), then writes the grandchild's
    /// and its own pid (which the server keeps: it is `exec`ed) to `grandchild.pid` and `server.pid`.
    struct WrappedServer {
        var folder: String
        var servers: String

        func pid(_ name: String) -> Int32? {
            (try? String(contentsOfFile: "\(folder)/\(name).pid", encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }

        /// Both pids, once the wrapper has written them (waiting up to 30 s).
        func pids() async -> (server: Int32, grandchild: Int32)? {
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if let server = pid("server"), let grandchild = pid("grandchild") { return (server, grandchild) }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }
    }

    /// - Parameter server: the command the wrapper `exec`s: by default the fixture server.
    static func wrappedServer(_ label: String, stubborn: Bool, server: String? = nil) throws -> WrappedServer {
        let folder = try temporaryDirectory(label)
        let (python, arguments) = try fixtureServerCommand("tools.py")
        let grandchild = stubborn ? "( trap '' TERM; exec sleep 300 ) &" : "sleep 300 &"
        let command = server ?? "'\(python)' " + arguments.map { "'\($0)'" }.joined(separator: " ")
        let script = """
            #!/bin/sh
            \(grandchild)
            echo $! > '\(folder)/grandchild.tmp' && mv '\(folder)/grandchild.tmp' '\(folder)/grandchild.pid'
            echo $$ > '\(folder)/server.tmp' && mv '\(folder)/server.tmp' '\(folder)/server.pid'
            exec \(command)

            """
        try writeExecutable(script, to: folder + "/server.sh")
        let servers = JSONValue.object(["fixture": ["transport": "stdio", "command": .string(folder + "/server.sh")]])
        return WrappedServer(folder: folder, servers: servers.serialized())
    }

    /// The test's environment for the binary, without the machine's own configuration.
    static func environment(servers: String) throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["MCP_SERVERS", "MCP_RUN_HOME", "XDG_CONFIG_HOME", "CI"] { environment[name] = nil }
        environment["MCP_SERVERS"] = servers
        environment["MCP_RUN_HOME"] = try temporaryDirectory("signals-home")
        return environment
    }

    /// Sends `signals` to `process` and expects it to exit on its own with 130 (not to be killed).
    static func interrupt(_ process: ChildProcess, with signals: [Int32]) async {
        for signal in signals { process.send(signal: signal) }
        let ended = await process.waitForExit(timeout: .seconds(60))
        if ended == nil { _ = await process.terminate(grace: .seconds(1)) }
        #expect(ended?.exitCode == 130 && ended?.signal == nil, "\(String(describing: ended)) \(process.stderr)")
    }

    /// Expects every pid to end (waiting up to 20 s); kills what is left so no test leaks it.
    static func expectGone(_ pids: (server: Int32, grandchild: Int32)) async {
        let left = await waitUntilGone([pids.server, pids.grandchild])
        #expect(left.isEmpty, "still running after mcp-run ended: \(left)")
        for pid in left { kill(pid, SIGKILL) }
    }

    /// Whether `pid` has ended: no such process, or a zombie nobody reaped yet (a container's init
    /// may never reap what is reparented to it).
    static func isGone(_ pid: Int32) -> Bool {
        if kill(pid, 0) != 0, errno == ESRCH { return true }
        return processStat(pid)?.state == "Z"
    }

    /// The state letter and process group of `pid`, from `/proc/<pid>/stat`.
    static func processStat(_ pid: Int32) -> (state: String, group: Int32)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let paren = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: paren)...].split(separator: " ")
        guard fields.count > 2, let group = Int32(fields[2]) else { return nil }
        return (String(fields[0]), group)
    }

    /// Waits up to `limit` for every pid in `pids` to end; returns those still running.
    static func waitUntilGone(_ pids: [Int32], limit: Duration = .seconds(20)) async -> [Int32] {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if pids.allSatisfy(isGone) { return [] }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return pids.filter { !isGone($0) }
    }

    /// Starts the binary on `workflow` with SIGHUP at its default disposition (a test process
    /// started under `nohup` would otherwise pass its "ignored" on), writing the document to `output`.
    static func start(_ workflow: String, server: WrappedServer, output: String) async throws -> ChildProcess {
        let environment = try environment(servers: server.servers)
        let reset =
            "import os, signal, sys; signal.signal(signal.SIGHUP, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
        return try await ChildProcess(
            executable: try venvPython(),
            arguments: ["-c", reset, try mcpRunBinary(), "run", workflow, "--format", "jsonl", "-o", output],
            environment: environment, workingDirectory: repoRoot)
    }

    /// Waits (bounded) until the slow step has started, so the server is up and a call is in flight.
    static func waitForSlowStep(_ process: ChildProcess) async -> Bool {
        await process.waitForStdoutLine(timeout: .seconds(60)) { line -> Bool? in
            line.contains("\"step.started\"") && line.contains("\"slow\"") ? true : nil
        } == true
    }

    @Test(
        "SIGINT, SIGTERM and SIGHUP: exit 130, the document says cancelled, the server and its wrapper's child are gone",
        arguments: [SIGINT, SIGTERM, SIGHUP])
    func interrupted(signal: Int32) async throws {
        let server = try Self.wrappedServer("signal-\(signal)", stubborn: false)
        let output = server.folder + "/results.json"
        let process = try await Self.start(fixture("workflows/slow-stdio.yaml"), server: server, output: output)
        let started = await Self.waitForSlowStep(process)
        #expect(started, "the slow step never started: \(process.stderr)")
        let pids = try #require(await server.pids(), "the wrapper never wrote its pids: \(process.stderr)")
        // The server leads a process group of its own, apart from mcp-run's.
        #expect(Self.processStat(pids.server)?.group == pids.server)
        #expect(Self.processStat(process.processIdentifier)?.group != pids.server)
        await Self.interrupt(process, with: [signal])
        let results = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: output))))
        #expect(results["status"] == "cancelled")
        #expect(results.step("slow")?["status"] == "cancelled")
        await Self.expectGone(pids)
    }

    @Test("a second signal ends the run at once with 130, and still ends the server's process group")
    func secondSignal() async throws {
        let server = try Self.wrappedServer("second-signal", stubborn: true)
        let process = try await Self.start(
            fixture("workflows/slow-stdio.yaml"), server: server, output: server.folder + "/results.json")
        let started = await Self.waitForSlowStep(process)
        #expect(started, "the slow step never started: \(process.stderr)")
        let pids = try #require(await server.pids(), "the wrapper never wrote its pids: \(process.stderr)")
        await Self.interrupt(process, with: [SIGINT, SIGINT])
        await Self.expectGone(pids)
    }

    @Test("SIGINT while 'mcp-run tools' waits for a stdio server ends the server's process group, exit 130")
    func toolsInterrupted() async throws {
        // A server that never answers `initialize` and ignores its stdin's end, with a grandchild.
        let server = try Self.wrappedServer("tools-signal", stubborn: false, server: "sleep 600")
        let process = try await ChildProcess(
            executable: try mcpRunBinary(), arguments: ["tools", "fixture"],
            environment: try Self.environment(servers: server.servers), workingDirectory: repoRoot)
        let pids = try #require(await server.pids(), "the wrapper never wrote its pids: \(process.stderr)")
        await Self.interrupt(process, with: [SIGINT])
        await Self.expectGone(pids)
    }

    @Test("a run that ends normally ends its servers' process groups, even a child that ignores SIGTERM")
    func normalEnd() async throws {
        let server = try Self.wrappedServer("normal-end", stubborn: true)
        let run = try await runMCPRun(
            ["run", fixture("workflows/sequential.yaml")], environment: ["MCP_SERVERS": server.servers])
        #expect(run.exitCode == 0, "\(run)")
        let pids = try #require(await server.pids(), "the wrapper never wrote its pids: \(run)")
        await Self.expectGone(pids)
    }
}
