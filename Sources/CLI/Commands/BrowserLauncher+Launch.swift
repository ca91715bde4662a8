import Basics
import Foundation
import MCPClient

extension BrowserLauncher {
    /// One way to open a URL: an entry of `$BROWSER` (or `xdg-open`), as written and as argv.
    struct Command: Equatable {
        /// The entry as written, for messages.
        var entry: String
        /// The program's name or path (resolved on `PATH` when it has no slash).
        var program: String
        /// Its arguments, the URL among them.
        var arguments: [String]
    }

    /// The commands to try in order to open `url` (contract §7, `$BROWSER`): each entry of
    /// `$BROWSER`, a `:`-separated list, split into words at spaces and tabs (no shell: quotes are
    /// not special), with `%s` in a word replaced by the URL (`%%` is a `%`) or, when no word has
    /// `%s`, the URL added as the last argument. Without `$BROWSER`: `xdg-open URL` when
    /// `isTerminal`, else nothing.
    static func commands(for url: String, environment: [String: String], isTerminal: Bool) -> [Command] {
        guard let browser = environment["BROWSER"], !browser.isEmpty else {
            return isTerminal ? [Command(entry: "xdg-open", program: "xdg-open", arguments: [url])] : []
        }
        return browser.split(separator: ":").compactMap { entry in
            let words = entry.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let program = words.first else { return nil }
            var placed = false
            var arguments = words.dropFirst().map { word -> String in
                guard word.contains("%") else { return word }
                let (expanded, hadURL) = expand(word, url: url)
                placed = placed || hadURL
                return expanded
            }
            if !placed { arguments.append(url) }
            return Command(entry: String(entry), program: program, arguments: arguments)
        }
    }

    /// `word` with `%s` replaced by `url` and `%%` by `%`; whether a `%s` was there.
    private static func expand(_ word: String, url: String) -> (String, Bool) {
        var out = ""
        var hadURL = false
        var index = word.startIndex
        while index < word.endIndex {
            let next = word.index(after: index)
            if word[index] == "%", next < word.endIndex, word[next] == "s" || word[next] == "%" {
                if word[next] == "s" {
                    out += url
                    hadURL = true
                } else {
                    out += "%"
                }
                index = word.index(after: next)
            } else {
                out.append(word[index])
                index = next
            }
        }
        return (out, hadURL)
    }

    /// Opens `url` with the first of `commands` that starts, without waiting for it; the entries
    /// that could not be started (not found, not executable, refused by `posix_spawn`), in order.
    /// The URL is always an argv element through `Process` (posix_spawn), never through a shell,
    /// so no character in it is interpreted; the OAuth grant has already checked it with
    /// `refusal(of:)`.
    /// - Returns: whether one started, and the entries that failed before it.
    static func open(_ commands: [Command], environment: [String: String]) -> (started: Bool, failed: [String]) {
        var failed: [String] = []
        for command in commands {
            if let path = resolve(command.program, environment: environment), launch(path, arguments: command.arguments)
            {
                return (true, failed)
            }
            failed.append(command.entry)
        }
        return (false, failed)
    }

    /// Starts `program arguments…` without waiting for it; false when it could not be started.
    private static func launch(_ program: String, arguments: [String]) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        guard
            let pid = try? ChildSpawn.start(
                executable: program, arguments: arguments, environment: environment, directory: nil,
                standardInput: nil, standardOutput: nil, standardError: nil)
        else { return false }
        // Reaped on a thread of its own, so that a browser that exits leaves no zombie behind.
        let reaper = Thread { _ = ChildSpawn.waitForExit(pid) }
        reaper.name = "mcp-run wait browser"
        reaper.start()
        return true
    }

    /// An executable path for `name`: itself when it contains a slash, else the first match on `PATH`.
    private static func resolve(_ name: String, environment: [String: String]) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = folder + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
