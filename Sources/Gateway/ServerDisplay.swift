import Basics
import Foundation
import WorkflowModel

/// How the API shows a server: its definition with every credential replaced by `***`.
enum ServerDisplay {
    /// Members whose value is a credential.
    private static let secretKeys: Set<String> = ["apiKey", "token", "password", "clientSecret"]
    /// Members whose every value may be a credential (header values, a child's environment, its arguments).
    private static let secretCollections: Set<String> = ["headers", "env", "args"]

    /// The JSON for `entry`: `name`, `readOnly`, and the definition's members, masked.
    static func json(_ entry: ServerRegistry.Entry) -> JSONValue {
        var object: [String: JSONValue] = [:]
        if case .object(let members)? = entry.definition {
            for (key, value) in members { object[key] = masked(key: key, value) }
        } else {
            object["transport"] = .string(entry.spec.transport.rawValue)
            object["authType"] = .string(entry.spec.authType.rawValue)
        }
        object["name"] = .string(entry.name)
        object["readOnly"] = .bool(entry.isReadOnly)
        return .object(object)
    }

    private static func masked(key: String, _ value: JSONValue) -> JSONValue {
        if secretKeys.contains(key) { return "***" }
        if secretCollections.contains(key) {
            switch value {
            case .object(let members): return .object(members.mapValues { _ in "***" })
            case .array(let items): return .array(items.map { _ in "***" })
            default: return "***"
            }
        }
        if key == "url", case .string(let url) = value { return .string(maskedURL(url)) }
        if case .object(let members) = value {
            var copy: [String: JSONValue] = [:]
            for (inner, item) in members { copy[inner] = masked(key: inner, item) }
            return .object(copy)
        }
        return value
    }

    /// The texts of `definition` that `json(_:)` hides: credentials, header values, a child's
    /// environment and arguments, user information and query values of the URL.
    static func secretTexts(in definition: JSONValue?) -> [String] {
        guard case .object(let members)? = definition else { return [] }
        var texts: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .string(let text): texts.append(text)
            case .array(let items): items.forEach(collect)
            case .object(let inner): inner.values.forEach(collect)
            default: break
            }
        }
        for (key, value) in members {
            if secretKeys.contains(key) || secretCollections.contains(key) { collect(value) }
            if key == "oauth" { secretTexts(in: value).forEach { texts.append($0) } }
            if key == "url", case .string(let url) = value, let components = URLComponents(string: url) {
                texts += [components.user, components.password].compactMap { $0 }
                texts += (components.queryItems ?? []).compactMap(\.value)
            }
        }
        return texts
    }

    /// `url` without user information and with its query values hidden (either may carry a key).
    static func maskedURL(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "***" }
        if components.user != nil || components.password != nil {
            components.user = components.user == nil ? nil : "***"
            components.password = components.password == nil ? nil : "***"
        }
        if let items = components.queryItems, !items.isEmpty {
            components.queryItems = items.map { URLQueryItem(name: $0.name, value: $0.value == nil ? nil : "***") }
        }
        return components.string ?? "***"
    }
}
