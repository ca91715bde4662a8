import Foundation

/// Opens the authorization URL in a browser: `$BROWSER` when set, else `xdg-open` when stderr is
/// a terminal (contract §7, Browser flow).
///
/// The URL is checked first (`refusal(of:)`) and handed to the program as ONE argv element
/// through `Process` (posix_spawn), never through a shell, so no character in it is interpreted
/// (CVE-2025-6514 was a shell-interpreted authorization URL).
package enum BrowserLauncher {
    /// Why `url` must not be opened, or nil: it must be an absolute `https` URL (or `http` on a
    /// loopback host) without control characters, spaces or backslashes.
    package static func refusal(of url: String) -> String? {
        if url.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || $0 == "\\" }) {
            return "it contains spaces, backslashes or control characters"
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { return "it is not an absolute http(s) URL" }
        switch scheme {
        case "https": return nil
        case "http" where DiscoveredURLPolicy.isLoopback(host): return nil
        default: return "its scheme '\(scheme)' is not https (http is allowed on loopback only)"
        }
    }

    /// The program that would open a browser, or nil: `$BROWSER` when set, else `xdg-open` found
    /// on `PATH` when `isTerminal`.
    static func program(environment: [String: String], isTerminal: Bool) -> String? {
        if let browser = environment["BROWSER"], !browser.isEmpty { return resolve(browser, environment: environment) }
        guard isTerminal else { return nil }
        return resolve("xdg-open", environment: environment)
    }

    /// Starts `program url` (the URL one argument) without waiting for it; false when it could not
    /// be started. The caller has already checked `url` with `refusal(of:)`.
    static func launch(_ program: String, url: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = [url]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            return true
        } catch {
            return false
        }
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
