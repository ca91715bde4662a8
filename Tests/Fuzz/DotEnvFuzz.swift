/// libFuzzer harness: the `--secrets` dotenv parser (`DotEnv.parse`, Sources/Basics/DotEnv.swift).
/// `scripts/fuzz` skips it while that file does not exist.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    _ = try? DotEnv.parse(input.text, file: "fuzz.env")
    return 0
}
