import Foundation

extension URL {
    /// `scheme://host:port`, lower-cased, with the scheme's default port filled in: what must
    /// match for a redirect to be followed or a legacy endpoint to be used (contract §8), so
    /// credentials never go to another origin.
    var origin: String {
        let scheme = self.scheme?.lowercased() ?? ""
        let port = self.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : -1)
        return "\(scheme)://\(host?.lowercased() ?? ""):\(port)"
    }
}
