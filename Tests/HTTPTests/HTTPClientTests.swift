import Basics
import Foundation
import Testing

@testable import HTTP

/// The request as `/echo` saw it.
private struct Echo: Decodable {
    var method: String
    var path: String
    var headers: [String: String]
    var body: String
    var clientPort: Int
}

private func echo(_ response: HTTPResponse) async throws -> Echo {
    let bytes = try await response.body.collect(limit: 1 << 20)
    return try JSONDecoder().decode(Echo.self, from: Data(bytes))
}

private func text(_ response: HTTPResponse) async throws -> String {
    String(decoding: try await response.body.collect(limit: 1 << 20), as: UTF8.self)
}

/// `operation`'s error, which must be an `HTTPError`.
private func httpError(_ operation: () async throws -> Void) async throws -> HTTPError {
    do {
        try await operation()
    } catch let error as HTTPError {
        return error
    }
    Issue.record("expected an HTTPError, got success")
    throw ServerStartError(message: "no error")
}

private let client = HTTPClient.shared

@Suite("HTTPClient against a local server", .timeLimit(.minutes(4)))
struct HTTPClientTests {
    @Test("a GET returns the status, the headers and the body")
    func getEchoes() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let request = HTTPRequest(
                    method: "GET", url: server.base + "/echo?q=1", headers: [HTTPHeader("X-Test", "abc")])
                let response = try await client.send(request)
                #expect(response.status == 200)
                #expect(response.headers.value(for: "CONTENT-TYPE") == "application/json")
                #expect(response.headers.values(for: "x-multi") == ["one", "two"])
                let seen = try await echo(response)
                #expect(seen.method == "GET")
                #expect(seen.path == "/echo?q=1")
                #expect(seen.headers["x-test"] == "abc")
                #expect(seen.body == "")
            }
        }
    }

    @Test("a POST sends its JSON body and headers without Expect: 100-continue")
    func postEchoes() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let json = #"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"#
                let request = HTTPRequest(
                    method: "POST", url: server.base + "/echo",
                    headers: [
                        HTTPHeader("Content-Type", "application/json"),
                        HTTPHeader("Accept", "application/json, text/event-stream"),
                    ],
                    body: Array(json.utf8), timeout: .seconds(5))
                let response = try await client.send(request)
                #expect(response.status == 200)
                let seen = try await echo(response)
                #expect(seen.method == "POST")
                #expect(seen.body == json)
                #expect(seen.headers["content-type"] == "application/json")
                #expect(seen.headers["accept"] == "application/json, text/event-stream")
                #expect(seen.headers["content-length"] == "\(json.utf8.count)")
                #expect(seen.headers["expect"] == nil)
            }
        }
    }

    @Test("a POST with a large body is sent whole")
    func postLargeBody() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let payload = String(repeating: "abcdefgh", count: 64 * 1024)
                let request = HTTPRequest(method: "POST", url: server.base + "/echo", body: Array(payload.utf8))
                let seen = try await echo(try await client.send(request))
                #expect(seen.body == payload)
            }
        }
    }

    @Test("a DELETE and a PUT with a body are sent with their methods")
    func otherMethods() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let delete = try await echo(
                    try await client.send(
                        HTTPRequest(
                            method: "DELETE", url: server.base + "/echo",
                            headers: [HTTPHeader("Mcp-Session-Id", "abc123")])))
                #expect(delete.method == "DELETE")
                #expect(delete.headers["mcp-session-id"] == "abc123")
                let put = try await echo(
                    try await client.send(
                        HTTPRequest(method: "PUT", url: server.base + "/echo", body: Array("hi".utf8))))
                #expect(put.method == "PUT")
                #expect(put.body == "hi")
            }
        }
    }

    @Test("a JSON response body is collected whole")
    func jsonBody() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let response = try await client.send(HTTPRequest(method: "GET", url: server.base + "/json"))
                let bytes = try await response.body.collect(limit: 4096)
                let value = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
                #expect(value?["id"] as? Int == 1)
                #expect((value?["result"] as? [String: Any])?["ok"] as? Bool == true)
            }
        }
    }

    @Test("a streamed body yields its first chunk before the server has finished")
    func streamsChunks() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                // The server sends "second" only after /release, which we call only after "first"
                // arrived: without streaming this would time out.
                let id = UUID().uuidString
                let response = try await client.send(HTTPRequest(method: "GET", url: server.base + "/gated?id=\(id)"))
                var chunks = response.body.makeAsyncIterator()
                let first = try await chunks.next()
                #expect(first.map { String(decoding: $0, as: UTF8.self) } == "first\n")
                let release = try await client.send(HTTPRequest(method: "GET", url: server.base + "/release?id=\(id)"))
                #expect(try await text(release) == "ok")
                var rest: [UInt8] = []
                while let chunk = try await chunks.next() { rest += chunk }
                #expect(String(decoding: rest, as: UTF8.self) == "second\n")
            }
        }
    }

    @Test("a request does not wait for a connection to the same host whose response has not begun")
    func noWaitBehindSilentConnection() async throws {
        // The Streamable HTTP GET event stream opens a connection whose head may come late; a POST
        // sent meanwhile used to be parked behind it (CURLOPT_PIPEWAIT) until some transfer ended.
        try await withTestServer { server in
            try await withTimeout(.seconds(20)) {
                let id = UUID().uuidString
                async let silent = client.send(HTTPRequest(method: "GET", url: server.base + "/headless?id=\(id)"))
                // A client of its own (another multi handle) sees when the silent request arrived.
                let observer = HTTPClient()
                let arrived = try await observer.send(
                    HTTPRequest(method: "GET", url: server.base + "/arrived?id=\(id)", timeout: .seconds(15)))
                #expect(try await text(arrived) == "arrived")
                let request = HTTPRequest(
                    method: "POST", url: server.base + "/echo", body: Array("{}".utf8), timeout: .seconds(5))
                let echoed = try await echo(try await client.send(request))
                #expect(echoed.method == "POST")
                let release = try await observer.send(
                    HTTPRequest(method: "GET", url: server.base + "/release?id=\(id)"))
                #expect(try await text(release) == "ok")
                #expect(try await text(try await silent) == "late-head")
            }
        }
    }

    @Test("a request past its timeout fails with timedOut")
    func timesOut() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let started = ContinuousClock.now
                let error = try await httpError {
                    let request = HTTPRequest(
                        method: "GET", url: server.base + "/slow?ms=30000&token=hidden", timeout: .milliseconds(300))
                    _ = try await client.send(request)
                }
                #expect(error.code == .timedOut)
                // Not a duration to meet (that flakes on a loaded machine): only "did not wait for
                // the server's 30 s", with the test's own 10 s limit as the backstop.
                #expect(ContinuousClock.now - started < .seconds(10))
                #expect(error.context.server == server.base)
                #expect(!error.description.contains("hidden"))
            }
        }
    }

    @Test("a refused connection fails with couldNotConnect, naming the origin")
    func connectionRefused() async throws {
        try await withTimeout(.seconds(10)) {
            let error = try await httpError {
                _ = try await client.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/mcp?key=hidden"))
            }
            #expect(error.code == .couldNotConnect)
            #expect(error.context.server == "http://127.0.0.1:1")
            #expect(error.message.first?.isLowercase == true)
            #expect(!error.description.contains("hidden"))
            #expect(error.hint != nil)
        }
    }

    @Test("cancelling the task reading a long stream throws CancellationError promptly and closes it")
    func cancelStream() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let id = UUID().uuidString
                let url = server.base + "/forever?id=\(id)"
                let (firstChunk, firstChunkSeen) = AsyncStream<Void>.makeStream()
                let reader = Task {
                    let response = try await client.send(HTTPRequest(method: "GET", url: url))
                    for try await _ in response.body { firstChunkSeen.yield() }
                }
                for await _ in firstChunk { break }
                reader.cancel()
                let result = await reader.result
                // The body never ends: only the cancellation can end the read (the 10 s limit is the backstop).
                #expect(throws: CancellationError.self) { try result.get() }
                let closed = try await client.send(
                    HTTPRequest(method: "GET", url: server.base + "/closed?id=\(id)&wait=5000"))
                #expect(try await text(closed) == "closed")
            }
        }
    }

    @Test("cancelling the task awaiting the head throws CancellationError promptly")
    func cancelBeforeHead() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let url = server.base + "/slow?ms=30000"
                let waiter = Task { try await client.send(HTTPRequest(method: "GET", url: url)) }
                try await Task.sleep(for: .milliseconds(100))
                let cancelled = ContinuousClock.now
                waiter.cancel()
                let result = await waiter.result
                // Only "did not wait for the server's 30 s" (the 10 s limit is the backstop).
                #expect(ContinuousClock.now - cancelled < .seconds(10))
                #expect(throws: CancellationError.self) { _ = try result.get() }
            }
        }
    }

    @Test("dropping an unread body aborts the transfer")
    func dropBody() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let id = UUID().uuidString
                do {
                    let response = try await client.send(
                        HTTPRequest(method: "GET", url: server.base + "/forever?id=\(id)"))
                    #expect(response.status == 200)
                }
                let closed = try await client.send(
                    HTTPRequest(method: "GET", url: server.base + "/closed?id=\(id)&wait=5000"))
                #expect(try await text(closed) == "closed")
            }
        }
    }

    @Test("collect(limit:) throws bodyTooLarge past its limit")
    func collectLimit() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let response = try await client.send(HTTPRequest(method: "GET", url: server.base + "/big?n=200000"))
                let error = try await httpError { _ = try await response.body.collect(limit: 1000) }
                #expect(error.code == .bodyTooLarge)
                let exact = try await client.send(HTTPRequest(method: "GET", url: server.base + "/big?n=1000"))
                #expect(try await exact.body.collect(limit: 1000).count == 1000)
            }
        }
    }

    @Test("a body cut short by the server fails with connectionClosed")
    func truncatedBody() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let response = try await client.send(HTTPRequest(method: "GET", url: server.base + "/truncated"))
                let error = try await httpError { _ = try await response.body.collect(limit: 1000) }
                #expect(error.code == .connectionClosed)
            }
        }
    }

    @Test("100 concurrent requests over one client all complete")
    func concurrentRequests() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(30)) {
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<100 {
                        group.addTask {
                            let request = HTTPRequest(
                                method: "POST", url: server.base + "/echo", body: Array("request \(index)".utf8),
                                timeout: .seconds(20))
                            return try await echo(try await client.send(request)).body == "request \(index)"
                        }
                    }
                    var matched = 0
                    for try await isMatch in group where isMatch { matched += 1 }
                    #expect(matched == 100)
                }
            }
        }
    }

    @Test("sequential requests reuse one keep-alive connection")
    func keepAlive() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                var ports: Set<Int> = []
                for _ in 0..<5 {
                    let request = HTTPRequest(method: "POST", url: server.base + "/echo", body: Array("x".utf8))
                    ports.insert(try await echo(try await client.send(request)).clientPort)
                }
                #expect(ports.count == 1)
            }
        }
    }

    @Test("a reused curl handle keeps nothing of the request before: method, body, headers, timeout")
    func reusedHandleStartsClean() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(20)) {
                // Sequential requests run on the same pooled easy handle.
                let post = try await echo(
                    try await client.send(
                        HTTPRequest(
                            method: "POST", url: server.base + "/echo", headers: [HTTPHeader("X-First", "1")],
                            body: Array("first".utf8), timeout: .milliseconds(300))))
                #expect(post.method == "POST")
                #expect(post.body == "first")
                #expect(post.headers["x-first"] == "1")
                let get = try await echo(try await client.send(HTTPRequest(method: "GET", url: server.base + "/echo")))
                #expect(get.method == "GET")
                #expect(get.body == "")
                #expect(get.headers["x-first"] == nil)
                #expect(get.headers["content-length"] == nil)
                let delete = try await echo(
                    try await client.send(HTTPRequest(method: "DELETE", url: server.base + "/echo")))
                #expect(delete.method == "DELETE")
                #expect(delete.body == "")
                let put = try await echo(
                    try await client.send(
                        HTTPRequest(method: "PUT", url: server.base + "/echo", body: Array("put".utf8))))
                #expect(put.method == "PUT")
                #expect(put.body == "put")
                let second = try await echo(
                    try await client.send(
                        HTTPRequest(method: "POST", url: server.base + "/echo", body: Array("second".utf8))))
                #expect(second.method == "POST")
                #expect(second.body == "second")
                // The first request's 300 ms limit must not carry over to one without a limit.
                let slow = try await text(
                    try await client.send(HTTPRequest(method: "GET", url: server.base + "/slow?ms=600")))
                #expect(slow == "late")
            }
        }
    }

    @Test("response headers over curl's limit say so, naming the origin, not 'out of memory'")
    func oversizedHeader() async throws {
        try await withTestServer { server in
            let error = await #expect(throws: HTTPError.self) {
                try await withTimeout(.seconds(10)) {
                    _ = try await client.send(HTTPRequest(method: "GET", url: server.base + "/bigheader?kb=300"))
                }
            }
            #expect(error?.code == .badResponse)
            #expect(
                error?.message.contains("response headers larger than curl accepts") == true,
                "\(String(describing: error))")
            #expect(error?.message.contains(server.base) == true)
            #expect(error?.message.hasPrefix("out of memory") == false)
            #expect(error?.hint?.contains("oversized headers") == true)
        }
    }

    @Test(
        "a server that does not speak HTTP, or sends a malformed status line, is told so with a port hint",
        arguments: ["/nothttp", "/badstatus"])
    func notHTTP(path: String) async throws {
        try await withTestServer { server in
            let error = await #expect(throws: HTTPError.self) {
                try await withTimeout(.seconds(10)) {
                    _ = try await client.send(HTTPRequest(method: "GET", url: server.base + path))
                }
            }
            #expect(error?.code == .badResponse)
            #expect(
                error?.message.contains("the server at \(server.base) did not answer with HTTP") == true,
                "\(String(describing: error))")
            #expect(error?.hint?.contains("host and port") == true)
            #expect(error?.hint?.contains("absolute") == false, "not a URL-format hint")
        }
    }

    @Test("a gzip body the client did not ask for is decoded; an unknown encoding is an error naming it")
    func compressedBodies() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let response = try await client.send(HTTPRequest(method: "GET", url: server.base + "/gzip"))
                #expect(response.status == 500)
                #expect(try await text(response) == "compressed failure text")
                let echoed = try await client.send(HTTPRequest(method: "GET", url: server.base + "/echo"))
                let headers = try JSONValue.parse(try await echoed.body.collect(limit: 1 << 20))["headers"]
                #expect(headers?["accept-encoding"] == "identity", "no compression is asked for")
            }
            let error = await #expect(throws: HTTPError.self) {
                try await withTimeout(.seconds(10)) {
                    let response = try await client.send(HTTPRequest(method: "GET", url: server.base + "/squashed"))
                    _ = try await response.body.collect(limit: 1 << 20)
                }
            }
            #expect(error?.code == .badResponse)
            #expect(error?.message.contains("Content-Encoding") == true, "\(String(describing: error))")
        }
    }

    @Test("a redirect is returned as-is, not followed")
    func redirectNotFollowed() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let response = try await client.send(HTTPRequest(method: "GET", url: server.base + "/redirect"))
                #expect(response.status == 302)
                #expect(response.headers.value(for: "location") == "/echo")
                #expect(try await text(response) == "moved")
            }
        }
    }

    @Test("a 404 is returned as a response, not thrown")
    func notFoundIsAResponse() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let response = try await client.send(HTTPRequest(method: "GET", url: server.base + "/missing"))
                #expect(response.status == 404)
                #expect(try await text(response) == "not found")
            }
        }
    }

    @Test("an informational 100 response is skipped for the final one")
    func informationalSkipped() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let response = try await client.send(HTTPRequest(method: "GET", url: server.base + "/informational"))
                #expect(response.status == 200)
                #expect(try await text(response) == "final")
            }
        }
    }

    @Test("a secret header value reaches the server and never its description")
    func secretHeader() async throws {
        try await withTestServer { server in
            try await withTimeout(.seconds(10)) {
                let header = HTTPHeader(name: "Authorization", value: .secret(Secret("Bearer t0k3n-fake")))
                #expect(!"\(header)".contains("t0k3n-fake"))
                let response = try await client.send(
                    HTTPRequest(
                        method: "GET", url: server.base + "/echo", headers: [header, HTTPHeader("X-Empty", "")]))
                let seen = try await echo(response)
                #expect(seen.headers["authorization"] == "Bearer t0k3n-fake")
                #expect(seen.headers["x-empty"] == "")
            }
        }
    }
}

@Suite("HTTP requests refused before sending", .timeLimit(.minutes(4)))
struct HTTPValidationTests {
    @Test("a URL that is not http or https is refused with invalidURL")
    func invalidScheme() async throws {
        for url in ["ftp://example.com/x", "file:///etc/passwd", "example.com/mcp", "http:///path"] {
            let error = try await httpError { _ = try await client.send(HTTPRequest(method: "GET", url: url)) }
            #expect(error.code == .invalidURL, "\(url)")
        }
    }

    @Test("a header value with a line break is refused without echoing it")
    func headerInjection() async throws {
        let header = HTTPHeader(name: "Mcp-Session-Id", value: .secret(Secret("abc\r\nX-Evil: 1")))
        let error = try await httpError {
            _ = try await client.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/", headers: [header]))
        }
        #expect(error.code == .transfer(43))
        #expect(!error.description.contains("Evil"))
    }

    @Test("header lookup is case-insensitive and keeps order")
    func headerLookup() {
        let headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Set-Cookie", "a"), ("set-cookie", "b")])
        #expect(headers.value(for: "content-type") == "text/event-stream")
        #expect(headers.value(for: "SET-COOKIE") == "a")
        #expect(headers.values(for: "Set-Cookie") == ["a", "b"])
        #expect(headers.value(for: "missing") == nil)
        #expect(headers.values(for: "missing").isEmpty)
    }
}
