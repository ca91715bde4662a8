import Basics
import Testing
import YAML

/// Parses `text` as `test.yaml`.
func parse(_ text: String) throws(YAMLError) -> YAMLParseResult {
    try YAMLParser.parse(text, file: "test.yaml")
}

/// Parses `text` and requires a root with no problems.
func root(_ text: String) throws -> YAMLNode {
    let result = try parse(text)
    #expect(result.problems.isEmpty, "unexpected problems: \(result.problems)")
    return try #require(result.root)
}

/// The error `text` throws, or a failure when it parses.
func parseError(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> YAMLError? {
    do {
        let result = try parse(text)
        Issue.record(
            "expected an error, parsed \(String(describing: result.root?.toJSON()))", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

extension YAMLNode {
    /// `line:column` of the node, for compact expectations.
    var position: String { "\(location.line):\(location.column)" }
}
