#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system's text for an `errno` value in the messages' style: lower-case start
/// (`permission denied`, `no such file or directory`), an acronym left as it is.
package func systemErrorText(_ number: Int32) -> String {
    var text = strerror(number).map { String(cString: $0) } ?? "error \(number)"
    if let first = text.first, first.isUppercase, text.dropFirst().first?.isLowercase ?? true {
        text = first.lowercased() + text.dropFirst()
    }
    return text
}
