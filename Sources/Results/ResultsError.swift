import Basics

/// A results document that could not be written (STYLE.md §4).
///
/// The message names the path and what went wrong; the hint says how to get past it. The previous
/// file at the path, if any, is left as it was: a failed write never leaves half a document.
package struct ResultsError: UserFacingError {
    /// Which part of the write failed.
    package enum Code: Sendable, Hashable {
        /// The path cannot take a results document at all (a folder, a socket, a block device, a
        /// kernel file system, a path through a file, a folder where nothing can be created…);
        /// found before any server is contacted.
        case unusablePath
        /// A missing parent folder could not be created.
        case createFolder
        /// The temporary file next to the target could not be created.
        case createTemporaryFile
        /// Writing or syncing the temporary file failed.
        case write
        /// Renaming the temporary file over the target failed.
        case replace
    }

    /// Which part failed.
    package var code: Code
    /// For people: what could not be done, with the path and the system's reason.
    package var message: String
    /// What the user can do.
    package var hint: String?
    /// Usually empty: the path is in the message, since `ErrorContext` locates places in workflow files.
    package var context: ErrorContext
    /// The system error, as a `SystemCallError`.
    package var underlying: (any Error)?
    /// The results file's path as the user gave it.
    package var path: String

    /// Creates the error.
    package init(
        code: Code, message: String, hint: String?, path: String, context: ErrorContext = ErrorContext(),
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.path = path
        self.context = context
        self.underlying = underlying
    }
}

/// A failed system call: its name, the path it was given, and `errno`.
package struct SystemCallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The call, such as `rename`.
    package var call: String
    /// The path it was given.
    package var path: String
    /// The `errno` it set.
    package var errorNumber: Int32
    /// The system's text for `errno`, lower-cased at the start (`is a directory`).
    package var reason: String

    /// Creates the error.
    package init(call: String, path: String, errorNumber: Int32, reason: String) {
        self.call = call
        self.path = path
        self.errorNumber = errorNumber
        self.reason = reason
    }

    /// `rename 'path': is a directory (errno 21)`.
    package var description: String { "\(call) '\(path)': \(reason) (errno \(errorNumber))" }
}
