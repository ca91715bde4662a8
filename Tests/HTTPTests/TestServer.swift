import Basics
import Foundation
import TestSupport

/// A local HTTP/1.1 test server (Python's `http.server`, standard library only) on 127.0.0.1.
///
/// It binds port 0 and prints `READY <port>`; `start()` waits for that line with a deadline.
/// Endpoints, one behaviour each:
/// - `/echo` (any method): the request as JSON (`method`, `path`, `headers` lower-cased, `body`,
///   `clientPort`).
/// - `/json`: a fixed JSON-RPC response.
/// - `/gated?id=X`: chunked; sends `first\n`, then waits (up to 20 s) for `/release?id=X`, then `second\n`.
/// - `/slow?ms=N`: answers `late` after N ms.
/// - `/headless?id=X`: sends nothing, not even the status line, until `/release?id=X` (up to 20 s);
///   `/arrived?id=X` answers `arrived` once that request has reached the server (waits up to 10 s).
/// - `/forever?id=X`: chunked `tick\n` every 50 ms until the client goes away; `/closed?id=X&wait=ms`
///   then answers `closed` (or `open` if it did not notice within `wait`).
/// - `/bigheader?kb=N`: a 200 with one header field of N KiB (default 300), over curl's limit.
/// - `/nothttp`: answers a line that is not an HTTP status line (as an SSH server would), closes.
/// - `/badstatus`: an `HTTP/1.1 abc OK` status line. `/gzip`: a gzip-compressed text body sent with
///   `Content-Encoding: gzip` although the client did not ask for it. `/squashed`: a body with
///   `Content-Encoding: squash`, which no one can decode.
/// - `/redirect`: 302 to `/echo`. `/big?n=N`: N bytes. `/truncated`: promises 100 bytes, sends 10,
///   closes. `/informational`: a `100 Continue` then the final 200.
final class TestServer: Sendable {
    /// The server's process id (`ChildSpawn`), killed and reaped by `stop()`.
    private let pid: Int32
    /// The server's stdin: it exits when this closes, so a crashed test leaves no server behind.
    private let input: Pipe
    /// The bound port.
    let port: Int

    /// `http://127.0.0.1:<port>`.
    var base: String { "http://127.0.0.1:\(port)" }

    private init(pid: Int32, input: Pipe, port: Int) {
        self.pid = pid
        self.input = input
        self.port = port
    }

    private static let scriptPath: String = {
        let path = NSTemporaryDirectory() + "mcp-run-http-test-server-\(getpid()).py"
        _ = FileManager.default.createFile(atPath: path, contents: Data(script.utf8))
        return path
    }()

    /// Starts a server and waits (at most 30 s, counted once through TestSupport's start gate) for its `READY` line.
    static func start() async throws -> TestServer {
        let output = Pipe()
        let input = Pipe()
        let pid = try ChildSpawn.start(
            executable: "/usr/bin/env", arguments: ["python3", "-u", scriptPath],
            environment: ProcessInfo.processInfo.environment, directory: nil,
            standardInput: input.fileHandleForReading.fileDescriptor,
            standardOutput: output.fileHandleForWriting.fileDescriptor, standardError: 2)
        try? output.fileHandleForWriting.close()
        try? input.fileHandleForReading.close()
        let (lines, continuation) = AsyncStream<String>.makeStream()
        let reader = output.fileHandleForReading
        // A plain thread does the blocking reads, so the cooperative pool never blocks.
        let thread = Thread {
            var buffer = Data()
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                buffer.append(data)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    continuation.yield(String(decoding: buffer[..<newline], as: UTF8.self))
                    buffer = Data(buffer[(newline + 1)...])
                }
            }
            continuation.finish()
        }
        thread.start()
        let server = TestServer(pid: pid, input: input, port: 0)
        do {
            let port = try await withTimeout(.seconds(30)) {
                for await line in lines where line.hasPrefix("READY ") {
                    if let port = Int(line.dropFirst(6)) { return port }
                }
                throw ServerStartError(message: "the test server exited without printing READY")
            }
            return TestServer(pid: pid, input: input, port: port)
        } catch {
            server.stop()
            throw error
        }
    }

    /// Stops the server with SIGKILL (it keeps no state) and reaps it.
    func stop() {
        try? input.fileHandleForWriting.close()
        kill(pid, SIGKILL)
        _ = ChildSpawn.waitForExit(pid)
    }
}

struct ServerStartError: Error {
    var message: String
}

/// Runs `body` with a fresh test server, and stops the server however `body` ends.
func withTestServer<R: Sendable>(_ body: (TestServer) async throws -> R) async throws -> R {
    // Through the start gate, so that a parallel test run starts no more servers than there are cores.
    let server = try await fixtureStartGate.run { try await TestServer.start() }
    defer { server.stop() }
    return try await body(server)
}

private let script = #"""
    import json, os, signal, sys, threading, time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import urlparse, parse_qs

    gates = {}
    closed = {}
    arrivals = {}
    lock = threading.Lock()

    def event(table, key):
        with lock:
            return table.setdefault(key, threading.Event())

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type="text/plain", extra=()):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def chunk(self, data):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def start_chunked(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

        def handle_any(self):
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = url.path
            if path == "/echo":
                document = {
                    "method": self.command, "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode("utf-8", "replace"), "clientPort": self.client_address[1],
                }
                self.reply(200, json.dumps(document).encode(), "application/json", [("X-Multi", "one"), ("x-multi", "two")])
            elif path == "/json":
                self.reply(200, b'{"jsonrpc":"2.0","id":1,"result":{"ok":true}}', "application/json")
            elif path == "/gated":
                gate = event(gates, query["id"])
                self.start_chunked()
                self.chunk(b"first\n")
                self.chunk(b"second\n" if gate.wait(20) else b"gate-timeout\n")
                self.chunk(b"")
            elif path == "/release":
                event(gates, query["id"]).set()
                self.reply(200, b"ok")
            elif path == "/headless":
                event(arrivals, query["id"]).set()
                released = event(gates, query["id"]).wait(20)
                self.reply(200, b"late-head" if released else b"gate-timeout")
            elif path == "/arrived":
                seen = event(arrivals, query["id"]).wait(10)
                self.reply(200, b"arrived" if seen else b"not-arrived")
            elif path == "/slow":
                time.sleep(int(query.get("ms", "1000")) / 1000)
                self.reply(200, b"late")
            elif path == "/forever":
                done = event(closed, query["id"])
                self.start_chunked()
                try:
                    while True:
                        self.chunk(b"tick\n")
                        time.sleep(0.05)
                except OSError:
                    done.set()
                    self.close_connection = True
            elif path == "/closed":
                noticed = event(closed, query["id"]).wait(int(query.get("wait", "5000")) / 1000)
                self.reply(200, b"closed" if noticed else b"open")
            elif path == "/bigheader":
                self.reply(200, b"{}", "application/json", [("X-Big", "a" * (int(query.get("kb", "300")) * 1024))])
            elif path == "/nothttp":
                self.wfile.write(b"SSH-2.0-OpenSSH_9.0\r\n\r\n")
                self.wfile.flush()
                self.close_connection = True
            elif path == "/badstatus":
                self.wfile.write(b"HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\n{}")
                self.wfile.flush()
                self.close_connection = True
            elif path == "/gzip":
                import gzip
                self.reply(500, gzip.compress(b"compressed failure text"), extra=[("Content-Encoding", "gzip")])
            elif path == "/squashed":
                self.reply(500, b"\x00\x01squashed", extra=[("Content-Encoding", "squash")])
            elif path == "/redirect":
                self.reply(302, b"moved", extra=[("Location", "/echo")])
            elif path == "/big":
                self.reply(200, b"x" * int(query.get("n", "100000")))
            elif path == "/truncated":
                self.send_response(200)
                self.send_header("Content-Length", "100")
                self.end_headers()
                self.wfile.write(b"0123456789")
                self.wfile.flush()
                self.close_connection = True
            elif path == "/informational":
                self.send_response_only(100)
                self.end_headers()
                self.reply(200, b"final")
            else:
                self.reply(404, b"not found")

        do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = handle_any

    # The test process may spawn us with signals blocked; and when it dies, stdin closes and so do we.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()
    """#
