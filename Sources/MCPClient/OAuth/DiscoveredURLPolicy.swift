import Foundation

/// Which URLs found in OAuth metadata mcp-run will contact (contract §7, Discovery).
///
/// Discovered URLs are untrusted: they must be `https`, or `http` on a loopback host; a private
/// (RFC 1918, RFC 4193) or link-local (169.254/16, fe80::/10) address is allowed only when the
/// server's own URL points at one too, and a loopback one only when the server's URL is loopback,
/// private or link-local, so a public server cannot steer the client at the local network (for
/// example a cloud metadata endpoint). Host names are not resolved: the check is on the URL's
/// literal host.
package struct DiscoveredURLPolicy: Sendable {
    /// Whether the server's own URL is on a private or link-local address.
    package var serverIsPrivate: Bool
    /// Whether the server's own URL is on loopback.
    package var serverIsLoopback: Bool

    /// A policy for a server at `serverURL`.
    package init(serverURL: String) {
        let host = URLComponents(string: serverURL)?.host ?? ""
        serverIsLoopback = Self.isLoopback(host)
        serverIsPrivate = Self.isPrivateOrLinkLocal(host)
    }

    /// Why `url` is refused, or nil when it may be contacted.
    package func refusal(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { return "it is not an absolute URL" }
        if url.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) {
            return "it contains spaces or control characters"
        }
        let loopback = Self.isLoopback(host)
        switch scheme {
        case "https": break
        case "http" where loopback: break
        default: return "it is not https (http is allowed on loopback only)"
        }
        if Self.isPrivateOrLinkLocal(host) && !serverIsPrivate {
            return "it points at a private or link-local address while the server's URL does not"
        }
        if loopback && !serverIsLoopback && !serverIsPrivate {
            return "it points at loopback while the server's URL is public"
        }
        return nil
    }

    /// `localhost`, 127.0.0.0/8 and ::1.
    package static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        if let octets = ipv4(host) { return octets[0] == 127 }
        return false
    }

    /// 10/8, 172.16/12, 192.168/16, 169.254/16, 100.64/10, 0/8, fc00::/7, fe80::/10.
    package static func isPrivateOrLinkLocal(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if let o = ipv4(host) {
            return o[0] == 10 || (o[0] == 172 && (16...31).contains(o[1])) || (o[0] == 192 && o[1] == 168)
                || (o[0] == 169 && o[1] == 254) || (o[0] == 100 && (64...127).contains(o[1])) || o[0] == 0
        }
        guard host.contains(":") else { return false }
        if host.hasPrefix("fc") || host.hasPrefix("fd") { return true }
        if host.hasPrefix("fe8") || host.hasPrefix("fe9") || host.hasPrefix("fea") || host.hasPrefix("feb") {
            return true
        }
        // IPv4-mapped IPv6 (::ffff:10.0.0.1).
        if let last = host.split(separator: ":").last, let mapped = ipv4(String(last)) {
            return isPrivateOrLinkLocal(mapped.map(String.init).joined(separator: "."))
                || mapped[0] == 127
        }
        return false
    }

    private static func ipv4(_ host: String) -> [Int]? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = Int(part), value <= 255
            else { return nil }
            octets.append(value)
        }
        return octets
    }
}
