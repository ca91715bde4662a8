import Basics

/// A problem with a YAML file: a fatal syntax error, or a non-fatal problem collected while building the tree.
///
/// Fatal errors (`.syntax`, `.invalidCharacter`, `.multipleDocuments`, `.unknownAlias`, `.nestingTooDeep`) are
/// thrown by `YAMLParser.parse(_:file:)`. Non-fatal ones (`.duplicateKey`, `.aliasExpansionLimit`, `.invalidMerge`,
/// `.invalidTaggedValue`) are returned in `YAMLParseResult.problems`, so that `validate` can report every problem
/// of a file in one pass. Every error carries the 1-based location it is about in `context.location`.
package struct YAMLError: UserFacingError {
    /// What went wrong, for tests and exit codes to switch on.
    package enum Code: Sendable, Hashable {
        /// libyaml refused the text: bad indentation, an unclosed quote, a stray `:`.
        case syntax
        /// The text holds a character YAML does not allow, such as a control character.
        case invalidCharacter
        /// The file holds more than one document (`---`); mcp-run reads exactly one.
        case multipleDocuments
        /// An alias names an anchor that is not defined before it (or that encloses the alias).
        case unknownAlias(String)
        /// The collections are nested deeper than `YAMLParser.maxNestingDepth`.
        case nestingTooDeep
        /// A key appears twice in one mapping; the first value is kept.
        case duplicateKey(String)
        /// Expanding aliases would produce more than `YAMLParser.aliasExpansionLimit` nodes; the alias became null.
        case aliasExpansionLimit
        /// A merge key `<<` whose value is neither a mapping nor a sequence of mappings; it was ignored.
        case invalidMerge
        /// A scalar whose explicit tag (such as `!!int`) does not fit its text; it was kept as a string.
        case invalidTaggedValue(String)
    }

    /// What went wrong.
    package var code: Code
    /// For people: lower-case start, no trailing period.
    package var message: String
    /// What the user can do, when we know.
    package var hint: String?
    /// Where it happened; `location` is always filled.
    package var context: ErrorContext
    /// The cause from the layer below; libyaml's errors are not Swift errors, so this is normally nil.
    package var underlying: (any Error)?

    /// Creates an error at `location`.
    package init(
        code: Code, message: String, hint: String? = nil, location: SourceLocation, underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.context = ErrorContext(location: location)
        self.underlying = underlying
    }
}
