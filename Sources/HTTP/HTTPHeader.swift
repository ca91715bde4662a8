import Basics

/// One request header field.
///
/// A `.secret` value (an `Authorization` header, an API key) is revealed only when the curl header
/// list is built, right before the transfer starts; it never appears in descriptions or errors.
package struct HTTPHeader: Sendable {
    /// A header value: plain text, or a secret that is revealed only to curl.
    package enum Value: Sendable {
        /// Text that may be logged.
        case plain(String)
        /// Text that must never be logged; shows as `***`.
        case secret(Secret)
    }

    /// The field name, such as `Accept`; sent as given.
    package var name: String
    /// The field value.
    package var value: Value

    /// Creates a header field.
    package init(name: String, value: Value) {
        self.name = name
        self.value = value
    }

    /// Creates a header field with a plain value.
    package init(_ name: String, _ value: String) {
        self.init(name: name, value: .plain(value))
    }
}

extension HTTPHeader: CustomStringConvertible {
    /// `Name: value`, or `Name: ***` for a secret value.
    package var description: String {
        switch value {
        case .plain(let text): "\(name): \(text)"
        case .secret: "\(name): ***"
        }
    }
}
