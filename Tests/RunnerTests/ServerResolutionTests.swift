import Basics
import Foundation
import MCPClient
import Testing
import WorkflowModel

@testable import Runner

/// A server is resolved once per run, in the session pool, so its OAuth token provider (token,
/// lock, discovery) is built once however many steps and `foreach` iterations use it (issue #9).
@Suite("server resolution once per run", .timeLimit(.minutes(1)))
struct ServerResolutionTests {
    private static let workflow = """
        servers:
          secured:
            url: https://mcp.example.test/mcp
            authType: oauth2-client-credentials
            oauth: { clientId: ci, clientSecret: cs-fake }
        steps:
          - id: a
            server: secured
            tool: whoami
        """

    private func pool() -> SessionPool {
        SessionPool(opener: FakeOpener(servers: [:], recorder: Recorder()), logger: .silent)
    }

    /// What `StepExecutor` does for each step: resolve the server through the pool.
    private func resolve(
        _ spec: ServerSpec, in pool: SessionPool, count: Locked<Int>
    ) async throws -> ResolvedServer {
        let context = OAuthBlockTemplates(spec: spec, secrets: [:], environment: [:]).context
        return try await pool.resolved(spec.name) {
            count.withLock { $0 += 1 }
            return try ServerResolver.resolve(
                spec, context: context, environment: ["MCP_RUN_HOME": NSTemporaryDirectory()], nonInteractive: true,
                loginUI: nil)
        }
    }

    @Test("three steps and a foreach of three against one OAuth server share one token provider")
    func oneProviderPerRun() async throws {
        let spec = try #require(try loadWorkflow(Self.workflow).servers["secured"])
        let pool = pool()
        let count = Locked(0)
        var providers: [ObjectIdentifier] = []
        for _ in 0..<6 {
            let server = try await resolve(spec, in: pool, count: count)
            let provider = try #require(server.config.authorization as? TokenProvider)
            providers.append(ObjectIdentifier(provider))
        }
        #expect(count.withLock { $0 } == 1)
        #expect(Set(providers).count == 1)
    }

    @Test("a resolution that fails is not kept: the next step resolves again")
    func failureIsNotKept() async throws {
        let spec = try #require(try loadWorkflow(Self.workflow).servers["secured"])
        let pool = pool()
        struct Failure: Error {}
        await #expect(throws: Failure.self) { _ = try await pool.resolved(spec.name) { throw Failure() } }
        let count = Locked(0)
        _ = try await resolve(spec, in: pool, count: count)
        _ = try await resolve(spec, in: pool, count: count)
        #expect(count.withLock { $0 } == 1)
    }
}
