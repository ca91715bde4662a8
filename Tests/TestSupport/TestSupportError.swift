/// A test harness problem: a missing prerequisite, a fixture that would not start, a deadline passed.
///
/// Thrown (never recorded with `Issue.record`) so that the test that hit it fails with the message,
/// the hint and any captured output. It never skips a test.
package struct TestSupportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, lower-case.
    package var message: String
    /// What the person running the tests can do about it, when known.
    package var hint: String?
    /// Output captured along the way (a server's stderr, for example), when there is any.
    package var output: String?

    /// Creates the error.
    package init(_ message: String, hint: String? = nil, output: String? = nil) {
        self.message = message
        self.hint = hint
        self.output = output
    }

    /// The message, then the hint and the captured output on their own lines.
    package var description: String {
        var text = "TestSupport: \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        if let output, !output.isEmpty { text += "\n--- captured output ---\n\(output)\n--- end ---" }
        return text
    }
}
