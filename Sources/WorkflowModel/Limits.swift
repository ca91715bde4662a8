/// The ranges of the numbers a workflow gives as durations and counts, checked when it is loaded
/// so that no later arithmetic on them can overflow.
package enum Limits {
    /// `timeout` of a server, a step and `defaults`, in milliseconds: up to one day.
    package static let timeout = 1...86_400_000
    /// `retry.attempts`, in total.
    package static let attempts = 1...100
    /// `retry.backoff`, in milliseconds: up to one hour. Also the cap on one computed wait.
    package static let backoff = 0...3_600_000
    /// `concurrency` of the workflow and of a `foreach` step.
    package static let concurrency = 1...1000
    /// The elements a `foreach` expression may give: each becomes a call and a record in the
    /// results document, so a server's list cannot grow a run without bound.
    package static let foreachElements = 10_000
    /// `oauth.redirectPort`: a TCP port.
    package static let port = 1...65535
}
