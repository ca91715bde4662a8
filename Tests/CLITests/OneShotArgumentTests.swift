import Basics
import Testing
import WorkflowModel

@testable import CLI

/// `--stdio CMD` and the other one-shot options (contract §5).
@Suite("one-shot arguments")
struct OneShotArgumentTests {
    @Test(
        "--stdio splits like a shell without expanding anything",
        arguments: [
            ("python server.py", ["python", "server.py"]),
            ("  npx  -y   pkg  ", ["npx", "-y", "pkg"]),
            ("'/opt/my servers/run' --name \"a b\"", ["/opt/my servers/run", "--name", "a b"]),
            (#"run a\ b "q\"d" 'it''s' ''"#, ["run", "a b", "q\"d", "its", ""]),
            (#""C:\dir\\x" 'a\b'"#, [#"C:\dir\x"#, #"a\b"#]),
            ("echo $HOME ~ *", ["echo", "$HOME", "~", "*"]),
        ])
    func splits(text: String, words: [String]) throws {
        #expect(try CommandWords.split(text) == words)
    }

    @Test(
        "--stdio with an open quote, a trailing backslash or no word is a usage error",
        arguments: ["'a", "\"a", "a\\", "  "])
    func refuses(text: String) {
        #expect(throws: CommandWords.Problem.self) { try CommandWords.split(text) }
    }

    @Test("--stdio stands in for SERVER: the first word is then the TOOL")
    func stdioReplacesServer() throws {
        let parsed = try ArgumentParser.parse(["call", "--stdio", "python s.py", "echo", "text=hi"])
        #expect(parsed.argument(.server) == nil)
        #expect(parsed.argument(.tool) == "echo")
        #expect(parsed.keyValues(.toolArguments).map(\.key) == ["text"])
        let named = try ArgumentParser.parse(["call", "srv", "echo"])
        #expect(named.argument(.server) == "srv" && named.argument(.tool) == "echo")
        #expect(throws: UsageError.self) { try ArgumentParser.parse(["tools", "--stdio", "x", "extra"]) }
        #expect(throws: UsageError.self) { try ArgumentParser.parse(["tools"]) }
    }

    @Test("two credential options are a conflict")
    func oneCredential() {
        #expect(throws: UsageError.self) {
            try ArgumentParser.parse(["tools", "srv", "--bearer-env", "A", "--basic-env", "B:C"])
        }
    }

    @Test("--header is split at its first colon; a bad name or value is a usage error")
    func headers() throws {
        let (name, value) = try OneShotServer.header("X-Team:  blue: green")
        #expect(name == "X-Team")
        guard case .literal(.string(let text)) = value else {
            Issue.record("a literal value: \(value)")
            return
        }
        #expect(text == "blue: green")
        let (_, templated) = try OneShotServer.header("X-Env: ${{ env.TEAM }}")
        guard case .template = templated else {
            Issue.record("a template: \(templated)")
            return
        }
        for bad in ["no colon", "Bad Name: x", ": x", "X: ${{ env. }}"] {
            #expect(throws: UsageError.self, "\(bad)") { try OneShotServer.header(bad) }
        }
    }

    @Test("a credential option takes a variable's name; the value goes to secrets, the server reads secrets.NAME")
    func credentials() throws {
        var secrets: [String: Secret] = [:]
        let value = try OneShotServer.credential(
            option: .bearerEnv, variable: "API_TOKEN", environment: ["API_TOKEN": "tok-1"], into: &secrets)
        #expect(secrets["API_TOKEN"] == Secret("tok-1"))
        guard case .template(let string) = value else {
            Issue.record("a template: \(value)")
            return
        }
        #expect(string.origin.text == "${{ secrets.API_TOKEN }}")
        for (name, environment) in [("API_TOKEN", [:]), ("API_TOKEN", ["API_TOKEN": ""]), ("tok-1", ["tok-1": "x"])] {
            #expect(throws: UsageError.self, "\(name)") {
                try OneShotServer.credential(
                    option: .bearerEnv, variable: name, environment: environment, into: &secrets)
            }
        }
    }
}
