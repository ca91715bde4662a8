import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

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

/// Writes `text` to a new executable (0755) file at `path`, through a descriptor opened with
/// `O_CLOEXEC`.
///
/// A process that a parallel test starts while the file is being written would otherwise inherit
/// the writable descriptor and keep it for its whole life, and running the file would then fail
/// with ETXTBSY ("text file busy"): `FileManager` and `String.write` do not set close-on-exec.
/// - Throws: `TestSupportError` when the file cannot be written.
package func writeExecutable(_ text: String, to path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw TestSupportError("cannot create '\(path)': errno \(errno)") }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
        let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { throw TestSupportError("cannot write '\(path)': errno \(errno)") }
        written += count
    }
    guard fchmod(fd, 0o755) == 0 else { throw TestSupportError("cannot make '\(path)' executable") }
}
