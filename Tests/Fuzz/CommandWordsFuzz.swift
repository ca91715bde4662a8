/// libFuzzer harness: `--stdio`'s word splitting (`CommandWords.split`,
/// Sources/CLI/Commands/CommandWords.swift). Any input gives words or a `Problem`, never a trap;
/// words are never empty as a list, and joining them back never makes more text than was given.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let text = input.text
    if let words = try? CommandWords.split(text) {
        precondition(!words.isEmpty, "a split that succeeds has a word")
        precondition(
            words.reduce(0) { $0 + $1.unicodeScalars.count } <= text.unicodeScalars.count,
            "words hold no more characters than the text")
    }
    return 0
}
