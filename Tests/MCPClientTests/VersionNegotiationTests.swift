import Basics
import HTTP
import Testing

@testable import MCPClient

/// The dual-era decision (MCP 2026-07-28, Versioning and Streamable HTTP, Backward
/// Compatibility) against an in-process peer: the answers to the `server/discover` probe that no
/// real server here gives on demand (the protocol's own errors, version lists, lenient results).
/// `ProtocolEraTests` covers the real peers.
@Suite("protocol version negotiation", .timeLimit(.minutes(1)))
struct VersionNegotiationTests {
    static let url = "http://127.0.0.1:9/mcp"

    /// A 400 with a JSON-RPC error answering request `id`.
    static func rpcError(_ id: RequestID?, code: Int, data: JSONValue? = nil) -> HTTPResponse {
        let error = JSONRPCMessage.errorResponse(
            id: id, error: JSONRPCError(code: code, message: "refused", data: data))
        return InProcessHTTPServer.response(
            400, String(decoding: error.serializedBytes, as: UTF8.self),
            headers: [(MCPHeader.contentType, MCPHeader.json)])
    }

    /// A discovery result for request `id`.
    static func discovered(_ id: RequestID) -> HTTPResponse {
        InProcessHTTPServer.json(
            .response(
                id: id,
                result: [
                    "resultType": "complete", "supportedVersions": ["2026-07-28"], "capabilities": ["tools": [:]],
                    "_meta": ["io.modelcontextprotocol/serverInfo": ["name": "fake", "version": "1"]],
                ]))
    }

    /// A peer answering `server/discover` with `probe` (given the request id and how many probes
    /// came before), `initialize` with the version it was offered, a notification with 202, and
    /// anything else with an empty result.
    static func peer(
        probe: @escaping @Sendable (RequestID, Int) -> HTTPResponse
    ) -> InProcessHTTPServer {
        let probes = Locked(0)
        return InProcessHTTPServer { request, _ in
            switch request.message {
            case .request(let id, MCPMethod.serverDiscover, _):
                let count = probes.withLock { value in
                    defer { value += 1 }
                    return value
                }
                return probe(id, count)
            case .request(let id, MCPMethod.initialize, let params):
                let offered = params?["protocolVersion"]?.stringValue ?? "?"
                return InProcessHTTPServer.json(InProcessHTTPServer.initializeResult(id: id, version: offered))
            case .request(let id, _, _):
                return InProcessHTTPServer.json(.response(id: id, result: ["content": []]))
            default:
                return InProcessHTTPServer.response(202)
            }
        }
    }

    static func open(
        _ server: InProcessHTTPServer, versions: ServerSession.VersionPolicy = .dualEra
    ) async throws(ClientError) -> ServerSession {
        let transport = StreamableHTTPTransport(url: url, headers: [], serverName: "s", logger: .silent, client: server)
        return try await ServerSession.open(transport: transport, name: "s", logger: .silent, versions: versions)
    }

    static func methods(_ server: InProcessHTTPServer) async -> [String] {
        await server.requests.compactMap { $0.message?.method }
    }

    @Test("a discovery result keeps the session modern: no initialize, and every request carries the headers")
    func modern() async throws {
        let server = Self.peer { id, _ in Self.discovered(id) }
        let session = try await Self.open(server)
        #expect(await session.isModern)
        #expect(await session.protocolVersion == "2026-07-28")
        #expect(await session.serverInfo["name"] == "fake")
        _ = try await session.callTool("weather", arguments: ["city": "Zürich"], timeout: nil)
        await session.close()
        #expect(await Self.methods(server) == ["server/discover", "tools/call"], "no initialize, no DELETE")
        let call = try #require(await server.requests.last)
        #expect(call.header(MCPHeader.protocolVersion) == "2026-07-28")
        #expect(call.header(MCPHeader.method) == "tools/call")
        #expect(call.header(MCPHeader.name) == "weather")
        #expect(call.header(MCPHeader.sessionID) == nil)
        guard case .request(_, _, let params) = call.message else { throw ClientError.protocolViolation("no request") }
        #expect(MCPWire.modernProtocolVersion(of: params) == "2026-07-28")
        #expect(params?["_meta"]?["io.modelcontextprotocol/clientInfo"]?["name"] == "mcp-run")
    }

    @Test("an UnsupportedProtocolVersionError that lists 2026-07-28 is retried once, then the session is modern")
    func retriedOnce() async throws {
        let server = Self.peer { id, count in
            count == 0
                ? Self.rpcError(id, code: -32022, data: ["supported": ["2026-07-28"], "requested": "2026-07-28"])
                : Self.discovered(id)
        }
        let session = try await Self.open(server)
        #expect(await session.isModern)
        await session.close()
        #expect(await Self.methods(server) == ["server/discover", "server/discover"])
    }

    @Test(
        "a handshake refused as modern (the probe's answer came too late, as from a slow stdio server) probes once more"
    )
    func handshakeRefusedAsModern() async throws {
        let probes = Locked(0)
        let server = InProcessHTTPServer { request, _ in
            switch request.message {
            case .request(let id, MCPMethod.serverDiscover, _):
                let count = probes.withLock { value in
                    defer { value += 1 }
                    return value
                }
                // The first probe's answer is lost to mcp-run (here: a 400 without a modern error).
                return count == 0 ? InProcessHTTPServer.response(400, "not yet") : Self.discovered(id)
            case .request(let id, MCPMethod.initialize, _):
                // As over stdio, where an error is a message, not a status.
                return InProcessHTTPServer.json(
                    .errorResponse(
                        id: id,
                        error: JSONRPCError(
                            code: -32022, message: "serving 2026-07-28", data: ["supported": ["2026-07-28"]])))
            case .request(let id, _, _):
                return InProcessHTTPServer.json(.response(id: id, result: ["content": []]))
            default:
                return InProcessHTTPServer.response(202)
            }
        }
        let session = try await Self.open(server)
        #expect(await session.isModern)
        await session.close()
        #expect(await Self.methods(server) == ["server/discover", "initialize", "server/discover"])
    }

    @Test("an UnsupportedProtocolVersionError that lists only legacy versions gets the handshake offering one")
    func legacyVersionsListed() async throws {
        let server = Self.peer { id, _ in
            Self.rpcError(id, code: -32022, data: ["supported": ["2025-06-18", "2024-11-05"]])
        }
        let session = try await Self.open(server)
        #expect(await session.protocolVersion == "2025-06-18")
        #expect(await !session.isModern)
        await session.close()
        #expect(
            Array(await Self.methods(server).prefix(3)) == [
                "server/discover", "initialize", "notifications/initialized",
            ])
    }

    @Test("versions in common with none of mcp-run's end with unsupportedVersion naming both sides")
    func noVersionInCommon() async throws {
        let server = Self.peer { id, _ in Self.rpcError(id, code: -32022, data: ["supported": ["2099-01-01"]]) }
        let error = await #expect(throws: ClientError.self) { try await Self.open(server) }
        #expect(error?.code == .unsupportedVersion("2099-01-01"))
        #expect(error?.message.contains("'2099-01-01'") == true && error?.message.contains("'2026-07-28'") == true)
        #expect(await Self.methods(server) == ["server/discover"], "no handshake after a modern refusal")
    }

    @Test(
        "the protocol's other errors abort, never downgrade",
        arguments: [MCPWire.ModernError.headerMismatch, MCPWire.ModernError.missingRequiredClientCapability])
    func modernErrorsAbort(code: Int) async throws {
        let server = Self.peer { id, _ in Self.rpcError(id, code: code) }
        let error = await #expect(throws: ClientError.self) { try await Self.open(server) }
        #expect(error?.code == .protocolViolation)
        #expect(error?.message.contains("error \(code)") == true)
        #expect(await Self.methods(server) == ["server/discover"])
    }

    @Test("a 401 to the probe is authorization, never a fallback")
    func unauthorizedProbe() async throws {
        let server = Self.peer { _, _ in InProcessHTTPServer.response(401, "no") }
        let error = await #expect(throws: ClientError.self) { try await Self.open(server) }
        #expect(error?.code == .unauthorized(401))
        #expect(await Self.methods(server) == ["server/discover"])
    }

    @Test(
        "a legacy server's answer to the probe gets the handshake",
        arguments: ["400 text", "404", "405", "-32601 at 200", "-32600 with another id", "lenient result"])
    func legacyAnswers(answer: String) async throws {
        let server = Self.peer { id, _ in
            switch answer {
            case "400 text": InProcessHTTPServer.response(400, "Bad Request: Missing session ID")
            case "404": InProcessHTTPServer.response(404)
            case "405": InProcessHTTPServer.response(405)
            case "-32601 at 200":
                InProcessHTTPServer.json(
                    .errorResponse(id: id, error: JSONRPCError(code: -32601, message: "Method not found")))
            case "-32600 with another id": Self.rpcError(.string("server-error"), code: -32600)
            default: InProcessHTTPServer.json(.response(id: id, result: [:]))
            }
        }
        let session = try await Self.open(server)
        #expect(await session.protocolVersion == "2025-11-25")
        await session.close()
        #expect(Array(await Self.methods(server).prefix(2)) == ["server/discover", "initialize"])
    }

    @Test("a pinned modern version falls back on nothing")
    func pinnedModern() async throws {
        let server = Self.peer { _, _ in InProcessHTTPServer.response(400, "Bad Request") }
        let error = await #expect(throws: ClientError.self) {
            try await Self.open(server, versions: .pinned("2026-07-28"))
        }
        #expect(error?.httpStatus == 400)
        #expect(await Self.methods(server) == ["server/discover"])
    }

    @Test("a pinned legacy version sends no probe and offers exactly that version")
    func pinnedLegacy() async throws {
        let server = Self.peer { id, _ in Self.discovered(id) }
        let session = try await Self.open(server, versions: .pinned("2025-03-26"))
        #expect(await session.protocolVersion == "2025-03-26")
        await session.close()
        #expect(await Self.methods(server).first == "initialize")
    }
}
