import Basics

@testable import MCPClient

/// An in-memory transport: every sent message is recorded on `sent` (for assertions) and handed
/// to `server`, a scripted peer that may answer through `deliver`.
actor FakeTransport: Transport {
    typealias Server = @Sendable (JSONRPCMessage, FakeTransport) async -> Void

    nonisolated let incoming: AsyncStream<TransportEvent>
    nonisolated let sent: AsyncStream<JSONRPCMessage>
    private let incomingContinuation: AsyncStream<TransportEvent>.Continuation
    private let sentContinuation: AsyncStream<JSONRPCMessage>.Continuation
    private let server: Server
    private(set) var negotiatedVersion: String?
    private(set) var closeCount = 0

    init(server: @escaping Server) {
        (incoming, incomingContinuation) = AsyncStream.makeStream()
        (sent, sentContinuation) = AsyncStream.makeStream()
        self.server = server
    }

    func send(_ message: JSONRPCMessage) async throws {
        sentContinuation.yield(message)
        await server(message, self)
    }

    nonisolated func deliver(_ message: JSONRPCMessage) { incomingContinuation.yield(.message(message)) }
    nonisolated func end(_ error: ClientError) {
        incomingContinuation.yield(.ended(error))
        incomingContinuation.finish()
    }

    func didInitialize(protocolVersion: String) async { negotiatedVersion = protocolVersion }

    func close() async {
        closeCount += 1
        incomingContinuation.finish()
        sentContinuation.finish()
    }

    /// A server that completes `initialize` with `version`, then defers to `rest`.
    static func initializing(
        version: String = "2025-11-25", rest: @escaping Server = { _, _ in }
    ) -> FakeTransport {
        FakeTransport { message, transport in
            if case .request(let id, "initialize", _) = message {
                transport.deliver(
                    .response(
                        id: id,
                        result: [
                            "protocolVersion": .string(version), "serverInfo": ["name": "fake"], "capabilities": [:],
                        ]))
                return
            }
            await rest(message, transport)
        }
    }
}

extension AsyncStream where Element == JSONRPCMessage {
    /// The first message matching `predicate` (the stream is shared, so earlier ones are consumed).
    func first(where predicate: (JSONRPCMessage) -> Bool) async -> JSONRPCMessage? {
        for await message in self where predicate(message) { return message }
        return nil
    }
}
