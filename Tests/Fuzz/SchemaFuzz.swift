/// libFuzzer harness: the tool-argument schema check. The input is a schema's JSON and an instance's
/// JSON separated by a NUL byte; when both parse, the instance is coerced and checked against it.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let (schemaBytes, instanceBytes) = input.split(at: 0)
    guard let schema = try? JSONValue.parse(schemaBytes), let instance = try? JSONValue.parse(instanceBytes) else {
        return 0
    }
    if let mismatch = SchemaCheck.firstMismatch(instance, schema: schema) { _ = mismatch.description }
    let keys = Set(instance.objectValue.map { Array($0.keys) } ?? [])
    let coerced = SchemaCheck.coerce(instance, keys: keys, schema: schema)
    if let mismatch = SchemaCheck.firstMismatch(coerced, schema: schema) { _ = mismatch.description }
    return 0
}
