/// The bytes libFuzzer hands a harness, with the few ways a harness splits them.
///
/// Compiled into every harness by `scripts/fuzz`; not part of the package.
struct FuzzInput {
    /// Every byte of this run's input.
    let bytes: [UInt8]

    /// Copies libFuzzer's buffer.
    init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        if let data, size > 0 {
            bytes = Array(UnsafeBufferPointer(start: data, count: size))
        } else {
            bytes = []
        }
    }

    /// The input as text; invalid UTF-8 becomes U+FFFD, as when a file is read.
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The input cut at the first `separator` byte: both halves, the separator dropped; the whole input and
    /// an empty second half when there is none.
    func split(at separator: UInt8) -> (first: ArraySlice<UInt8>, second: ArraySlice<UInt8>) {
        guard let index = bytes.firstIndex(of: separator) else { return (bytes[...], []) }
        return (bytes[..<index], bytes[(index + 1)...])
    }

    /// The first byte as a small number (for choices), and the rest of the input.
    func leadingChoice() -> (choice: UInt8, rest: ArraySlice<UInt8>) {
        guard let first = bytes.first else { return (0, []) }
        return (first, bytes.dropFirst())
    }
}

/// Stops the process with a message, so libFuzzer records the input as a crash: for a broken
/// invariant the harness checks itself (not for thrown errors, which are expected).
func fuzzFailure(_ message: String, file: StaticString = #file, line: UInt = #line) -> Never {
    fatalError("fuzz invariant: \(message)", file: file, line: line)
}
