import Basics
import Foundation
import MCPClient

/// The person at the command line, as an OAuth login sees them (contract §7, Browser flow and
/// Device flow): every line on stderr, the authorization URL opened with `$BROWSER` (or
/// `xdg-open` when stderr is a terminal), and a redirected URL accepted on stdin when no browser
/// can bring it back by itself.
///
/// A value: the reading of pasted lines runs on a thread of its own per login (a blocking
/// `readLine`, never on the cooperative pool), which stops once the login stops listening.
struct TerminalLoginUI: LoginUI {
    /// Where every line goes.
    let console: Console
    /// The environment (`BROWSER`, `PATH`).
    let environment: [String: String]
    /// Whether to launch a browser (false with `--no-browser`).
    let opensBrowser: Bool
    /// Whether to accept the redirected URL pasted on stdin.
    let acceptsPaste: Bool
    /// Whether stderr is a terminal (`xdg-open` is used only then).
    let isTerminal: Bool

    /// The login UI of a command: `isLogin` for `mcp-run auth login` (a login is what was asked
    /// for), with its `noBrowser` (`--no-browser`). The redirected URL is accepted on stdin with
    /// `--no-browser`, or when stdin is a terminal and there is no display.
    init(console: Console, environment: [String: String], noBrowser: Bool = false, isLogin: Bool = false) {
        self.console = console
        self.environment = environment
        let stdinIsTerminal = isatty(STDIN_FILENO) == 1
        let hasDisplay = environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil
        opensBrowser = !noBrowser
        acceptsPaste = stdinIsTerminal && (noBrowser || !hasDisplay) || (isLogin && noBrowser)
        isTerminal = isatty(STDERR_FILENO) == 1
    }

    func showAuthorizationURL(_ url: String, server: String) {
        console.err("to log in to '\(server)', open this URL in a browser:\n  \(url)")
        if opensBrowser {
            let commands = BrowserLauncher.commands(for: url, environment: environment, isTerminal: isTerminal)
            let (started, failed) = BrowserLauncher.open(commands, environment: environment)
            for entry in failed { console.err("could not start the browser '\(TerminalText.inline(entry))'") }
            if !started, !commands.isEmpty { console.err("no browser could be started: open the URL above yourself") }
        }
        if acceptsPaste { console.err("then paste the URL the browser was redirected to here, and press Enter") }
    }

    func pastedRedirects() -> AsyncStream<String>? {
        guard acceptsPaste else { return nil }
        let (lines, sink) = AsyncStream<String>.makeStream()
        let thread = Thread {
            while let line = readLine(strippingNewline: true) {
                // The login stopped listening: leave the rest of stdin alone.
                if case .terminated = sink.yield(line) { return }
            }
            sink.finish()
        }
        thread.name = "mcp-run oauth paste"
        thread.start()
        return lines
    }

    func rejectPastedLine() {
        console.err("that is not the redirected URL of this login (its state does not match); paste it again")
    }

    func showDeviceCode(server: String, verificationURL: String, userCode: String, expiresIn: Int) {
        console.err(
            "To log in to '\(server)', open \(verificationURL) and enter the code \(userCode) "
                + "(it expires in \(expiresIn) s; waiting for approval)")
    }
}
