/// A position in a user's file, 1-based, as every error shows it (`file:line:col`).
package struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file's path as the user named it.
    package var file: String
    /// The 1-based line.
    package var line: Int
    /// The 1-based column, counted in Unicode scalars.
    package var column: Int

    /// Creates a location.
    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:col`.
    package var description: String { "\(file):\(line):\(column)" }

    /// The same place moved `columns` to the right on the same line.
    package func advanced(byColumns columns: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column + columns)
    }
}
