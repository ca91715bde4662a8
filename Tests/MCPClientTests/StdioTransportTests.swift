import Basics
import Foundation
import Testing

@testable import MCPClient

@Suite("stdio transport helpers")
struct StdioTransportTests {
    @Test("the child environment is the allow-list plus the configured variables, which win")
    func environmentAllowList() {
        let environment = StdioTransport.environment(adding: [
            "API_TOKEN": Secret("t0k3n-fake"), "HOME": Secret("/srv"),
        ])
        let allowed = Set(StdioTransport.inheritedVariables + ["API_TOKEN"])
        #expect(Set(environment.keys).isSubset(of: allowed))
        #expect(environment["API_TOKEN"] == "t0k3n-fake")
        #expect(environment["HOME"] == "/srv")
        #expect(environment["PATH"] == ProcessInfo.processInfo.environment["PATH"])
    }

    @Test("commands are looked up on PATH; paths are used as given")
    func resolve() {
        #expect(StdioTransport.resolve("sh", path: "/nonexistent:/bin", directory: nil) == "/bin/sh")
        #expect(StdioTransport.resolve("mcp-run-no-such-command", path: "/bin:/usr/bin", directory: nil) == nil)
        #expect(StdioTransport.resolve("/bin/sh", path: nil, directory: nil) == "/bin/sh")
        #expect(StdioTransport.resolve("./sh", path: nil, directory: "/bin") == "/bin/./sh")
        #expect(StdioTransport.resolve("bin", path: "/", directory: nil) == nil, "a directory is not a command")
    }

    @Test("an exit error names the status and the last stderr line, with the tail in the hint")
    func endedError() {
        let error = StdioTransport.endedError(
            exit: .exited(2), pid: 1, tail: ["starting", "Traceback …", "KeyError: 'TOKEN'", ""], server: "s")
        #expect(error.code == .closed)
        #expect(error.message == "the server process exited with status 2: KeyError: 'TOKEN'")
        #expect(error.hint?.contains("Traceback") == true)
        #expect(
            StdioTransport.endedError(exit: .signaled(9), pid: 1, tail: [], server: "s").message
                == "the server process was killed by signal 9")
    }
}
