/// How much the user asked to see.
package enum LogLevel: Int, Sendable, Comparable {
    /// Errors only (`-q`).
    case quiet = 0
    /// Step progress and warnings (default).
    case normal = 1
    /// Protocol traffic too (`-v`).
    case verbose = 2

    package static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Human-facing log lines to stderr, passed down the call chain as a value.
///
/// Every line goes through the `SecretMasker` first, so no secret's text reaches the sink, then
/// through `TerminalText.neutralized`, so no control character a server sent reaches a terminal.
package struct Logger: Sendable {
    /// The level in force.
    package var level: LogLevel
    /// The masker every line passes through.
    package var masker: SecretMasker
    private let sink: @Sendable (String) -> Void

    /// A logger writing lines to `sink` (the CLI passes stderr; tests pass a collector).
    package init(
        level: LogLevel = .normal, masker: SecretMasker = SecretMasker(), sink: @escaping @Sendable (String) -> Void
    ) {
        self.level = level
        self.masker = masker
        self.sink = sink
    }

    /// A logger that drops everything.
    package static var silent: Logger { Logger(level: .quiet) { _ in } }

    /// A line shown unless `-q`.
    package func info(_ message: @autoclosure () -> String) {
        guard level >= .normal else { return }
        sink(shown(message()))
    }

    /// A warning, shown unless `-q`.
    package func warning(_ message: @autoclosure () -> String) {
        guard level >= .normal else { return }
        sink("warning: " + shown(message()))
    }

    /// A protocol trace line, shown only with `-v`.
    package func trace(_ message: @autoclosure () -> String) {
        guard level >= .verbose else { return }
        sink(shown(message()))
    }

    /// Whether trace lines are wanted (to skip building expensive ones).
    package var isTracing: Bool { level >= .verbose }

    /// A line shown at every level (errors).
    package func always(_ message: String) {
        sink(shown(message))
    }

    /// `message` as it may be shown: secrets masked, then control characters neutralised.
    private func shown(_ message: String) -> String {
        TerminalText.neutralized(masker.mask(message))
    }
}
