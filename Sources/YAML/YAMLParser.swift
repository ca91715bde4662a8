import Basics

/// The result of parsing one YAML file.
package struct YAMLParseResult: Sendable {
    /// The document's root node; nil when the file holds no document (empty, or only comments).
    package var root: YAMLNode?
    /// Non-fatal problems, in file order: duplicate keys, alias expansion past the bound, invalid merges and
    /// tagged scalars whose text does not fit their tag.
    package var problems: [YAMLError]

    /// Creates a result.
    package init(root: YAMLNode?, problems: [YAMLError]) {
        self.root = root
        self.problems = problems
    }
}

/// Parses YAML text into a `YAMLNode` tree with libyaml's event API.
package enum YAMLParser {
    /// The most nodes that alias expansion may produce in one document (a "billion laughs" file stops here).
    package static let aliasExpansionLimit = 10_000
    /// The deepest nesting of collections accepted, as for JSON.
    package static let maxNestingDepth = 512

    /// Parses `text`, which must hold at most one document.
    ///
    /// Plain scalars are resolved with the YAML 1.2 core schema; aliases are expanded into copies (bounded by
    /// `aliasExpansionLimit`) and merge keys `<<` applied. Fatal syntax errors throw; duplicate keys, alias
    /// expansion past the bound and invalid merges are collected in `problems` so that `validate` can report
    /// every problem of a file in one pass.
    ///
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - file: the path as the user named it, for every node's `location`.
    /// - Returns: the root (nil for an empty file) and the non-fatal problems.
    /// - Throws: `YAMLError` with code `.syntax`, `.invalidCharacter`, `.multipleDocuments`, `.unknownAlias` or
    ///   `.nestingTooDeep`. `.duplicateKey`, `.aliasExpansionLimit`, `.invalidMerge` and `.invalidTaggedValue`
    ///   are returned in `problems`, not thrown.
    package static func parse(_ text: String, file: String) throws(YAMLError) -> YAMLParseResult {
        let reader = EventReader(text: text, file: file)
        var builder = TreeBuilder(reader: reader, expansionLimit: aliasExpansionLimit, maxDepth: maxNestingDepth)
        let root = try builder.buildStream()
        return YAMLParseResult(root: root, problems: builder.problems)
    }
}
