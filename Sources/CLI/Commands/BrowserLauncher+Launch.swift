import Foundation
import MCPClient

extension BrowserLauncher {
    /// The program that would open a browser, or nil: `$BROWSER` when set, else `xdg-open` found
    /// on `PATH` when `isTerminal`.
    static func program(environment: [String: String], isTerminal: Bool) -> String? {
        if let browser = environment["BROWSER"], !browser.isEmpty { return resolve(browser, environment: environment) }
        guard isTerminal else { return nil }
        return resolve("xdg-open", environment: environment)
    }

    /// Starts `program url` without waiting for it; false when it could not be started. The URL
    /// is ONE argv element through `Process` (posix_spawn), never through a shell, so no character
    /// in it is interpreted; the OAuth grant has already checked it with `refusal(of:)`.
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
