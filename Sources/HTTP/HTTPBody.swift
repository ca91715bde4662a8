/// A response body: an `AsyncSequence` of byte chunks, in the order curl receives them.
///
/// Chunks are yielded from curl's write callback on the curl thread as they arrive, so a long-lived
/// stream (server-sent events) is readable event by event. The body is never gathered whole unless
/// you call `collect(limit:)`.
///
/// Backpressure: chunks the consumer has not taken yet are buffered in the stream without a bound;
/// the transfer is not paused. MCP responses and event streams are small and read promptly, and an
/// unpaused transfer keeps its timeout and cancellation behaviour simple.
///
/// Iterating throws `HTTPError` when the transfer fails after the head (`.connectionClosed`,
/// `.timedOut`, …) and `CancellationError` when the iterating task is cancelled; cancelling it, or
/// dropping the body and every iterator of it, aborts the transfer on the curl thread. The body can
/// be iterated once.
package struct HTTPBody: AsyncSequence, Sendable {
    /// A chunk of bytes.
    package typealias Element = [UInt8]
    /// `HTTPError` or `CancellationError`.
    package typealias Failure = any Error

    private let stream: AsyncThrowingStream<[UInt8], any Error>
    private let abort: @Sendable () -> Void

    init(stream: AsyncThrowingStream<[UInt8], any Error>, abort: @escaping @Sendable () -> Void) {
        self.stream = stream
        self.abort = abort
    }

    /// A body whose chunks come from `stream`, for an in-process `HTTPSending` (tests): there is
    /// no transfer to abort, so dropping it or going past `collect`'s limit only stops reading.
    package init(_ stream: AsyncThrowingStream<[UInt8], any Error>) {
        self.init(stream: stream, abort: {})
    }

    /// A body of `chunks`, in order, then its end; for an in-process `HTTPSending` (tests).
    package init(chunks: [[UInt8]]) {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        for chunk in chunks { continuation.yield(chunk) }
        continuation.finish()
        self.init(stream)
    }

    /// Yields the chunks; see `HTTPBody`.
    package struct AsyncIterator: AsyncIteratorProtocol {
        private var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator

        fileprivate init(base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator) { self.base = base }

        /// The next chunk, or `nil` at the end of the body. Suspends until a chunk arrives.
        ///
        /// - Throws: `HTTPError` when the transfer failed; `CancellationError` when the task was
        ///   cancelled (the transfer is aborted).
        package mutating func next() async throws -> [UInt8]? {
            if let chunk = try await base.next() { return chunk }
            // A cancelled task ends the stream with `nil`; report it as what it is.
            if Task.isCancelled { throw CancellationError() }
            return nil
        }

        /// The next chunk, or `nil` at the end of the body, staying on `actor`.
        ///
        /// - Throws: as `next()`.
        package mutating func next(isolation actor: isolated (any Actor)?) async throws -> [UInt8]? {
            if let chunk = try await base.next(isolation: actor) { return chunk }
            if Task.isCancelled { throw CancellationError() }
            return nil
        }
    }

    /// Starts iterating.
    package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: stream.makeAsyncIterator()) }

    /// Gathers the whole body, up to `limit` bytes.
    ///
    /// Suspends until the body ends. When it grows past `limit`, the transfer is aborted.
    /// `expectedCount` (a `Content-Length`) sizes the array up front, capped at `limit`, so a large
    /// body is not copied again and again as it grows; a wrong one costs nothing but that.
    /// - Throws: `HTTPError` `.bodyTooLarge` past `limit`; the transfer's `HTTPError`; or
    ///   `CancellationError` when the task is cancelled.
    package func collect(limit: Int, expectedCount: Int? = nil) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        if let expectedCount, expectedCount > 0 { bytes.reserveCapacity(Swift.min(expectedCount, limit)) }
        for try await chunk in self {
            guard chunk.count <= limit - bytes.count else {
                abort()
                throw HTTPError(
                    code: .bodyTooLarge, message: "the response body is larger than \(limit) bytes",
                    hint: "the server sent more than expected; check the URL")
            }
            if bytes.isEmpty, bytes.capacity < chunk.count {
                bytes = chunk
            } else {
                bytes.append(contentsOf: chunk)
            }
        }
        return bytes
    }
}
