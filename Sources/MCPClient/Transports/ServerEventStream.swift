import Basics
import Foundation
import HTTP

/// The optional standalone GET stream of a Streamable HTTP session, for messages the server sends
/// on its own (MCP 2025-11-25, Transports, Listening for Messages from the Server).
///
/// Opened once initialization is done: a GET of the endpoint with `Accept: text/event-stream`
/// and the session id. A 405 means the server does not offer one: nothing more is tried. A 200
/// event stream is read for as long as the session lives, and each message on it is delivered
/// through the transport's `incoming`, like those read from POST responses (the session answers
/// a `ping` or a `roots/list` that arrives there by POST, as usual).
///
/// The stream has an idle limit of its own, never the request timeout: when nothing (no event,
/// no comment) arrived for `idleLimit`, it is reopened at once, with `Last-Event-ID` when its
/// events carried ids; proxies are known to drop quiet streams without closing them. A stream
/// that ends or fails is reopened after the server's `retry` delay or an exponential backoff,
/// every time traced under `-v`; after `maxFailures` fruitless reopenings in a row (no bytes
/// received) it is given up, with a trace line saying so. Any other status (404, 401, …) stops it,
/// traced. The reader is cancelled and awaited by the transport's `close()`.
///
/// A server-driven loop with caps (issue #8): the server's `retry` delay is clamped to
/// `baseDelay…maxDelay` (a `retry: 0` stream that ends at once is not reopened in a busy loop, a
/// `retry` of hours does not park the reader), and the stream is reopened after ending or failing
/// at most `maxReopenings` times over the session (idle reopenings, paced by `idleLimit`, do not
/// count); it lives no longer than the session. These decisions are `EventStreamReopening`'s;
/// this type runs the I/O and the traces.
package struct ServerEventStream: Sendable {
    /// The limits of the stream.
    package struct Configuration: Sendable, Equatable {
        /// How long the stream may stay silent before it is reopened.
        package var idleLimit: Duration
        /// How many reopenings in a row may bring nothing before the stream is given up.
        package var maxFailures: Int
        /// The backoff before the first reopening without a server `retry` delay, doubling.
        package var baseDelay: Duration
        /// The cap on one backoff, and on the server's `retry` delay.
        package var maxDelay: Duration
        /// How many times the stream may be reopened after ending or failing, over the session.
        package var maxReopenings: Int

        /// The environment variable that overrides `idleLimit` (milliseconds), for tests.
        package static let idleLimitVariable = "MCP_RUN_GET_STREAM_IDLE_MS"

        /// Limits; the defaults are mcp-run's.
        package init(
            idleLimit: Duration = .seconds(45), maxFailures: Int = 5, baseDelay: Duration = .milliseconds(500),
            maxDelay: Duration = .seconds(15), maxReopenings: Int = 100
        ) {
            self.maxReopenings = maxReopenings
            self.idleLimit = idleLimit
            self.maxFailures = maxFailures
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
        }

        /// The defaults, with `idleLimit` from `MCP_RUN_GET_STREAM_IDLE_MS` when it holds a
        /// positive number.
        package static func fromEnvironment(
            _ environment: [String: String] = ProcessInfo.processInfo.environment
        ) -> Configuration {
            var configuration = Configuration()
            if let text = environment[idleLimitVariable], let ms = Int64(text), ms > 0 {
                configuration.idleLimit = .milliseconds(ms)
            }
            return configuration
        }

        /// The wait before reopening after `failures` fruitless attempts in a row (1-based).
        package func backoff(failures: Int) -> Duration {
            let exponent = min(max(failures - 1, 0), 20)
            return min(baseDelay * (1 << exponent), maxDelay)
        }
    }

    /// Why one opening of the stream ended.
    enum Ending: Sendable, Equatable {
        /// 405: the server offers no GET stream.
        case notOffered
        /// Another status, or a body that is not an event stream: the stream is not reopened.
        case refused(String)
        /// Nothing arrived for the idle limit.
        case idle
        /// The stream ended or dropped; `sawBytes` tells whether anything arrived first.
        case ended(reason: String, sawBytes: Bool)
        /// The GET could not be sent.
        case failed(String)

        /// Why the server refused the stream, for `.refused`.
        var refusal: String? {
            if case .refused(let why) = self { why } else { nil }
        }
    }

    let configuration: Configuration
    let serverName: String
    let logger: Logger
    let client: any HTTPSending
    let continuation: AsyncStream<TransportEvent>.Continuation
    /// Set once the first GET was answered (true: the stream is open) or failed (false), so that
    /// the transport can hold its first request until then (`StreamableHTTPTransport`).
    var firstAnswer: Latch<Bool>? = nil
    /// The GET to send, with `Last-Event-ID` when given; nil once the transport is closed.
    let makeRequest: @Sendable (_ lastEventID: String?) async throws -> HTTPRequest?

    /// Opens the stream and keeps it open until the task is cancelled, the server refuses it, or
    /// it failed `maxFailures` times in a row. Never throws. Returns false when the server does
    /// not offer the stream at all (HTTP 405), so a new session need not ask again; true otherwise.
    @discardableResult
    func run() async -> Bool {
        // However the stream ends, even before its first GET (no request could be made), nobody
        // waits for its first answer any longer.
        defer { firstAnswer?.set(false) }
        let state = StreamState()
        var reopening = EventStreamReopening(configuration: configuration)
        while !Task.isCancelled {
            let lastEventID = await state.lastEventID
            let request: HTTPRequest?
            do {
                request = try await makeRequest(lastEventID)
            } catch {
                logger.trace("[\(serverName)] the GET stream could not be opened: \(error)")
                return true
            }
            guard let request else { return true }
            let ending = await open(request, state: state)
            if Task.isCancelled { return true }
            let after = lastEventIDNote(await state.lastEventID)
            let wasOpened = reopening.hasOpened
            let action = reopening.ended(ending, serverDelay: await state.reconnectionTime)
            let delay: Duration
            switch action {
            case .stop(let offered):
                if offered {
                    logger.trace(
                        "[\(serverName)] the GET stream \(wasOpened ? "could not be reopened" : "was refused"): \(ending.refusal ?? "")"
                    )
                } else {
                    logger.trace("[\(serverName)] the server offers no GET stream (HTTP 405)")
                }
                return offered
            case .reopen(let wait), .giveUp(_, let wait):
                delay = wait
            }
            switch ending {
            case .idle:
                logger.trace(
                    "[\(serverName)] the GET stream was silent for \(configuration.idleLimit.humanReadable); reopening it"
                        + after)
            case .ended(let reason, _):
                logger.trace(
                    "[\(serverName)] the GET stream \(reason); reopening it in \(delay.humanReadable)" + after)
            case .failed(let why):
                logger.trace("[\(serverName)] the GET stream failed: \(why); reopening it in \(delay.humanReadable)")
            case .notOffered, .refused:
                break  // stopped above
            }
            switch action {
            case .giveUp(.fruitless(let count), _):
                logger.trace(
                    "[\(serverName)] gave up on the GET stream after \(count) fruitless reopenings; server-initiated messages now arrive only on requests' streams"
                )
                return true
            case .giveUp(.exhausted(let count), _):
                logger.trace(
                    "[\(serverName)] gave up on the GET stream after \(count) reopenings; server-initiated messages now arrive only on requests' streams"
                )
                return true
            case .reopen, .stop:
                break
            }
            if delay > .zero {
                do { try await Task.sleep(for: delay) } catch { return true }
            }
        }
        return true
    }

    private func lastEventIDNote(_ id: String?) -> String {
        id.map { " after event '\($0)'" } ?? ""
    }

    /// One opening: the GET, then the body read until it ends, fails or idles.
    private func open(_ request: HTTPRequest, state: StreamState) async -> Ending {
        let response: HTTPResponse
        do {
            // The headers, at least, must come within the idle limit.
            response = try await withTimeout(configuration.idleLimit) { [client] in try await client.send(request) }
        } catch is TimeoutError {
            firstAnswer?.set(false)
            return .idle
        } catch is CancellationError {
            firstAnswer?.set(false)
            return .failed("cancelled")
        } catch {
            firstAnswer?.set(false)
            return .failed("\(error)")
        }
        firstAnswer?.set(response.status == 200 && response.isEventStream)
        guard response.status == 200, response.isEventStream else {
            let snippet = await response.snippet()
            if response.status == 405 { return .notOffered }
            let shown = response.status == 200 ? "HTTP 200 (\(response.contentType))" : "HTTP \(response.status)"
            return .refused(shown + (snippet.isEmpty ? "" : ": \(snippet)"))
        }
        if request.headers.contains(where: { $0.name == MCPHeader.lastEventID }) {
            logger.trace("[\(serverName)] the GET stream is open again")
        } else {
            logger.trace("[\(serverName)] the GET stream is open")
        }
        await state.touch()
        await state.resetBytes()
        let body = response.body
        let idleLimit = configuration.idleLimit
        return await withTaskGroup(of: Ending?.self) { group in
            group.addTask { await self.read(body, state: state) }
            group.addTask {
                // The watchdog: sleeps until the last activity plus the idle limit, again and again.
                while !Task.isCancelled {
                    let deadline = await state.lastActivity + idleLimit
                    if ContinuousClock.now >= deadline { return .idle }
                    do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return nil }
                }
                return nil
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let ending = next { return ending }
            }
            return .failed("cancelled")
        }
    }

    /// Reads the body, delivering every message; returns when it ends or fails.
    private func read(_ body: HTTPBody, state: StreamState) async -> Ending? {
        var parser = SSEParser()
        do {
            for try await chunk in body {
                await state.touch()
                let events = try parser.feed(chunk)
                await state.note(lastEventID: parser.lastEventID, reconnectionTime: parser.reconnectionTime)
                for event in events {
                    switch SSEMessage(event) {
                    case .none: break
                    case .messages(let messages): for message in messages { continuation.yield(.message(message)) }
                    case .malformed(let reason, let data):
                        continuation.yield(.malformed("GET stream event is not JSON-RPC (\(reason): \(data))"))
                    }
                }
            }
        } catch is CancellationError {
            return nil
        } catch let error as SSEError {
            return .ended(reason: "broke a limit (\(error))", sawBytes: await state.sawBytes)
        } catch {
            if Task.isCancelled { return nil }
            return .ended(reason: "dropped (\(error))", sawBytes: await state.sawBytes)
        }
        if Task.isCancelled { return nil }
        return .ended(reason: "ended", sawBytes: await state.sawBytes)
    }
}

/// What the readings of one GET stream share: the last activity (for the idle watchdog), the last
/// event id and the server's `retry` delay (for reopening).
actor StreamState {
    private(set) var lastActivity = ContinuousClock.now
    private(set) var lastEventID: String?
    private var reconnectionMs: Int?
    private(set) var sawBytes = false

    var reconnectionTime: Duration? { reconnectionMs.map { .milliseconds($0) } }

    func touch() {
        lastActivity = ContinuousClock.now
        sawBytes = true
    }

    func resetBytes() { sawBytes = false }

    func note(lastEventID: String?, reconnectionTime: Int?) {
        if let lastEventID { self.lastEventID = lastEventID }
        if let reconnectionTime { reconnectionMs = reconnectionTime }
    }
}
