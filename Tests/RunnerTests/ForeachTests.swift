import Basics
import MCPClient
import Results
import Runner
import Testing

@Suite("foreach", .timeLimit(.minutes(1)))
struct ForeachTests {
    static let servers = "servers:\n  s: { url: \"https://example.test/mcp\" }\n"

    @Test("iterations run with item and index, and results keep element order even when finishing out of order")
    func orderAndScope() async throws {
        let recorder = Recorder()
        let workflow =
            Self.servers + """
                steps:
                  - id: each
                    server: s
                    foreach: ${{ fromJSON('["a", "b", "c"]') }}
                    concurrency: 3
                    tool: echo
                    arguments: { text: "${{ index }}:${{ item }}" }
                    outputs: { upper: "${{ upper(result.content[0].text) }}" }
                  - id: after
                    server: s
                    tool: echo
                    arguments: { text: "${{ join(map(steps.each.results, 'text'), ',') }}" }
                """
        let echo = FakeTool("echo") { call, recorder in
            let text = call.arguments["text"]?.stringValue ?? ""
            // The first element is held until the last has finished: completion order differs from element order.
            if text == "0:a" { try await recorder.waitUntil { $0.contains("end:echo") } }
            return textResult(text)
        }
        let report = try await run(workflow, servers: ["s": FakeServer(tools: [echo])], recorder: recorder)
        #expect(report.status == .succeeded)
        let each = try report.step("each")
        #expect(each.attempts == 3)
        #expect(each.iterations?.map(\.outputs) == [["upper": "0:A"], ["upper": "1:B"], ["upper": "2:C"]])
        #expect(try report.step("after").result == textResult("0:a,1:b,2:c"))
        let json = each.record.json
        #expect(json["iterations"]?.arrayValue?.map { $0["index"] } == [0, 1, 2])
        #expect(json["iterations"]?[1]?["arguments"] == ["text": "1:b"])
        #expect(json["iterations"]?[1]?["id"] == nil)
    }

    @Test("the step's concurrency bounds iterations in flight; the default is one at a time")
    func concurrencyBound() async throws {
        for (concurrency, expected) in [(nil, 1), (2, 2)] as [(Int?, Int)] {
            let recorder = Recorder()
            let line = concurrency.map { "    concurrency: \($0)\n" } ?? ""
            let workflow =
                Self.servers + """
                    steps:
                      - id: each
                        server: s
                        foreach: ${{ fromJSON('[1, 2, 3, 4, 5]') }}
                    """ + "\n" + line + """
                        tool: work
                    """
            let work = FakeTool("work") { call, recorder in
                // Each call waits until `expected` calls have started (or all that remain have), so
                // the bound is reached whenever it can be.
                let started = await recorder.calls.count
                if started < expected {
                    try await recorder.waitUntil { events in events.filter { $0 == "start:work" }.count >= expected }
                }
                return textResult("\(call.arguments)")
            }
            let report = try await run(workflow, servers: ["s": FakeServer(tools: [work])], recorder: recorder)
            #expect(report.status == .succeeded)
            #expect(await recorder.maxInFlight == expected)
            #expect(await recorder.calls.count == 5)
        }
    }

    @Test("a failed iteration fails the step, later iterations do not start, and the run stops")
    func failure() async throws {
        let recorder = Recorder()
        let workflow =
            Self.servers + """
                steps:
                  - id: each
                    server: s
                    foreach: ${{ fromJSON('[1, 2, 3]') }}
                    tool: check
                    arguments: { n: "${{ item }}" }
                  - id: after
                    server: s
                    tool: check
                    arguments: { n: 0 }
                """
        let check = FakeTool("check") { call, _ in
            textResult("n=\(call.arguments["n"]?.serialized() ?? "")", isError: call.arguments["n"] == 2)
        }
        let report = try await run(workflow, servers: ["s": FakeServer(tools: [check])], recorder: recorder)
        #expect(report.status == .failed)
        let each = try report.step("each")
        #expect(each.status == .failed)
        #expect(each.iterations?.map(\.status) == [.succeeded, .failed, .skipped])
        #expect(each.iterations?.last?.error?.message == "not run: iteration 1 failed")
        #expect(each.error?.message.contains("iteration 1") == true, "\(String(describing: each.error))")
        #expect(try report.step("after").status == .skipped)
        #expect(await recorder.calls.count == 2)
    }

    @Test("with continue-on-error every iteration runs and the run goes on")
    func continueOnError() async throws {
        let recorder = Recorder()
        let workflow =
            Self.servers + """
                steps:
                  - id: each
                    server: s
                    foreach: ${{ fromJSON('[1, 2, 3]') }}
                    continue-on-error: true
                    tool: check
                    arguments: { n: "${{ item }}" }
                  - id: after
                    server: s
                    tool: check
                    arguments: { n: "${{ steps.each.results[2].status }}" }
                """
        let check = FakeTool("check") { call, _ in
            textResult("\(call.arguments["n"]?.serialized() ?? "")", isError: call.arguments["n"] == 1)
        }
        let report = try await run(workflow, servers: ["s": FakeServer(tools: [check])], recorder: recorder)
        #expect(try report.step("each").iterations?.map(\.status) == [.failed, .succeeded, .succeeded])
        #expect(try report.step("after").arguments == ["n": "succeeded"])
    }

    @Test("foreach over a value that is not an array fails the step, naming the type")
    func notAnArray() async throws {
        let recorder = Recorder()
        let workflow =
            Self.servers + """
                steps:
                  - id: each
                    server: s
                    foreach: ${{ 'text' }}
                    tool: check
                """
        let report = try await run(
            workflow, servers: ["s": FakeServer(tools: [.text("check", "x")])], recorder: recorder)
        let each = try report.step("each")
        #expect(each.status == .failed)
        #expect(each.error?.message.contains("string") == true, "\(String(describing: each.error))")
        #expect(await recorder.calls.isEmpty)
    }

    @Test("an `if` naming item filters iterations; an empty array succeeds with no iterations")
    func filterAndEmpty() async throws {
        let recorder = Recorder()
        let workflow =
            Self.servers + """
                steps:
                  - id: odd
                    server: s
                    foreach: ${{ fromJSON('[1, 2, 3]') }}
                    if: ${{ item != 2 }}
                    tool: check
                  - id: none
                    server: s
                    foreach: ${{ fromJSON('[]') }}
                    tool: check
                """
        let report = try await run(
            workflow, servers: ["s": FakeServer(tools: [.text("check", "x")])], recorder: recorder)
        #expect(try report.step("odd").iterations?.map(\.status) == [.succeeded, .skipped, .succeeded])
        #expect(try report.step("none").status == .succeeded)
        #expect(try report.step("none").record.json["iterations"] == [])
    }
}

@Suite("server notifications and elicitation", .timeLimit(.minutes(1)))
struct NotificationTests {
    @Test("log messages go to the step whose call is in flight, progress becomes step events")
    func logsAndProgress() async throws {
        let recorder = Recorder()
        let workflow = """
            concurrency: 2
            servers:
              s: { url: "https://example.test/mcp" }
              t: { url: "https://example.test/other" }
            steps:
              - id: first
                server: s
                tool: chatty
              - id: second
                needs: []
                server: t
                tool: quiet
            """
        let chatty = FakeTool("chatty") { call, recorder in
            // Both calls are in flight before the message is sent: only the call on `s` gets it.
            try await recorder.waitUntil { $0.contains("start:quiet") }
            call.notify(.log(level: "info", logger: "fixture", data: "hello"))
            call.notify(.progress(token: call.progressToken ?? .null, progress: 1, total: 2, message: "half"))
            call.notify(.progress(token: "someone-else", progress: 9, total: nil, message: nil))
            await recorder.note("release:quiet")
            return textResult("done")
        }
        let progress = Locked<[String]>([])
        let options = testOptions(observer: { event in
            guard case .stepProgress(let id, let value, let total, let message) = event else { return }
            progress.withLock { $0.append("\(id):\(value):\(total ?? -1):\(message ?? "")") }
        })
        let report = try await run(
            workflow,
            servers: ["s": FakeServer(tools: [chatty]), "t": FakeServer(tools: [.held("quiet")])],
            recorder: recorder, options: options)
        #expect(report.status == .succeeded)
        #expect(try report.step("first").log == [["level": "info", "logger": "fixture", "data": "hello"]])
        #expect(try report.step("second").log.isEmpty)
        #expect(progress.value == ["first:1.0:2.0:half"])
        #expect(try report.step("first").record.json["log"]?[0]?["data"] == "hello")
    }

    @Test(
        "elicitation is answered from the workflow's rules, defaults fill gaps, else declined",
        arguments: [
            ("Deploy to prod?", #"{"action":"accept","content":{"confirm":true,"note":"n/a"}}"#),
            ("Pick a colour", #"{"action":"decline"}"#),
            ("Cancel me", #"{"action":"cancel"}"#),
            ("Deploy name?", #"{"action":"decline"}"#),
        ])
    func elicitation(message: String, expected: String) async throws {
        let recorder = Recorder()
        let workflow = """
            servers:
              s: { url: "https://example.test/mcp" }
            elicitation:
              - match: "Cancel"
                action: cancel
              - match: "Deploy"
                content: { confirm: true }
            steps:
              - id: ask
                server: s
                tool: ask
                arguments: { message: "\(message)" }
            """
        let ask = FakeTool("ask") { call, _ in
            let required: JSONValue = call.arguments["message"] == "Deploy name?" ? ["name"] : ["confirm"]
            let answer = call.elicit([
                "message": call.arguments["message"] ?? "",
                "requestedSchema": [
                    "type": "object", "required": required,
                    "properties": [
                        "confirm": ["type": "boolean"], "note": ["type": "string", "default": "n/a"],
                        "name": ["type": "string"],
                    ],
                ],
            ])
            return ["content": [], "structuredContent": answer, "isError": false]
        }
        let report = try await run(workflow, servers: ["s": FakeServer(tools: [ask])], recorder: recorder)
        #expect(try report.step("ask").result?["structuredContent"] == (try JSONValue.parse(expected)))
    }
}
