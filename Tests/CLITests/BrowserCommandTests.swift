import MCPClient
import Testing

@testable import CLI

/// `$BROWSER` as its convention reads it (contract §7): a `:`-separated list, words split at
/// spaces, `%s` for the URL (else the URL last), `%%` for a `%`. Through the binary:
/// EndToEndTests/BrowserLoginTests.swift (`browserList`).
@Suite("$BROWSER entries")
struct BrowserCommandTests {
    static let url = "https://auth.example.test/authorize?state=a%20b&x=1"

    @Test(
        "each entry becomes a program and its arguments",
        arguments: [
            ("firefox", [["firefox", url]]),
            ("firefox --new-tab", [["firefox", "--new-tab", url]]),
            ("firefox %s --new-tab", [["firefox", url, "--new-tab"]]),
            ("w3m:lynx -dump %s", [["w3m", url], ["lynx", "-dump", url]]),
            ("open --url=%s", [["open", "--url=" + url]]),
            ("echo 100%%:/opt/b\tx", [["echo", "100%", url], ["/opt/b", "x", url]]),
            ("::  :chrome", [["chrome", url]]),
        ])
    func entries(browser: String, expected: [[String]]) {
        let commands = BrowserLauncher.commands(for: Self.url, environment: ["BROWSER": browser], isTerminal: false)
        #expect(commands.map { [$0.program] + $0.arguments } == expected)
    }

    @Test("without $BROWSER: xdg-open on a terminal, nothing otherwise")
    func fallback() {
        #expect(
            BrowserLauncher.commands(for: Self.url, environment: [:], isTerminal: true).map(\.program) == ["xdg-open"])
        #expect(BrowserLauncher.commands(for: Self.url, environment: ["BROWSER": ""], isTerminal: false).isEmpty)
    }

    @Test("the URL stays one argument, whatever it holds")
    func oneArgument() {
        let url = "https://a.test/x?q=$(touch /tmp/pwned)&r=`id`;ls %s"
        let commands = BrowserLauncher.commands(for: url, environment: ["BROWSER": "browser --flag"], isTerminal: false)
        #expect(commands.first?.arguments == ["--flag", url])
    }
}
