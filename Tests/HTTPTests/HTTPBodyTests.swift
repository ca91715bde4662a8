import Testing

@testable import HTTP

@Suite("in-process response bodies", .timeLimit(.minutes(1)))
struct HTTPBodyTests {
    @Test("a body of chunks yields them in order, then ends", .timeLimit(.minutes(1)))
    func chunksInOrder() async throws {
        var received: [[UInt8]] = []
        for try await chunk in HTTPBody(chunks: [[1, 2], [3], []]) { received.append(chunk) }
        #expect(received == [[1, 2], [3], []])
        #expect(try await HTTPBody(chunks: [[1, 2], [3]]).collect(limit: 3) == [1, 2, 3])
    }

    @Test("collecting past the limit is bodyTooLarge", .timeLimit(.minutes(1)))
    func limit() async throws {
        let error = await #expect(throws: HTTPError.self) {
            try await HTTPBody(chunks: [[1, 2], [3]]).collect(limit: 2)
        }
        #expect(error?.code == .bodyTooLarge)
    }

    @Test("a body fed from a stream ends with the stream's error", .timeLimit(.minutes(1)))
    func streamError() async throws {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        continuation.yield([7])
        continuation.finish(throwing: HTTPError(code: .connectionClosed, message: "dropped"))
        var iterator = HTTPBody(stream).makeAsyncIterator()
        #expect(try await iterator.next() == [7])
        let error = await #expect(throws: HTTPError.self) { _ = try await iterator.next() }
        #expect(error?.code == .connectionClosed)
    }
}
