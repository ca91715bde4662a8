import Basics
import Testing

@testable import Results

@Suite("Results document encoding")
struct ResultsEncodingTests {
    static let started = Timestamp(millisecondsSince1970: 1_795_503_600_000)  // 2026-11-24T07:00:00.000Z

    static func sampleDocument(secret: String = "s3cr3t-t0ken") -> ResultsDocument {
        let search = StepRecord(
            id: "search", server: "atlassian", target: .tool("searchJiraIssuesUsingJql"), status: .succeeded,
            startedAt: started, durationMs: 640, attempts: 1,
            arguments: ["jql": "project = ENG", "maxResults": 50, "auth": .string("Bearer \(secret)")],
            result: ["content": [["type": "text", "text": .string("token=\"\(secret)\"\n")]], "isError": false],
            outputs: ["count": 12])
        let page = StepRecord(
            id: "page", server: "atlassian", target: .prompt("digest"), status: .failed, startedAt: started,
            durationMs: 3, attempts: 2, arguments: [:],
            error: StepFailure(
                code: .rpcError, message: "server said \(secret) is wrong", hint: "log in again", rpcCode: -32602,
                data: ["field": "jql", "limit": 1.5]),
            log: [["level": "info", "data": "hello"]])
        let skipped = StepRecord(id: "later", server: "files", target: .resource("file:///x"), status: .skipped)
        return ResultsDocument(
            workflow: "jira-report", file: "workflows/jira-report.yaml", runId: "run-1", status: .failed,
            startedAt: started, durationMs: 812, inputs: ["project": "ENG", "days": 1],
            steps: [search, page, skipped], outputs: ["count": 12])
    }

    @Test("a timestamp is ISO 8601 UTC with milliseconds")
    func timestampFormat() {
        #expect(Timestamp(millisecondsSince1970: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Self.started.iso8601 == "2026-11-24T07:00:00.000Z")
        #expect(Timestamp(millisecondsSince1970: 951_782_400_123).iso8601 == "2000-02-29T00:00:00.123Z")
        #expect(Timestamp(millisecondsSince1970: -1).iso8601 == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(secondsSince1970: 1.5).iso8601 == "1970-01-01T00:00:01.500Z")
        #expect(Timestamp(millisecondsSince1970: 10).milliseconds(until: Timestamp(millisecondsSince1970: 5)) == 0)
    }

    @Test("the document has the contract's keys, schemaVersion 1 and a null error")
    func documentShape() throws {
        let bytes = ResultsWriter.encode(Self.sampleDocument(), masker: SecretMasker(registry: SecretRegistry()))
        let json = try JSONValue.parse(bytes)
        let keys = Set(try #require(json.objectValue).keys)
        #expect(
            keys == [
                "schemaVersion", "workflow", "file", "runId", "status", "startedAt", "durationMs", "inputs", "steps",
                "outputs", "error", "servers",
            ])
        #expect(json["schemaVersion"] == 1)
        #expect(json["status"] == "failed")
        #expect(json["startedAt"] == "2026-11-24T07:00:00.000Z")
        #expect(json["error"] == .null)
        #expect(json["inputs"] == ["project": "ENG", "days": 1])
        #expect(json["outputs"] == ["count": 12])
    }

    @Test("a step names its tool, resource or prompt and omits an empty log")
    func stepShape() throws {
        let json = try JSONValue.parse(
            ResultsWriter.encode(Self.sampleDocument(), masker: SecretMasker(registry: SecretRegistry())))
        let steps = try #require(json["steps"]?.arrayValue)
        #expect(steps.count == 3)
        #expect(steps[0]["tool"] == "searchJiraIssuesUsingJql")
        #expect(steps[0]["resource"] == nil && steps[0]["prompt"] == nil)
        #expect(steps[0]["log"] == nil)
        #expect(steps[0]["error"] == .null)
        #expect(steps[0]["attempts"] == 1 && steps[0]["durationMs"] == 640)
        #expect(steps[1]["prompt"] == "digest")
        let expectedError: JSONValue = [
            "code": "rpc_error", "message": "server said s3cr3t-t0ken is wrong", "hint": "log in again",
            "rpcCode": -32602, "data": ["field": "jql", "limit": 1.5],
        ]
        #expect(steps[1]["error"] == expectedError)
        #expect(steps[1]["log"] == [["level": "info", "data": "hello"]])
        #expect(steps[2]["resource"] == "file:///x")
        #expect(steps[2]["startedAt"] == .null && steps[2]["arguments"] == .null && steps[2]["result"] == .null)
        #expect(steps[2]["status"] == "skipped")
    }

    @Test("a step error always has code, message and hint; rpcCode and data only for a JSON-RPC error")
    func stepErrorKeys() {
        #expect(
            StepFailure(code: .timeout, message: "slow").json == ["code": "timeout", "message": "slow", "hint": .null])
        #expect(
            StepFailure(code: .rpcError, message: "bad", rpcCode: -32602).json == [
                "code": "rpc_error", "message": "bad", "hint": .null, "rpcCode": -32602,
            ])
    }

    @Test("a run-level error has code, message, hint, server and step, null where unknown")
    func runFailureShape() throws {
        var document = Self.sampleDocument()
        document.error = RunFailure(code: .unreachable, message: "could not connect", server: "atlassian")
        let json = try JSONValue.parse(ResultsWriter.encode(document, masker: SecretMasker(registry: SecretRegistry())))
        #expect(
            json["error"] == [
                "code": "unreachable", "message": "could not connect", "hint": .null, "server": "atlassian",
                "step": .null,
            ])
    }

    @Test("a failed step's error is the run's error, with the step and its JSON-RPC code and data")
    func runFailureFromStep() throws {
        var document = Self.sampleDocument()
        document.error = RunFailure(
            code: .rpcError, message: "bad", hint: "fix it", server: "atlassian", step: "page", rpcCode: -32602,
            data: ["why": "limit"])
        let json = try JSONValue.parse(ResultsWriter.encode(document, masker: SecretMasker(registry: SecretRegistry())))
        #expect(
            json["error"] == [
                "code": "rpc_error", "message": "bad", "hint": "fix it", "server": "atlassian", "step": "page",
                "rpcCode": -32602, "data": ["why": "limit"],
            ])
    }

    @Test(
        "a number that is not finite is written as its name, never as null",
        arguments: [(Double.infinity, "Infinity"), (-Double.infinity, "-Infinity"), (Double.nan, "NaN")])
    func nonFiniteNumbers(number: Double, name: String) throws {
        var document = Self.sampleDocument()
        document.outputs["x"] = ["deep": [.double(number)]]
        document.steps[0].result = ["structuredContent": ["n": .double(number)]]
        let json = try JSONValue.parse(ResultsWriter.encode(document, masker: SecretMasker(registry: SecretRegistry())))
        #expect(json["outputs"]?["x"] == ["deep": [.string(name)]])
        #expect(json["steps"]?[0]?["result"]?["structuredContent"]?["n"] == .string(name))
        let line = try JSONValue.parse(
            ResultsWriter.encodeLine(document.steps[0].json, masker: SecretMasker(registry: SecretRegistry())))
        #expect(line["result"]?["structuredContent"]?["n"] == .string(name))
    }

    @Test("output is pretty, 2-space indented, sorted and newline-terminated")
    func prettySorted() {
        let text = String(
            decoding: ResultsWriter.encode(Self.sampleDocument(), masker: SecretMasker(registry: SecretRegistry())),
            as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"durationMs\": 812,\n  \"error\": null,\n  \"file\": "))
        #expect(text.hasSuffix("}\n"))
        let line = String(
            decoding: ResultsWriter.encodeLine(
                ["b": 1, "a": [true]], masker: SecretMasker(registry: SecretRegistry())), as: UTF8.self)
        #expect(line == "{\"a\":[true],\"b\":1}\n")
    }

    @Test("a secret in arguments, result, error or a key never appears in the bytes")
    func secretsMasked() {
        let secret = "s3cr3t-t0ken"
        var document = Self.sampleDocument(secret: secret)
        document.outputs[secret] = "key"
        document.error = RunFailure(code: .unauthorized, message: "refused \(secret)", hint: "rotate \(secret)")
        let masker = SecretMasker([Secret(secret)])
        let text = String(decoding: ResultsWriter.encode(document, masker: masker), as: UTF8.self)
        #expect(!text.contains(secret))
        #expect(text.contains("Bearer ***"))
        #expect(text.contains("\"***\": \"key\""))
    }

    @Test(
        "a secret that JSON escaping would split is still masked",
        arguments: ["pa\"ss\"word", "line1\nline2", "tab\there\u{1}"])
    func escapedSecretMasked(secret: String) {
        var document = Self.sampleDocument()
        document.inputs["password"] = .string("x\(secret)y")
        let bytes = ResultsWriter.encode(document, masker: SecretMasker([Secret(secret)]))
        let text = String(decoding: bytes, as: UTF8.self)
        let escaped = JSONValue.string(secret).serialized()
        #expect(!text.contains(String(escaped.dropFirst().dropLast())))
        #expect(text.contains("\"x***y\""))
    }
}
