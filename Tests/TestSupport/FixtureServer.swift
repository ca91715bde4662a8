import Foundation

/// A running fixture MCP server from `fixtures/servers/`, listening on 127.0.0.1.
///
/// Obtained from `withServer(_:arguments:environment:body:)`, which stops it when its scope ends.
package struct FixtureServer: Sendable {
    /// The port the server bound (it binds port 0 and announces the port as `READY <port>`).
    package let port: Int
    /// The server process: its stderr so far, and `send(signal:)` for tests that kill it mid-run.
    package let process: ChildProcess

    /// The MCP endpoint's path: `/sse` for `--transport sse` (legacy HTTP+SSE), else `/mcp`.
    package let endpointPath: String

    /// `http://127.0.0.1:<port>`.
    package var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The MCP endpoint's URL: `http://127.0.0.1:<port>/mcp`, or `…/sse` for legacy HTTP+SSE.
    package var endpoint: String { baseURL + endpointPath }

    /// `http://127.0.0.1:<port><path>`.
    ///
    /// - Parameter path: `/mcp` for Streamable HTTP (the default), `/sse` for legacy HTTP+SSE.
    package func url(path: String = "/mcp") -> String { baseURL + path }

    /// Everything the server wrote to stderr so far (its logs and tracebacks).
    package var stderr: String { process.stderr }
}

/// How long a fixture server may take to print `READY <port>`.
package let fixtureServerStartDeadline: Duration = .seconds(30)

/// Starts `fixtures/servers/<script>` with the venv's Python, waits for its `READY <port>` line,
/// runs `body` with it, and stops it (SIGTERM, then SIGKILL) when `body` returns or throws.
///
/// The server runs with the test process's environment plus `environment` and
/// `PYTHONUNBUFFERED=1`, in the repository root.
///
/// ```swift
/// try await withServer("tools.py", arguments: ["--transport", "streamable-http", "--json-response"]) { server in
///     let run = try await runMCPRun(["run", workflow], environment: ["SERVER_URL": server.url(path: "/mcp")])
///     #expect(run.exitCode == 0, "\(run)")
/// }
/// ```
///
/// - Parameters:
///   - script: a file name in `fixtures/servers/`, e.g. `tools.py`.
///   - arguments: the script's arguments, e.g. `["--transport", "sse", "--auth", "bearer"]`.
///   - environment: extra environment variables (`FIXTURE_TOKEN`, …).
/// - Throws: `TestSupportError` when the venv is missing (hint: `run scripts/setup`), or when the
///   server exits or stays silent for `fixtureServerStartDeadline` (with its stderr); else
///   whatever `body` throws. The server is stopped before anything is thrown.
package func withServer<R>(
    _ script: String, arguments: [String], environment: [String: String] = [:],
    body: (FixtureServer) async throws -> R
) async throws -> R {
    let python = try venvPython()
    let scriptPath = repoPath("fixtures/servers/\(script)")
    guard FileManager.default.fileExists(atPath: scriptPath) else {
        throw TestSupportError("no fixture server '\(script)' in fixtures/servers/")
    }
    var childEnvironment = ProcessInfo.processInfo.environment
    childEnvironment.merge(environment) { _, new in new }
    childEnvironment["PYTHONUNBUFFERED"] = "1"
    let startEnvironment = childEnvironment
    // Started through the gate: see `StartGate` for why; the deadline counts from here.
    let (process, port) = try await fixtureStartGate.run { () async throws -> (ChildProcess, Int?) in
        let process = try await ChildProcess(
            executable: python, arguments: ["-u", scriptPath] + arguments, environment: startEnvironment,
            workingDirectory: repoRoot)
        let port = await process.waitForStdoutLine(timeout: fixtureServerStartDeadline) { line -> Int? in
            let words = line.split(separator: " ")
            guard words.count == 2, words[0] == "READY" else { return nil }
            return Int(words[1])
        }
        return (process, port)
    }
    guard let port else {
        let ended = await process.terminate(grace: .seconds(1))
        _ = await process.waitForOutputClosed(timeout: .seconds(1))
        let why =
            if let ended { "exited with status \(ended.exitCode) before printing READY <port>" } else {
                "did not print READY <port> within \(fixtureServerStartDeadline)"
            }
        throw TestSupportError(
            "fixture server \(ChildProcess.render(process.commandLine)) \(why)",
            hint: "run it by hand to see why; run scripts/setup if the SDK is missing",
            output: "stdout:\n\(process.stdout)\nstderr:\n\(process.stderr)")
    }

    let isLegacySSE = zip(arguments, arguments.dropFirst()).contains { $0 == ("--transport", "sse") }
    let server = FixtureServer(port: port, process: process, endpointPath: isLegacySSE ? "/sse" : "/mcp")
    do {
        let result = try await body(server)
        await process.terminate()
        return result
    } catch {
        await process.terminate()
        throw error
    }
}

/// The HTTP flavours of `tools.py`, for `withServer(_:transport:arguments:environment:body:)`.
package enum FixtureTransport: Sendable, CaseIterable {
    /// Streamable HTTP at `/mcp`, answering POSTs with SSE streams (the SDK's default).
    case streamableHTTP
    /// Streamable HTTP at `/mcp`, answering POSTs with plain JSON bodies (`--json-response`).
    case streamableHTTPJSON
    /// Streamable HTTP at `/mcp` without sessions (`--stateless`), SSE responses.
    case streamableHTTPStateless
    /// Legacy HTTP+SSE (MCP 2024-11-05): GET `/sse`, POST `/messages/?session_id=…`.
    case legacySSE

    /// The server's command-line arguments for this transport.
    package var arguments: [String] {
        switch self {
        case .streamableHTTP: ["--transport", "streamable-http"]
        case .streamableHTTPJSON: ["--transport", "streamable-http", "--json-response"]
        case .streamableHTTPStateless: ["--transport", "streamable-http", "--stateless"]
        case .legacySSE: ["--transport", "sse"]
        }
    }
}

/// Starts `script` with `transport`'s arguments followed by `arguments`, like `withServer(_:arguments:…)`.
///
/// `arguments` adds options such as `["--auth", "bearer"]`.
///
/// - Throws: as `withServer(_:arguments:environment:body:)`.
package func withServer<R>(
    _ script: String, transport: FixtureTransport, arguments: [String] = [], environment: [String: String] = [:],
    body: (FixtureServer) async throws -> R
) async throws -> R {
    try await withServer(script, arguments: transport.arguments + arguments, environment: environment, body: body)
}
