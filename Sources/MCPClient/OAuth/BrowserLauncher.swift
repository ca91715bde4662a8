import Foundation

/// What may be opened in a browser (contract §7, Browser flow): the authorization grant checks
/// every URL with `refusal(of:)` before a `LoginUI` sees it; the command line's launcher
/// (`BrowserLauncher+Launch.swift` in CLI) then hands it to `$BROWSER` or `xdg-open` as ONE argv
/// element, never through a shell (CVE-2025-6514 was a shell-interpreted authorization URL).
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
}
