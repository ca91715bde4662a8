import Foundation

/// The repository's root folder, found from this file's location (`Tests/TestSupport/Paths.swift`).
package let repoRoot: String = {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the root
        .path
}()

/// The Python interpreter of the fixtures' virtualenv: `$MCP_RUN_VENV/bin/python`, else
/// `<repoRoot>/.venv/bin/python`.
///
/// - Throws: `TestSupportError` with the hint `run scripts/setup` when the interpreter or the
///   official MCP SDK in it is missing. A missing SDK fails the test; nothing skips it.
package func venvPython() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    let venv = environment["MCP_RUN_VENV"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(repoRoot)/.venv"
    let python = "\(venv)/bin/python"
    guard FileManager.default.isExecutableFile(atPath: python) else {
        throw TestSupportError(
            "no Python virtualenv at '\(venv)' (from \(environment["MCP_RUN_VENV"] == nil ? "the default" : "MCP_RUN_VENV"))",
            hint: "run scripts/setup (it installs the official MCP Python SDK into .venv)")
    }
    let sdk = "\(venv)/lib"
    let hasSDK =
        (try? FileManager.default.contentsOfDirectory(atPath: sdk))?.contains { version in
            FileManager.default.fileExists(atPath: "\(sdk)/\(version)/site-packages/mcp/server/mcpserver")
        } ?? false
    guard hasSDK else {
        throw TestSupportError(
            "the virtualenv at '\(venv)' has no mcp 2.x SDK (mcp.server.mcpserver)",
            hint: "run scripts/setup")
    }
    return python
}

/// The `mcp-run` binary under test: `$MCP_RUN_BINARY`, else `<repoRoot>/.build/debug/mcp-run`.
///
/// - Throws: `TestSupportError` when it is not an executable file.
package func mcpRunBinary() throws -> String {
    let fromEnvironment = ProcessInfo.processInfo.environment["MCP_RUN_BINARY"].flatMap { $0.isEmpty ? nil : $0 }
    let binary = fromEnvironment ?? "\(repoRoot)/.build/debug/mcp-run"
    guard FileManager.default.isExecutableFile(atPath: binary) else {
        throw TestSupportError(
            "no mcp-run binary at '\(binary)'",
            hint: fromEnvironment == nil
                ? "run 'swift build --product mcp-run' (or scripts/test), or set MCP_RUN_BINARY"
                : "MCP_RUN_BINARY points at a missing file; rebuild or unset it")
    }
    return binary
}

/// The absolute path of `relativePath` inside the repository.
package func repoPath(_ relativePath: String) -> String {
    "\(repoRoot)/\(relativePath)"
}

/// The command line that starts the fixture server `script` (in `fixtures/servers/`), for stdio
/// server definitions: `command` is the venv's Python, `arguments` the script and `extraArguments`.
///
/// - Throws: `TestSupportError` when the venv is missing (see `venvPython()`).
package func fixtureServerCommand(
    _ script: String, arguments extraArguments: [String] = ["--transport", "stdio"]
) throws -> (command: String, arguments: [String]) {
    (try venvPython(), [repoPath("fixtures/servers/\(script)")] + extraArguments)
}

/// Creates a new, empty folder of its own for one test, under the system's temporary folder.
///
/// The folder is left behind for post-mortems; the system cleans its temporary folder.
/// - Parameter label: a readable part of the folder's name, e.g. the test's subject.
/// - Throws: the file system's error when the folder cannot be created.
package func temporaryDirectory(_ label: String = "test") throws -> String {
    let safeLabel = String(label.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(40))
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("mcp-run-tests", isDirectory: true)
        .appendingPathComponent("\(safeLabel)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

/// Runs `body` with a new temporary folder, and removes the folder afterwards, also when `body` throws.
///
/// - Throws: whatever `body` throws, or the file system's error when the folder cannot be created.
package func withTemporaryDirectory<R>(
    _ label: String = "test", _ body: (String) async throws -> R
) async throws -> R {
    let directory = try temporaryDirectory(label)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try await body(directory)
}

/// The absolute path of `Tests/EndToEndTests/Fixtures/<relativePath>`.
///
/// For example `fixture("workflows/tool-error.yaml")`.
package func fixture(_ relativePath: String) -> String {
    repoPath("Tests/EndToEndTests/Fixtures/\(relativePath)")
}
