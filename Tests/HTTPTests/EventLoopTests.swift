import Basics
import Foundation
import Testing

@testable import HTTP

/// The name Foundation keeps for the current thread (a synchronous call, so that async code may
/// ask it).
private func currentThreadName() -> String? { Thread.current.name }

/// `HTTPClient.withEventLoop`: a client's tasks run on the curl thread (#11's request path).
@Suite("HTTPClient's event loop: tasks that prefer the curl thread", .timeLimit(.minutes(4)))
struct EventLoopTests {
    /// A client of its own, so that other suites' transfers never share its thread.
    private let client = HTTPClient()

    @Test("a task resumed by a response runs on the curl thread, and so do its child and unstructured tasks")
    func resumesOnCurlThread() async throws {
        try await withTestServer { server in
            let names = await client.withEventLoop { () -> [String?] in
                var names: [String?] = []
                let request = HTTPRequest(method: "GET", url: server.base + "/echo")
                _ = try? await client.send(request).body.collect(limit: 1 << 20)
                names.append(currentThreadName())
                async let child: String? = {
                    _ = try? await client.send(request).body.collect(limit: 1 << 20)
                    return currentThreadName()
                }()
                names.append(await child)
                let unstructured = Task(executorPreference: EventLoop.preferred) { () -> String? in
                    _ = try? await client.send(request).body.collect(limit: 1 << 20)
                    return currentThreadName()
                }
                names.append(await unstructured.value)
                return names
            }
            #expect(names == ["mcp-run.curl", "mcp-run.curl", "mcp-run.curl"])
        }
    }

    @Test("outside withEventLoop no executor is preferred")
    func noPreferenceOutside() async {
        #expect(EventLoop.preferred == nil)
        let inside = await client.withEventLoop { EventLoop.preferred != nil }
        #expect(inside)
    }

    @Test("100 concurrent requests with timeouts, on the event loop, all complete")
    func concurrentOnEventLoop() async throws {
        try await withTestServer { server in
            let matched = await client.withEventLoop {
                await withTaskGroup(of: Bool.self) { group in
                    for index in 0..<100 {
                        group.addTask {
                            let request = HTTPRequest(
                                method: "POST", url: server.base + "/echo", body: Array("request \(index)".utf8),
                                timeout: .seconds(20))
                            let body = try? await withTimeout(.seconds(30)) {
                                try await client.send(request).body.collect(limit: 1 << 20)
                            }
                            return body.map { String(decoding: $0, as: UTF8.self).contains("request \(index)") }
                                ?? false
                        }
                    }
                    var matched = 0
                    for await isMatch in group where isMatch { matched += 1 }
                    return matched
                }
            }
            #expect(matched == 100)
        }
    }

    @Test("cancelling a task that awaits a head on the event loop throws CancellationError promptly")
    func cancelOnEventLoop() async throws {
        try await withTestServer { server in
            let outcome = await client.withEventLoop { () -> Result<HTTPResponse, any Error> in
                let waiter = Task(executorPreference: EventLoop.preferred) {
                    try await client.send(HTTPRequest(method: "GET", url: server.base + "/slow?ms=30000"))
                }
                try? await Task.sleep(for: .milliseconds(100))
                waiter.cancel()
                return await waiter.result
            }
            // The server answers after 30 s; the suite's time limit is the backstop.
            #expect(throws: CancellationError.self) { _ = try outcome.get() }
        }
    }
}
