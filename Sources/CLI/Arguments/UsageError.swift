import Basics

/// A command line that cannot be understood; nothing was run (STYLE.md §4). Exit code 2.
package struct UsageError: UserFacingError {
    /// What was wrong with the command line.
    package enum Code: Sendable, Hashable {
        /// No command and no workflow file was given.
        case missingCommand
        /// The first argument is neither a command nor a file name.
        case unknownCommand(String)
        /// An option the command does not have, as written (`--ouput`, `-x`).
        case unknownOption(String)
        /// An option that takes a value was given none.
        case missingValue(option: String)
        /// A flag was given a value (`--dry-run=yes`).
        case unexpectedValue(option: String)
        /// A value outside the allowed choices, or not in the required shape; `option` is the option's
        /// spelling or the positional's name.
        case invalidValue(option: String, value: String)
        /// A positional argument the command does not take.
        case unexpectedArgument(String)
        /// A required positional argument, by name (`SERVER`).
        case missingArgument(String)
        /// Two options that cannot be used together.
        case conflictingOptions(String, String)
    }

    /// What was wrong.
    package var code: Code
    /// For people: lower-case start, no trailing period.
    package var message: String
    /// What to type instead, when known.
    package var hint: String?
    /// Empty: the command line has no file location. Kept for the common error shape.
    package var context: ErrorContext
    /// Always nil: usage errors have no cause below them.
    package var underlying: (any Error)?
    /// The index of the offending argument (program name excluded), when there is one.
    package var argumentIndex: Int?
    /// The command being parsed, when it was known.
    package var command: CommandName?

    /// Creates a usage error.
    package init(
        code: Code, message: String, hint: String? = nil, argumentIndex: Int? = nil, command: CommandName? = nil,
        context: ErrorContext = ErrorContext(), underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.argumentIndex = argumentIndex
        self.command = command
        self.context = context
        self.underlying = underlying
    }
}
