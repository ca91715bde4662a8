import Basics
import Foundation
import TestSupport
import Testing

/// Lists cached across runs for their `ttlMs` (contract §8, Lists; MCP 2026-07-28, Caching),
/// through the binary against `fixtures/servers/eras.py` (the official Python SDK 2.3.0, its
/// list results' `ttlMs`/`cacheScope` set through the SDK's `cache_hints`). Whether a run listed
/// the tools is checked at the server, with the fixture's `seen` record of every request.
@Suite("list cache end to end", .timeLimit(.minutes(3)))
struct ListCacheTests {
    /// The fixture's arguments: JSON responses, lists fresh for `ttl` ms in `scope`.
    static func serverArguments(ttl: Int, scope: String = "private", extra: [String] = []) -> [String] {
        ["--transport", "streamable-http", "--json-response", "--list-ttl-ms", String(ttl), "--list-scope", scope]
            + extra
    }

    /// A workflow calling `tool`, then `seen`; its server sends `Authorization: Bearer $TOKEN`.
    static func workflow(url: String, tool: String = "echo") -> String {
        """
        name: cached
        servers:
          eras:
            url: \(url)
            transport: streamable-http
            headers:
              Authorization: "Bearer ${{ env.TOKEN }}"
        steps:
          - id: first
            server: eras
            tool: \(tool)
            arguments: \(tool == "echo" ? "{ text: hi }" : "{}")
          - id: seen
            server: eras
            tool: seen
            needs: [first]
        """
    }

    /// One run of `workflow` in `home` (its `MCP_RUN_HOME`); the run, and how many `tools/list`
    /// the server has answered since it started.
    static func run(
        _ server: FixtureServer, home: String, tool: String = "echo", token: String = "alpha",
        extra: [String] = []
    ) async throws -> (RunOutput, listings: Int) {
        let path = home + "/cached.yaml"
        try workflow(url: server.url(), tool: tool).write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await runMCPRun(
            ["run", path, "-o", "-", "-v"] + extra, environment: ["MCP_RUN_HOME": home, "TOKEN": token])
        let requests = try run.json().step("seen")?["result"]?["structuredContent"]?["requests"]?.arrayValue ?? []
        return (run, requests.filter { $0["method"] == "tools/list" }.count)
    }

    /// The list cache files under `home`.
    static func cacheFiles(_ home: String) -> [String] {
        let directory = home + "/cache/lists"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { directory + "/" + $0 }
    }

    @Test("a tool list with a ttlMs is reused by the next run: the server sees no second tools/list")
    func reusedBySecondRun() async throws {
        try await withServer("eras.py", arguments: Self.serverArguments(ttl: 600_000)) { server in
            try await withTemporaryDirectory("list-cache") { home in
                let (first, firstListings) = try await Self.run(server, home: home)
                #expect(first.exitCode == 0, "\(first)")
                #expect(firstListings == 1, "\(first)")
                #expect(first.stderr.contains("tools/list: cached the list for 10m (private scope)"), "\(first)")
                let files = Self.cacheFiles(home)
                #expect(files.count == 2, "server/discover and tools/list: \(files)")
                for file in files {
                    let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
                    #expect(mode == 0o600, "\(file)")
                    let text = try String(contentsOfFile: file, encoding: .utf8)
                    #expect(!text.contains("alpha"), "the credential itself is never stored: \(text)")
                }
                let (second, secondListings) = try await Self.run(server, home: home)
                #expect(second.exitCode == 0, "\(second)")
                #expect(secondListings == 1, "the second run listed again: \(second)")
                #expect(
                    second.stderr.contains("[eras] tools/list: using the cached list (this credential's"), "\(second)")
                #expect(try second.json().step("first")?["result"]?["content"]?[0]?["text"] == "hi", "\(second)")
                // The discovery result is cacheable too: the second run sent no server/discover.
                let requests =
                    try second.json().step("seen")?["result"]?["structuredContent"]?["requests"]?.arrayValue ?? []
                #expect(requests.filter { $0["method"] == "server/discover" }.count == 1, "\(second)")
                #expect(second.stderr.contains("server/discover: using the cached result"), "\(second)")
                #expect(try second.json()["servers"]?["eras"]?["protocolVersion"] == "2026-07-28", "\(second)")
            }
        }
    }

    @Test("a cached list is not used once its ttlMs has passed")
    func expiresAfterTTL() async throws {
        try await withServer("eras.py", arguments: Self.serverArguments(ttl: 1000)) { server in
            try await withTemporaryDirectory("list-cache") { home in
                let (first, _) = try await Self.run(server, home: home)
                #expect(first.exitCode == 0, "\(first)")
                #expect(Self.cacheFiles(home).count == 2, "\(first)")
                // The list was received before the run ended: 1.1 s later its 1 s have passed.
                try await Task.sleep(for: .milliseconds(1100))
                let (second, listings) = try await Self.run(server, home: home)
                #expect(second.exitCode == 0, "\(second)")
                #expect(listings == 2, "the expired list was used: \(second)")
                #expect(!second.stderr.contains("using the cached list"), "\(second)")
            }
        }
    }

    @Test("--no-cache lists afresh, and a list whose ttlMs is 0 is never cached")
    func noCacheAndZeroTTL() async throws {
        try await withServer("eras.py", arguments: Self.serverArguments(ttl: 600_000)) { server in
            try await withTemporaryDirectory("list-cache") { home in
                let (bypassed, _) = try await Self.run(server, home: home, extra: ["--no-cache"])
                #expect(bypassed.exitCode == 0, "\(bypassed)")
                #expect(Self.cacheFiles(home).isEmpty, "--no-cache kept a list")
                _ = try await Self.run(server, home: home)
                let (again, listings) = try await Self.run(server, home: home, extra: ["--no-cache"])
                #expect(again.exitCode == 0, "\(again)")
                #expect(listings == 3, "--no-cache used the cached list: \(again)")
                #expect(!again.stderr.contains("using the cached list"), "\(again)")
            }
        }
        try await withServer("eras.py", arguments: Self.serverArguments(ttl: 0)) { server in
            try await withTemporaryDirectory("list-cache") { home in
                _ = try await Self.run(server, home: home)
                let (second, listings) = try await Self.run(server, home: home)
                #expect(second.exitCode == 0, "\(second)")
                #expect(listings == 2, "\(second)")
                #expect(Self.cacheFiles(home).isEmpty, "a ttlMs 0 list was kept")
            }
        }
    }

    @Test("a legacy (handshake) session never uses or keeps a cached list")
    func legacyServer() async throws {
        let arguments = Self.serverArguments(ttl: 600_000, extra: ["--legacy-only"])
        try await withServer("eras.py", arguments: arguments) { server in
            try await withTemporaryDirectory("list-cache") { home in
                _ = try await Self.run(server, home: home)
                let (second, listings) = try await Self.run(server, home: home)
                #expect(second.exitCode == 0, "\(second)")
                #expect(try second.json()["servers"]?["eras"]?["protocolVersion"] == "2025-11-25", "\(second)")
                #expect(listings == 2, "\(second)")
                #expect(Self.cacheFiles(home).isEmpty)
            }
        }
    }

    @Test("a private list is kept per credential; a public one is shared")
    func credentials() async throws {
        try await withServer("eras.py", arguments: Self.serverArguments(ttl: 600_000)) { server in
            try await withTemporaryDirectory("list-cache") { home in
                _ = try await Self.run(server, home: home, token: "alpha")
                let (other, otherListings) = try await Self.run(server, home: home, token: "beta")
                #expect(other.exitCode == 0, "\(other)")
                #expect(otherListings == 2, "another credential used alpha's private list: \(other)")
                let (back, backListings) = try await Self.run(server, home: home, token: "alpha")
                #expect(back.exitCode == 0, "\(back)")
                #expect(backListings == 2, "alpha's own list was not used: \(back)")
                #expect(Self.cacheFiles(home).count == 4, "discovery and tool list for each credential")
            }
        }
        try await withServer("eras.py", arguments: Self.serverArguments(ttl: 600_000, scope: "public")) { server in
            try await withTemporaryDirectory("list-cache") { home in
                _ = try await Self.run(server, home: home, token: "alpha")
                let (other, listings) = try await Self.run(server, home: home, token: "beta")
                #expect(other.exitCode == 0, "\(other)")
                #expect(listings == 1, "a public list was not shared: \(other)")
                #expect(other.stderr.contains("using the cached list (public"), "\(other)")
            }
        }
    }

    @Test("a tool missing from a cached list is looked for in one fresh listing before unknown_tool")
    func missingToolRelists() async throws {
        let arguments = Self.serverArguments(ttl: 600_000, extra: ["--late-tool"])
        try await withServer("eras.py", arguments: arguments) { server in
            try await withTemporaryDirectory("list-cache") { home in
                _ = try await Self.run(server, home: home)
                let (late, listings) = try await Self.run(server, home: home, tool: "late")
                #expect(late.exitCode == 0, "\(late)")
                #expect(late.stderr.contains("using the cached list"), "\(late)")
                #expect(late.stderr.contains("no tool 'late' in the tool list: listing the tools again"), "\(late)")
                #expect(listings == 2, "\(late)")
                #expect(try late.json().step("first")?["result"]?["content"]?[0]?["text"] == "late", "\(late)")
                // The fresh listing replaced the cached one: the next run finds 'late' in it.
                let (third, thirdListings) = try await Self.run(server, home: home, tool: "late")
                #expect(third.exitCode == 0, "\(third)")
                #expect(thirdListings == 2, "\(third)")
            }
        }
    }

    @Test("a corrupt or foreign cache file is ignored and replaced, never fatal")
    func corruptFile() async throws {
        try await withServer("eras.py", arguments: Self.serverArguments(ttl: 600_000)) { server in
            try await withTemporaryDirectory("list-cache") { home in
                _ = try await Self.run(server, home: home)
                let files = Self.cacheFiles(home)
                #expect(files.count == 2)
                for file in files {
                    try "{\"key\": 1, \"items\": [".write(toFile: file, atomically: true, encoding: .utf8)
                }
                let (second, listings) = try await Self.run(server, home: home)
                #expect(second.exitCode == 0, "\(second)")
                #expect(listings == 2, "\(second)")
                for file in files {
                    let text = try String(contentsOfFile: file, encoding: .utf8)
                    #expect(
                        (try? JSONValue.parse(text))?["items"]?.arrayValue?.isEmpty == false, "not replaced: \(text)")
                    // Another key's list under this name (a foreign file) is a miss too.
                    let foreign = text.replacingOccurrences(of: "tools/list", with: "prompts/list")
                    try foreign.write(toFile: file, atomically: true, encoding: .utf8)
                }
                let (third, thirdListings) = try await Self.run(server, home: home)
                #expect(third.exitCode == 0, "\(third)")
                #expect(thirdListings == 3, "a foreign file was used: \(third)")
            }
        }
    }

    @Test("the tools and call commands use and keep the same cache")
    func oneShotCommands() async throws {
        try await withServer("eras.py", arguments: Self.serverArguments(ttl: 600_000)) { server in
            try await withTemporaryDirectory("list-cache") { home in
                let environment = ["MCP_RUN_HOME": home]
                let tools = try await runMCPRun(["tools", server.url(), "--json"], environment: environment)
                #expect(tools.exitCode == 0, "\(tools)")
                let call = try await runMCPRun(
                    ["call", server.url(), "echo", "text=hi", "-v"], environment: environment)
                #expect(call.exitCode == 0, "\(call)")
                #expect(call.stderr.contains("using the cached list"), "\(call)")
                let again = try await runMCPRun(["tools", server.url(), "-v"], environment: environment)
                #expect(again.stderr.contains("using the cached list"), "\(again)")
                let bypassed = try await runMCPRun(
                    ["call", server.url(), "seen", "--no-cache"], environment: environment)
                #expect(bypassed.exitCode == 0, "\(bypassed)")
                let requests = try bypassed.json()["structuredContent"]?["requests"]?.arrayValue ?? []
                #expect(requests.filter { $0["method"] == "tools/list" }.count == 2, "\(bypassed)")
            }
        }
    }
}
