/// The checks on `oauth.clientMetadataUrl` (MCP 2025-11-25, Client Registration;
/// draft-ietf-oauth-client-id-metadata-document §3): the URL is a `client_id`, so it must be an
/// `https` URL with a path, and no fragment, credentials or dot segments. `http` is allowed on a
/// loopback host only (`localhost`, 127.0.0.0/8, `::1`), as for discovered OAuth URLs, so a
/// document can be served locally while developing.
enum ClientMetadataURLCheck {
    /// Why `url` cannot be a client ID metadata document URL, or nil when it can.
    static func problem(_ url: String) -> String? {
        if url.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) {
            return "contains spaces or control characters"
        }
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else {
            return "is not an absolute https URL"
        }
        let scheme = url[..<colon].lowercased()
        let rest = url[url.index(colon, offsetBy: 3)...]
        let delimiters: Set<Character> = ["/", "?", "#"]
        let authorityEnd = rest.firstIndex(where: { delimiters.contains($0) }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let tail = rest[authorityEnd...]
        if authority.contains("@") { return "must not contain a user name or password" }
        let host = Self.host(of: String(authority))
        guard !host.isEmpty else { return "has no host" }
        switch scheme {
        case "https": break
        case "http" where Self.isLoopback(host): break
        default: return "must be an https URL (http is allowed on a loopback host only)"
        }
        if tail.contains("#") { return "must not contain a fragment" }
        let path = tail.prefix(while: { $0 != "?" })
        guard path.count > 1 else { return "must have a path, such as https://example.com/mcp-run/client.json" }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == "." || $0 == ".." }) {
            return "must not contain '.' or '..' path segments"
        }
        return nil
    }

    /// The host of an authority (`host[:port]` or `[v6][:port]`), lower-cased, without brackets.
    private static func host(of authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close]).lowercased()
        }
        return String(authority.split(separator: ":", omittingEmptySubsequences: false).first ?? "").lowercased()
    }

    /// `localhost` (and `*.localhost`), 127.0.0.0/8 and `::1`.
    private static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && UInt8($0) != nil }) else {
            return false
        }
        return octets[0] == "127"
    }
}
