/// The task executor a client process's tasks prefer: the curl thread, set by
/// `HTTPClient.withEventLoop` for the commands that talk to servers.
///
/// Child tasks inherit an executor preference; unstructured tasks (`Task { }`) do not, but they do
/// inherit task-local values. So every unstructured task a client starts (a session's reader and
/// writer, the run itself under the signal watcher) is made with
/// `Task(executorPreference: EventLoop.preferred) { … }`, and keeps running where the response that
/// resumes it arrives. Where nothing set it (the gateway, tests) it is `nil`: no preference.
package enum EventLoop {
    /// The preferred executor of the current task, or `nil`.
    @TaskLocal package static var preferred: (any TaskExecutor)?
}
