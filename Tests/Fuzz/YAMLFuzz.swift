/// libFuzzer harness: the YAML loader (libyaml events to a node tree, with anchors, aliases and merge
/// keys). Every tree it builds is walked and converted to JSON.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    guard let result = try? YAMLParser.parse(input.text, file: "fuzz.yaml") else { return 0 }
    for problem in result.problems { _ = problem.message }
    guard let root = result.root else { return 0 }
    var count = 0
    visit(root, count: &count)
    _ = root.toJSON().serializedBytes()
    return 0
}

/// Reads every node's accessors, depth first; `count` stops a runaway tree (the loader bounds it).
private func visit(_ node: YAMLNode, count: inout Int) {
    count += 1
    guard count <= 1_000_000 else { fuzzFailure("a tree of more than a million nodes") }
    _ = (node.kindName, node.keyText, node.scalarText, node.location.line)
    switch node.kind {
    case .scalar: break
    case .sequence(let elements): for element in elements { visit(element, count: &count) }
    case .mapping(let entries):
        for entry in entries {
            visit(entry.key, count: &count)
            visit(entry.value, count: &count)
        }
    }
}
