import Basics
import Testing

@testable import HTTPServer

@Suite("HTTP request parser")
struct HTTPRequestParserTests {
    private static func parse(
        _ text: String, limits: RequestLimits = RequestLimits()
    ) throws(RequestFailure)
        -> [ParsedRequest]
    {
        var parser = HTTPRequestParser(limits: limits)
        return try parser.feed(Array(text.utf8))
    }

    /// Feeds `text` cut at every offset into two pieces; every cut must give the same requests.
    private static func parseSplitEverywhere(_ text: String) throws -> [ParsedRequest] {
        let bytes = Array(text.utf8)
        let whole = try parse(text)
        for cut in 0...bytes.count {
            var parser = HTTPRequestParser()
            var requests = try parser.feed(bytes[0..<cut])
            requests += try parser.feed(bytes[cut...])
            #expect(requests == whole, "cut at \(cut)")
        }
        return whole
    }

    @Test("a GET with headers is parsed, path and query apart, whatever the cut")
    func simpleGet() throws {
        let requests = try Self.parseSplitEverywhere(
            "GET /api/v1/servers?x=1 HTTP/1.1\r\nHost: a\r\nX-API-Key:  k1 \r\n\r\n")
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        #expect(request.method == "GET")
        #expect(request.path == "/api/v1/servers")
        #expect(request.query == "x=1")
        #expect(request.header("x-api-key") == "k1")
        #expect(request.keepsAlive)
    }

    @Test("a Content-Length body and a pipelined second request, whatever the cut")
    func contentLengthAndPipelining() throws {
        let requests = try Self.parseSplitEverywhere(
            "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(requests.map(\.path) == ["/a", "/b"])
        #expect(requests.first?.body == Array("hello".utf8))
        #expect(requests.last?.keepsAlive == false)
    }

    @Test("a chunked body with extensions and trailers is de-chunked, whatever the cut")
    func chunked() throws {
        let requests = try Self.parseSplitEverywhere(
            "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n"
        )
        #expect(requests.first?.body == Array("hello world".utf8))
    }

    @Test("a request fed one byte at a time, CRLF and bare LF mixed, gives the same request")
    func byteAtATime() throws {
        let text =
            "\r\nPOST /x HTTP/1.1\r\nA: " + String(repeating: "v", count: 20_000) + "\nB: 2\r\n"
            + "Content-Length: 3\r\n\r\nabc"
        var parser = HTTPRequestParser()
        var requests: [ParsedRequest] = []
        for byte in text.utf8 { requests += try parser.feed([byte]) }
        #expect(requests == (try Self.parse(text)))
        #expect(requests.first?.header("b") == "2")
        #expect(requests.first?.body == Array("abc".utf8))
    }

    @Test("bare LF line ends are accepted")
    func bareLineFeeds() throws {
        let requests = try Self.parse("GET / HTTP/1.0\nConnection: keep-alive\n\n")
        #expect(requests.first?.minorVersion == 0)
        #expect(requests.first?.keepsAlive == true)
    }

    @Test("Expect: 100-continue is flagged until the body arrives")
    func expectContinue() throws {
        var parser = HTTPRequestParser()
        _ = try parser.feed(Array("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        #expect(parser.isWaitingForContinue)
        parser.continueSent()
        let requests = try parser.feed(Array("ok".utf8))
        #expect(requests.first?.body == Array("ok".utf8))
        #expect(!parser.isWaitingForContinue)
    }

    static let refusals: [(String, Int)] = [
        ("garbage\r\n\r\n", 400),
        ("GET /\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\n\r\n", 400),
        ("GET http://x/ HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\n\r\n", 505),
        ("G(T / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nA: b\u{01}c\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 400),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFF\r\n", 400),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    ]

    @Test("malformed input is refused with its status", arguments: refusals)
    func refused(_ input: String, status: Int) {
        #expect(throws: RequestFailure.self) { try Self.parse(input) }
        do {
            _ = try Self.parse(input)
        } catch {
            #expect(error.status == status, "\(error)")
        }
    }

    @Test("limits: request line 414, headers 431, chunked body 413, even before the head ends")
    func limits() {
        var limits = RequestLimits()
        limits.maxRequestLineBytes = 32
        limits.maxHeaderBytes = 64
        limits.maxBodyBytes = 8
        func status(_ text: String) -> Int? {
            do {
                _ = try Self.parse(text, limits: limits)
                return nil
            } catch {
                return error.status
            }
        }
        #expect(status("GET /" + String(repeating: "a", count: 40)) == 414)
        #expect(status("GET / HTTP/1.1\r\nA: " + String(repeating: "b", count: 100)) == 431)
        #expect(status("GET / HTTP/1.1\r\nA: " + String(repeating: "b", count: 70) + "\r\n\r\n") == 431)
        #expect(status("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\n") == 413)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n") == 413)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: 8\r\n\r\n12345678") == nil)
    }

    @Test("after a failure the parser keeps refusing")
    func failureSticks() {
        var parser = HTTPRequestParser()
        #expect(throws: RequestFailure.self) { try parser.feed(Array("bad\r\n\r\n".utf8)) }
        #expect(throws: RequestFailure.self) { try parser.feed(Array("GET / HTTP/1.1\r\n\r\n".utf8)) }
    }

    @Test("an incomplete request is partial; a finished one is not")
    func partial() throws {
        var parser = HTTPRequestParser()
        #expect(!parser.hasPartialRequest)
        _ = try parser.feed(Array("GET / HT".utf8))
        #expect(parser.hasPartialRequest)
        _ = try parser.feed(Array("TP/1.1\r\n\r\n".utf8))
        #expect(!parser.hasPartialRequest)
    }
}
