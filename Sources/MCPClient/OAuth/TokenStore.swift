import Basics
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who a cached token belongs to: one file per (server URL, client id, scopes) (contract §7).
package struct TokenIdentity: Sendable, Hashable {
    /// The server's MCP URL.
    package var serverURL: String
    /// The OAuth client id.
    package var clientID: String
    /// The configured scopes (sorted; empty when none were configured).
    package var scopes: [String]

    /// Creates an identity; `scopes` are sorted and de-duplicated.
    package init(serverURL: String, clientID: String, scopes: [String]) {
        self.serverURL = serverURL
        self.clientID = clientID
        self.scopes = Array(Set(scopes)).sorted()
    }

    /// The key, as stored in the file and hashed for its name.
    var key: String { ([serverURL, clientID] + scopes).joined(separator: "\n") }

    /// A 128-bit FNV-1a based name: two 64-bit hashes with different offset bases. Not a security
    /// boundary (the file also records its key, checked on read); it only spreads identities.
    var fileStem: String {
        func fnv(_ basis: UInt64) -> UInt64 {
            var hash = basis
            for byte in key.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return hash
        }
        let a = fnv(0xcbf2_9ce4_8422_2325)
        let b = fnv(0x6c62_272e_07bb_0142)
        return String(a, radix: 16).leftPadded(to: 16) + String(b, radix: 16).leftPadded(to: 16)
    }
}

extension TokenIdentity {
    /// The client id an `authType: oauth2` login (browser or device) is cached under: the
    /// configured `oauth.clientId`, else `oauth.clientMetadataUrl`, else `dynamic` (the login
    /// registers a client, and that registration is cached with the tokens).
    package static func loginClientID(configured: String?, metadataDocumentURL: String?) -> String {
        configured ?? metadataDocumentURL ?? "dynamic"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// A cached grant: tokens (as `Secret`s), expiry, scopes and the endpoints to renew it.
package struct StoredToken: Sendable {
    /// Whose token this is.
    package var identity: TokenIdentity
    /// `client_credentials`, `authorization_code` or `device_code`.
    package var grant: String
    /// The access token.
    package var accessToken: Secret
    /// The refresh token, if the server issued one.
    package var refreshToken: Secret?
    /// Seconds since 1970 when the access token expires; nil when the server did not say.
    package var expiresAt: Double?
    /// Seconds since 1970 when it was issued.
    package var issuedAt: Double
    /// The scopes the server granted (or that were requested, when it did not say).
    package var grantedScopes: [String]
    /// Where to refresh and request tokens.
    package var tokenEndpoint: String
    /// RFC 7009 endpoint, if the metadata had one.
    package var revocationEndpoint: String?
    /// The authorization server's issuer.
    package var issuer: String
    /// The RFC 8707 resource the token was requested for.
    package var resource: String
    /// A dynamically registered client's id (RFC 7591), cached with its tokens.
    package var registeredClientID: String?
    /// Its secret, if it got one.
    package var registeredClientSecret: Secret?
    /// Its token-endpoint auth method.
    package var registeredAuthMethod: String?
    /// A random name for the grant these tokens came from (a login, or a client-credentials
    /// request), kept through refreshes and new for every new grant: two logins with the same
    /// client (two people, or one person twice) have different ones. Not a secret; it keys the
    /// list cache (`TokenProvider.listCacheCredential`). Nil in entries written before it existed.
    package var loginID: String? = nil
}

/// The token cache: `${MCP_RUN_HOME:-${XDG_CONFIG_HOME:-~/.config}/mcp-run}/credentials/`
/// (contract §7).
///
/// One JSON file per `TokenIdentity` (`<hash>.json`), folder 0700, files 0600, written atomically
/// (a temporary file in the folder, `fsync`, `rename`): a reader sees the old file or the new one,
/// never half of one. Renewals run inside `withLock`, under an exclusive `flock` on `<hash>.lock`,
/// taken on a thread of its own so the cooperative pool never blocks, and bounded in time; the
/// caller re-reads the file inside it. Token values are revealed only to write the file.
package struct TokenStore: Sendable {
    /// The `credentials/` folder.
    package var directory: String

    /// A store in `directory`.
    package init(directory: String) { self.directory = directory }

    /// The folder for `environment`: `$MCP_RUN_HOME/credentials`, else
    /// `$XDG_CONFIG_HOME/mcp-run/credentials`, else `~/.config/mcp-run/credentials`.
    package static func defaultDirectory(environment: [String: String]) -> String {
        if let home = environment["MCP_RUN_HOME"], !home.isEmpty { return home + "/credentials" }
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty { return config + "/mcp-run/credentials" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/mcp-run/credentials"
    }

    /// The cache file for `identity`.
    package func path(for identity: TokenIdentity) -> String { directory + "/" + identity.fileStem + ".json" }

    /// The cached token for `identity`; nil when there is none, or it is unreadable or another key's.
    package func read(_ identity: TokenIdentity) -> StoredToken? {
        guard let data = FileManager.default.contents(atPath: path(for: identity)),
            let token = Self.decode(Array(data)), token.identity.key == identity.key
        else { return nil }
        return token
    }

    /// Every readable cached token (for `auth status`).
    package func all() -> [StoredToken] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().filter { $0.hasSuffix(".json") }.compactMap { name in
            FileManager.default.contents(atPath: directory + "/" + name).flatMap { Self.decode(Array($0)) }
        }
    }

    /// Writes `token` atomically with mode 0600.
    ///
    /// - Throws: `TokenStoreError` naming the path.
    package func write(_ token: StoredToken) throws(TokenStoreError) {
        try ensureDirectory()
        let target = path(for: token.identity)
        let bytes = Self.encode(token)
        do {
            try AtomicFile.write(bytes, to: target, folder: directory, stem: token.identity.fileStem)
        } catch {
            switch error.step {
            case .create: throw TokenStoreError("cannot create '\(error.path)'", errno: error.errorNumber)
            case .write: throw TokenStoreError("cannot write '\(target)'", errno: error.errorNumber)
            }
        }
        // Make the rename itself durable.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Deletes the cached token for `identity`; true when there was one.
    ///
    /// The empty `.lock` file stays: deleting it while another process waits on it would let a
    /// third one lock a new file of the same name, and two renewals would run at once.
    @discardableResult
    package func delete(_ identity: TokenIdentity) -> Bool {
        unlink(path(for: identity)) == 0
    }

    /// Runs `body` holding the exclusive lock of `identity`, waiting at most `timeout` for another
    /// process (or task) holding it; the lock is released when `body` returns or throws.
    ///
    /// Suspends without blocking the cooperative pool (the blocking `flock` runs on a thread of
    /// its own); `body` runs on the caller's actor. The wait does not count against the current
    /// request's limit (`RequestDeadline.excluding`): the holder may be in the middle of a
    /// person's login. Cancelling the caller abandons the wait.
    /// - Throws: `TokenStoreError` when the lock file cannot be opened, `TimeoutError`,
    ///   `CancellationError`; whatever `body` throws.
    package func withLock<R>(
        _ identity: TokenIdentity, timeout: Duration = .seconds(60), isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> R
    ) async throws -> R {
        try await withLock(named: identity.fileStem, timeout: timeout, body)
    }

    /// Runs `body` holding the lock of the loopback `port` a login listens on
    /// (`oauth.redirectPort`), shared by every identity configured with that port; as
    /// `withLock(_:timeout:_:)`.
    package func withLock<R>(
        loopbackPort port: Int, timeout: Duration, isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> R
    ) async throws -> R {
        try await withLock(named: "port-\(port)", timeout: timeout, body)
    }

    private func withLock<R>(
        named name: String, timeout: Duration, isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> R
    ) async throws -> R {
        try ensureDirectory()
        let path = directory + "/" + name + ".lock"
        let fd = try await RequestDeadline.excluding { try await FileLock.acquire(path, timeout: timeout) }
        // Closing the descriptor releases the `flock`.
        defer { close(fd) }
        return try await body()
    }

    /// `mkdir -p` with mode 0700, naming the folder that failed and the system's reason (never
    /// Foundation's generic text).
    private func ensureDirectory() throws(TokenStoreError) {
        var current = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + component
            if mkdir(current, 0o700) == 0 { continue }
            let number = errno
            var info = stat()
            if number == EEXIST, stat(current, &info) == 0 {
                if info.st_mode & S_IFMT == S_IFDIR { continue }
                throw TokenStoreError("cannot create '\(directory)': '\(current)' is a file, not a folder", errno: 0)
            }
            throw TokenStoreError("cannot create the folder '\(current)' for '\(directory)'", errno: number)
        }
        chmod(directory, 0o700)
    }

    // MARK: - Encoding (the only place token values are revealed)

    static func encode(_ token: StoredToken) -> [UInt8] {
        var object: [String: JSONValue] = [
            "version": 1, "key": .string(token.identity.key), "server": .string(token.identity.serverURL),
            "clientId": .string(token.identity.clientID), "scopes": .array(token.identity.scopes.map { .string($0) }),
            "grant": .string(token.grant), "accessToken": .string(token.accessToken.withRevealedValue { $0 }),
            "issuedAt": .double(token.issuedAt), "grantedScopes": .array(token.grantedScopes.map { .string($0) }),
            "tokenEndpoint": .string(token.tokenEndpoint), "issuer": .string(token.issuer),
            "resource": .string(token.resource),
        ]
        if let refresh = token.refreshToken { object["refreshToken"] = .string(refresh.withRevealedValue { $0 }) }
        if let expiresAt = token.expiresAt { object["expiresAt"] = .double(expiresAt) }
        if let revocation = token.revocationEndpoint { object["revocationEndpoint"] = .string(revocation) }
        if let id = token.registeredClientID { object["registeredClientId"] = .string(id) }
        if let secret = token.registeredClientSecret {
            object["registeredClientSecret"] = .string(secret.withRevealedValue { $0 })
        }
        if let method = token.registeredAuthMethod { object["registeredAuthMethod"] = .string(method) }
        if let loginID = token.loginID { object["loginId"] = .string(loginID) }
        return JSONValue.object(object).serializedBytes(pretty: true)
    }

    static func decode(_ bytes: [UInt8]) -> StoredToken? {
        guard let json = try? JSONValue.parse(bytes), let server = json["server"]?.stringValue,
            let clientID = json["clientId"]?.stringValue, let access = json["accessToken"]?.stringValue,
            let tokenEndpoint = json["tokenEndpoint"]?.stringValue
        else { return nil }
        let scopes = json["scopes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return StoredToken(
            identity: TokenIdentity(serverURL: server, clientID: clientID, scopes: scopes),
            grant: json["grant"]?.stringValue ?? "client_credentials", accessToken: Secret.credential(access),
            refreshToken: json["refreshToken"]?.stringValue.map { Secret.credential($0) },
            expiresAt: json["expiresAt"]?.doubleValue,
            issuedAt: json["issuedAt"]?.doubleValue ?? 0,
            grantedScopes: json["grantedScopes"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            tokenEndpoint: tokenEndpoint, revocationEndpoint: json["revocationEndpoint"]?.stringValue,
            issuer: json["issuer"]?.stringValue ?? "", resource: json["resource"]?.stringValue ?? server,
            registeredClientID: json["registeredClientId"]?.stringValue,
            registeredClientSecret: json["registeredClientSecret"]?.stringValue.map { Secret.credential($0) },
            registeredAuthMethod: json["registeredAuthMethod"]?.stringValue, loginID: json["loginId"]?.stringValue)
    }
}

/// A token-cache file could not be written or locked.
package struct TokenStoreError: Error, Sendable, CustomStringConvertible {
    /// What failed, with the path.
    package var message: String

    init(_ message: String, errno code: Int32) {
        self.message = code == 0 ? message : "\(message): \(String(cString: strerror(code)))"
    }

    package var description: String { message }
}

/// An exclusive `flock` taken on a thread of its own (the call blocks), handed to the awaiting
/// task; a waiter that gives up (timeout, cancellation) leaves the thread to release the lock
/// as soon as it gets it.
enum FileLock {
    private enum State {
        case waiting(CheckedContinuation<Int32, any Error>?)
        case abandoned
        case done
    }

    static func acquire(_ path: String, timeout: Duration) async throws -> Int32 {
        let state = Locked<State>(.waiting(nil))
        return try await withTimeout(timeout) {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                    let proceed = state.withLock { current -> Bool in
                        if case .abandoned = current { return false }
                        current = .waiting(continuation)
                        return true
                    }
                    guard proceed else {
                        continuation.resume(throwing: CancellationError())
                        return
                    }
                    let thread = Thread {
                        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
                        guard fd >= 0 else {
                            let error = TokenStoreError("cannot open the lock file '\(path)'", errno: errno)
                            resume(state) { $0.resume(throwing: error) }
                            return
                        }
                        var result: Int32
                        repeat { result = flock(fd, LOCK_EX) } while result != 0 && errno == EINTR
                        if result != 0 {
                            let error = TokenStoreError("cannot lock '\(path)'", errno: errno)
                            close(fd)
                            resume(state) { $0.resume(throwing: error) }
                            return
                        }
                        if !resume(state, { $0.resume(returning: fd) }) { close(fd) }
                    }
                    thread.name = "mcp-run token lock"
                    thread.start()
                }
            } onCancel: {
                resume(state) { $0.resume(throwing: CancellationError()) }
                state.withLock { $0 = .abandoned }
            }
        }
    }

    /// Resumes the waiter once; false when it already gave up.
    @discardableResult
    private static func resume(
        _ state: Locked<State>, _ body: (CheckedContinuation<Int32, any Error>) -> Void
    ) -> Bool {
        let continuation: CheckedContinuation<Int32, any Error>? = state.withLock { current in
            if case .waiting(let continuation?) = current {
                current = .done
                return continuation
            }
            return nil
        }
        guard let continuation else { return false }
        body(continuation)
        return true
    }
}
