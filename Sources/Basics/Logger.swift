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
/// Every line goes through the `SecretMasker` first, so no secret's text reaches the sink.
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
        sink(masker.mask(message()))
    }

    /// A warning, shown unless `-q`.
    package func warning(_ message: @autoclosure () -> String) {
        guard level >= .normal else { return }
        sink("warning: " + masker.mask(message()))
    }

    /// A protocol trace line, shown only with `-v`.
    package func trace(_ message: @autoclosure () -> String) {
        guard level >= .verbose else { return }
        sink(masker.mask(message()))
    }

    /// Whether trace lines are wanted (to skip building expensive ones).
    package var isTracing: Bool { level >= .verbose }

    /// A line shown at every level (errors).
    package func always(_ message: String) {
        sink(masker.mask(message))
    }
}
