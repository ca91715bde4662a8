import Basics

/// A problem with a `${{ }}` expression: its syntax, or a value it could not compute.
///
/// `offset` counts Unicode scalars from the start of the template text, so the caller (which
/// knows where the template sits in its file) can turn it into `file:line:col`. Messages never
/// contain a value read through a secret root; such values show as `***`.
package struct ExpressionError: UserFacingError {
    /// What went wrong, for tests and exit codes to switch on.
    package enum Code: Sendable, Hashable {
        /// The text is not a well-formed template or expression.
        case syntax
        /// A property, element or name that does not exist; `default(x, fallback)` catches this one.
        case missingProperty
        /// An operator was applied to values of types it does not take.
        case typeMismatch
        /// A call to a function that does not exist.
        case unknownFunction
        /// A function was called with the wrong number or types of arguments.
        case badArguments
        /// A division by zero.
        case divisionByZero
        /// A value built by a template would nest deeper than `JSONValue.maximumNesting`.
        case tooDeep
    }

    /// What went wrong.
    package var code: Code
    /// For people: lower-case start, no trailing period, user values in single quotes.
    package var message: String
    /// What the user can do next, when we know.
    package var hint: String?
    /// Where it happened; filled in by the layers above (file, line, step).
    package var context: ErrorContext
    /// The cause from below, if any (a `JSONParseError` for `fromJSON`).
    package var underlying: (any Error)?
    /// The Unicode-scalar offset in the template text where the problem starts.
    package var offset: Int

    /// Creates an error.
    package init(
        code: Code, message: String, hint: String? = nil, offset: Int, context: ErrorContext = ErrorContext(),
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.offset = offset
        self.context = context
        self.underlying = underlying
    }
}
