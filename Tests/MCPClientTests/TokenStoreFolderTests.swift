import Basics
import Foundation
import Testing

@testable import MCPClient

/// The token cache's folder errors name the folder and the system's reason, never Foundation's
/// generic text (issue #8).
@Suite("token cache folder errors", .timeLimit(.minutes(1)))
struct TokenStoreFolderTests {
    @Test("a cache folder under a file names that file as not a folder")
    func folderUnderFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("token-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.path + "/home"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let store = TokenStore(directory: file + "/credentials")
        let identity = TokenIdentity(serverURL: "https://example.test/mcp", clientID: "c", scopes: [])
        let error = try await #require(throws: TokenStoreError.self) { try await store.withLock(identity) {} }
        #expect(error.message == "cannot create '\(file)/credentials': '\(file)' is a file, not a folder")
        #expect(!error.message.contains("NSCocoaErrorDomain"))
    }
}
