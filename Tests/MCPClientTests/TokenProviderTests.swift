import Basics
import Foundation
import HTTP
import Testing

@testable import MCPClient

/// The token lifecycle without a network: the cache, the identity's lock, and the rule that a
/// grant needing a person is never started when none may be asked (issue #9).
@Suite("token provider lifecycle", .timeLimit(.minutes(1)))
struct TokenProviderTests {
    /// A grant that records each request and never obtains anything.
    private actor RecordingGrant: TokenGrant {
        let needsPerson: Bool
        private(set) var requests = 0

        init(needsPerson: Bool) { self.needsPerson = needsPerson }

        nonisolated func client(for token: StoredToken) -> OAuthClient? { nil }

        func obtain(_ request: GrantRequest) async throws -> StoredToken {
            requests += 1
            throw request.failure("the test grant obtains nothing")
        }
    }

    private func settings(mayAskPerson: Bool) throws -> TokenProvider.Settings {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "token-provider-\(UUID().uuidString)")
        return TokenProvider.Settings(
            serverName: "secured", serverURL: "https://mcp.example.test/mcp",
            identity: TokenIdentity(serverURL: "https://mcp.example.test/mcp", clientID: "c", scopes: []),
            scopes: nil, resource: nil, metadataURL: nil, store: TokenStore(directory: folder.path),
            mayAskPerson: mayAskPerson)
    }

    private func token(for settings: TokenProvider.Settings, expiresIn: Double?) -> StoredToken {
        let now = Date().timeIntervalSince1970
        return StoredToken(
            identity: settings.identity, grant: "device_code", accessToken: Secret("at-fake"), refreshToken: nil,
            expiresAt: expiresIn.map { now + $0 }, issuedAt: now, grantedScopes: [],
            tokenEndpoint: "https://auth.example.test/token", revocationEndpoint: nil,
            issuer: "https://auth.example.test",
            resource: settings.serverURL)
    }

    /// A provider with a person-needing grant and, with `cached`, a token valid for an hour.
    private func provider(mayAskPerson: Bool, cached: Bool) throws -> (TokenProvider, RecordingGrant) {
        let settings = try settings(mayAskPerson: mayAskPerson)
        if cached { try settings.store.write(token(for: settings, expiresIn: 3600)) }
        let grant = RecordingGrant(needsPerson: true)
        return (TokenProvider(settings: settings, grant: grant, logger: .silent), grant)
    }

    @Test("a cached token that is not due for renewal is sent as it is, and the grant is never asked")
    func cachedTokenIsUsed() async throws {
        let (provider, grant) = try provider(mayAskPerson: true, cached: true)
        let header = try #require(try await provider.currentAuthorization(logger: .silent))
        #expect(header.secretValue == Secret("Bearer at-fake"))
        #expect(await grant.requests == 0)
    }

    @Test("with nothing cached, the first request goes without a header")
    func nothingCached() async throws {
        let provider = TokenProvider(
            settings: try settings(mayAskPerson: false), grant: RecordingGrant(needsPerson: false), logger: .silent)
        #expect(try await provider.currentAuthorization(logger: .silent) == nil)
    }

    @Test("a 401 in a run that may not ask a person ends with the login advice, before any grant or discovery")
    func loginNeeded() async throws {
        let (provider, grant) = try provider(mayAskPerson: false, cached: false)
        let error = try await #require(throws: ClientError.self) {
            _ = try await provider.authorizationAfterUnauthorized(challenges: [], rejected: nil, logger: .silent)
        }
        #expect(error.code == .unauthorized(401))
        #expect(error.message == "a login is needed, and this run is non-interactive")
        #expect(error.hint == "run 'mcp-run auth login secured' on a machine with a browser")
        #expect(await grant.requests == 0)
    }

    @Test("a step-up that needs a person in a non-interactive run names the scope and asks no grant")
    func stepUpNeedsPerson() async throws {
        let (provider, grant) = try provider(mayAskPerson: false, cached: true)
        let error = try await #require(throws: ClientError.self) {
            _ = try await provider.authorizationAfterForbidden(
                challenges: [#"Bearer error="insufficient_scope", scope="mcp.write""#], rejected: nil, logger: .silent)
        }
        #expect(error.code == .unauthorized(403) && error.message.contains("'mcp.write'"))
        #expect(await grant.requests == 0)
    }

    @Test("the identity's lock is released when the body throws, so the next holder gets it at once")
    func lockScopeReleasesOnThrow() async throws {
        let settings = try settings(mayAskPerson: false)
        struct Failure: Error {}
        await #expect(throws: Failure.self) {
            try await settings.store.withLock(settings.identity, timeout: .seconds(5)) { throw Failure() }
        }
        let value = try await settings.store.withLock(settings.identity, timeout: .seconds(5)) { 42 }
        #expect(value == 42)
    }
}
