import Foundation

// TODO(#fixtures): replace with TestSupport's fixtureServerCommand once the fixtures branch lands.
func fixtureCommand(_ script: String) throws -> (command: String, arguments: [String]) {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    let venv = ProcessInfo.processInfo.environment["MCP_RUN_VENV"] ?? "\(root)/.venv"
    return ("\(venv)/bin/python", ["\(root)/fixtures/servers/\(script)", "--transport", "stdio"])
}
