import Basics
import Foundation
import HTTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tool, resource and prompt lists kept across runs for as long as the server said they stay
/// fresh (MCP 2026-07-28, Caching: `ttlMs` and `cacheScope`; contract §8, Lists).
///
/// One file per list, named after a SHA-256 of its key: the server (its URL, or its stdio
/// command line and folder), the credential (a SHA-256 of the headers, environment and OAuth
/// identity that authorize the session, never the secret itself; `public` for a list whose
/// `cacheScope` lets it be shared across authorization contexts), the protocol version and the
/// method. Each file records that key and the moment it stops being fresh; a file that does not
/// parse, holds another key, or has expired is a miss, and the next listing replaces it.
/// Files are written to a temporary name with mode 0600 and renamed into place, so a reader sees
/// a whole list or none. Nothing here is ever fatal: a cache that cannot be read or written is
/// only a slower run.
package struct ListCache: Sendable {
    /// The folder holding the lists.
    package var directory: String

    /// The longest any list is kept, whatever its `ttlMs` (24 hours).
    package static let maxTTLMilliseconds = 24 * 60 * 60 * 1000

    /// A cache in `directory`.
    package init(directory: String) { self.directory = directory }

    /// The cache for `environment`: `$MCP_RUN_HOME/cache/lists`, else
    /// `$XDG_CACHE_HOME/mcp-run/lists`, else `~/.cache/mcp-run/lists`.
    package static func `default`(environment: [String: String]) -> ListCache {
        if let home = environment["MCP_RUN_HOME"], !home.isEmpty { return ListCache(directory: home + "/cache/lists") }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty {
            return ListCache(directory: cache + "/mcp-run/lists")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return ListCache(directory: home + "/.cache/mcp-run/lists")
    }

    /// What one cached list is for.
    package struct Key: Sendable, Hashable {
        /// The server: its URL, or its stdio command line and folder.
        package var server: String
        /// The credential's digest, or `public` for a list any credential may share.
        package var credential: String
        /// The protocol version spoken.
        package var protocolVersion: String
        /// The list method (`tools/list`, …).
        package var method: String

        /// The key as recorded in the file.
        var text: String {
            ["mcp-run list cache 1", server, credential, protocolVersion, method].joined(separator: "\n")
        }

        /// The file's name: a SHA-256 of the key.
        var fileStem: String { ListCache.hex(PKCE.sha256(Array(text.utf8))) }
    }

    /// Who a session is and which credential authorizes it, for the keys of its lists.
    package struct Identity: Sendable, Hashable {
        /// The server: its URL, or its stdio command line and folder.
        package var server: String
        /// A SHA-256 of the credential; nil when it cannot be told apart from another (an
        /// authorization provider other than mcp-run's OAuth), so only public lists are kept.
        package var credential: String?
    }

    /// The identity of `config`: its URL or command line (and folder), and a digest of every
    /// header value, stdio environment value and OAuth login (`TokenProvider.listCacheCredential`:
    /// server URL, client, scopes, issuer, and which login) it sends; an OAuth server with no
    /// cached login has no credential identity (only public lists).
    package static func identity(of config: ServerConfig) -> Identity {
        var credential: [String] = []
        let server: String
        switch config.endpoint {
        case .http(let url, _):
            server = "url " + url
        case .stdio(let command, let arguments, let environment, let directory):
            // Without `cwd` the server runs in this process's folder, where its relative paths
            // (`python server.py`) may name another server than in another folder.
            let folder = directory ?? FileManager.default.currentDirectoryPath
            server = (["stdio", command] + arguments + ["cwd", folder]).joined(separator: "\u{0}")
            for name in environment.keys.sorted() {
                credential.append("env \(name)=" + (environment[name]?.withRevealedValue { $0 } ?? ""))
            }
        }
        for header in config.headers.sorted(by: { $0.name.lowercased() < $1.name.lowercased() }) {
            let value: String
            switch header.value {
            case .plain(let text): value = text
            case .secret(let secret): value = secret.withRevealedValue { $0 }
            }
            credential.append("header \(header.name.lowercased()): \(value)")
        }
        if let authorization = config.authorization {
            guard let provider = authorization as? TokenProvider, let login = provider.listCacheCredential else {
                return Identity(server: server, credential: nil)
            }
            credential.append("oauth " + login)
        }
        let digest = hex(PKCE.sha256(Array(credential.joined(separator: "\u{0}").utf8)))
        return Identity(server: server, credential: digest)
    }

    /// The path of the file for `key`.
    package func path(for key: Key) -> String { directory + "/" + key.fileStem + ".json" }

    /// The list cached for `key` and how long it stays fresh; nil when there is none, or it is
    /// stale, unreadable, malformed or another key's.
    package func read(_ key: Key, now: Date = Date()) -> (items: [JSONValue], freshFor: Duration)? {
        guard let data = FileManager.default.contents(atPath: path(for: key)),
            let entry = try? JSONValue.parse(Array(data)),
            entry["key"]?.stringValue == key.text,
            let expires = entry["expiresAtMs"]?.intValue,
            let items = entry["items"]?.arrayValue
        else { return nil }
        let left = expires - Self.milliseconds(now)
        guard left > 0, left <= Self.maxTTLMilliseconds else { return nil }
        return (items, .milliseconds(left))
    }

    /// Keeps `items` for `key` for `ttlMilliseconds` (at most `maxTTLMilliseconds`); a list
    /// that is immediately stale is not written.
    /// - Throws: `ListCacheError` naming the path.
    package func write(
        _ items: [JSONValue], for key: Key, ttlMilliseconds: Int, now: Date = Date()
    ) throws(ListCacheError) {
        guard ttlMilliseconds > 0 else { return }
        let entry: JSONValue = [
            "key": .string(key.text),
            "expiresAtMs": .integer(Self.milliseconds(now) + min(ttlMilliseconds, Self.maxTTLMilliseconds)),
            "items": .array(items),
        ]
        try writeAtomically(entry.serializedBytes(), to: path(for: key), stem: key.fileStem)
    }

    /// Forgets the list cached for `key` (the server said the list changed), so no run uses it;
    /// returns whether there was one. A file that cannot be removed is left to expire.
    @discardableResult
    package func remove(_ key: Key) -> Bool {
        let path = path(for: key)
        guard FileManager.default.fileExists(atPath: path) else { return false }
        return (try? FileManager.default.removeItem(atPath: path)) != nil
    }

    /// Writes `bytes` to `target` through a temporary file with mode 0600 and a rename.
    private func writeAtomically(_ bytes: [UInt8], to target: String, stem: String) throws(ListCacheError) {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ListCacheError("cannot create '\(directory)': \(error.localizedDescription)")
        }
        // Not fsynced: a list lost to a crash is listed again.
        do {
            try AtomicFile.write(bytes, to: target, folder: directory, stem: stem, durable: false)
        } catch {
            switch error.step {
            case .create: throw ListCacheError("cannot create '\(error.path)'", errno: error.errorNumber)
            case .write: throw ListCacheError("cannot write '\(target)'", errno: error.errorNumber)
            }
        }
    }

    static func milliseconds(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xf)])
        }
        return text
    }
}

/// A list cache file that could not be written (only ever traced: the run goes on).
package struct ListCacheError: Error, Sendable, CustomStringConvertible {
    /// What failed, with the path and the system's reason.
    package var message: String

    init(_ message: String, errno code: Int32 = 0) {
        self.message = code == 0 ? message : "\(message): \(String(cString: strerror(code)))"
    }

    package var description: String { message }
}
