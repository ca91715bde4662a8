import Basics
import Foundation
import HTTP
import TestSupport

/// A running `mcp-run serve` on 127.0.0.1 and a port of its choosing.
struct RunningGateway: Sendable {
    let process: ChildProcess
    let port: Int
    let apiKey: String

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// One answer: status, body text, body as JSON (null when not JSON).
    struct Answer: Sendable, CustomStringConvertible {
        var status: Int
        var text: String
        var json: JSONValue { (try? JSONValue.parse(text)) ?? .null }
        var description: String { "\(status) \(text)" }
    }

    /// Sends one request; `apiKey` nil: the gateway's key; "" sends none.
    func request(
        _ method: String, _ path: String, body: String? = nil, apiKey: String? = nil
    ) async throws -> Answer {
        var headers: [HTTPHeader] = []
        let key = apiKey ?? self.apiKey
        if !key.isEmpty { headers.append(HTTPHeader(name: "X-API-Key", value: .plain(key))) }
        if body != nil { headers.append(HTTPHeader(name: "Content-Type", value: .plain("application/json"))) }
        let response = try await HTTPClient.shared.send(
            HTTPRequest(
                method: method, url: baseURL + path, headers: headers, body: body.map { Array($0.utf8) },
                timeout: .seconds(60), connectTimeout: .seconds(10)))
        let bytes = try await response.body.collect(limit: 4_000_000)
        return Answer(status: response.status, text: String(decoding: bytes, as: UTF8.self))
    }

    /// Sends SIGTERM and waits for the exit.
    func stop() async -> ChildProcess.Termination? {
        process.send(signal: SIGTERM)
        return await process.waitForExit(timeout: .seconds(30))
    }
}

/// Starts `mcp-run serve --listen 127.0.0.1:0` with `MCP_RUN_HOME` = `home` while `body` runs, then
/// stops it with SIGTERM (if `body` did not).
func withGateway<R>(
    home: String, environment: [String: String] = [:], arguments: [String] = [], apiKey: String = "gw-key-5f1e",
    _ body: (RunningGateway) async throws -> R
) async throws -> R {
    var childEnvironment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home]
    childEnvironment["MCP_RUN_HOME"] = home
    childEnvironment["MCP_RUN_API_KEY"] = apiKey
    childEnvironment.merge(environment) { _, new in new }
    let process = try await ChildProcess(
        executable: try mcpRunBinary(), arguments: ["serve", "--listen", "127.0.0.1:0"] + arguments,
        environment: childEnvironment)
    let port = await process.waitForStderrLine(timeout: .seconds(30)) { line -> Int? in
        guard let range = line.range(of: "listening on http://127.0.0.1:") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
    guard let port else {
        _ = await process.terminate(grace: .seconds(1))
        throw TestSupportError("mcp-run serve did not start", output: "stderr:\n\(process.stderr)")
    }
    let gateway = RunningGateway(process: process, port: port, apiKey: apiKey)
    do {
        let result = try await body(gateway)
        _ = await process.terminate(grace: .seconds(25))
        return result
    } catch {
        _ = await process.terminate(grace: .seconds(25))
        throw error
    }
}
