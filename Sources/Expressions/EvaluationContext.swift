import Basics

/// The values an expression can see, and the clock behind `now()`.
///
/// `Expressions` knows nothing of steps: the runner builds `variables` (`inputs`, `env`,
/// `secrets`, `steps`, `item`, `index`, `workflow`) as plain JSON.
package struct EvaluationContext: Sendable {
    /// The root names an expression may start with, and their values.
    package var variables: [String: JSONValue]
    /// Roots whose values are secret (normally `["secrets"]`): anything read through them taints the result.
    package var secretRoots: Set<String>
    /// Seconds since 1970-01-01T00:00:00Z, read by `now()`.
    package var now: @Sendable () -> Double
    /// What `success()`, `failure()` and `cancelled()` read: set only while a step's `if` is
    /// evaluated; nil elsewhere, where calling them is an error.
    package var runState: RunState?

    /// The state of the run as the status functions see it from one step (GitHub Actions
    /// semantics): whether a step it waits for, directly or through others, failed (a failure
    /// under `continue-on-error` does not count), and whether the run was interrupted.
    package struct RunState: Sendable, Equatable {
        package var hasFailedDependency: Bool
        package var isCancelled: Bool

        /// Creates the state.
        package init(hasFailedDependency: Bool, isCancelled: Bool) {
            self.hasFailedDependency = hasFailedDependency
            self.isCancelled = isCancelled
        }
    }

    /// Creates a context.
    ///
    /// - Parameters:
    ///   - variables: the root names and their values.
    ///   - secretRoots: roots whose values taint every result derived from them.
    ///   - now: the wall clock, in seconds since 1970; `Expressions` has none of its own.
    package init(
        variables: [String: JSONValue], secretRoots: Set<String> = [], now: @escaping @Sendable () -> Double
    ) {
        self.variables = variables
        self.secretRoots = secretRoots
        self.now = now
    }
}
