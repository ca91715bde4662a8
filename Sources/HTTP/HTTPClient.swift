import Basics
/// Sends HTTP requests through libcurl: one multi handle, one thread, connections reused per origin.
///
/// TLS is always verified; `CURL_CA_BUNDLE` (or `SSL_CERT_FILE`) and `SSL_CERT_DIR` choose the CA
/// bundle, and proxies come from the usual `http_proxy`/`https_proxy`/`no_proxy` variables as
/// libcurl reads them. Redirects are never followed (a credential must never follow one to another
/// origin): a 3xx is returned like any other status. Only `http` and `https` are spoken.
package final class HTTPClient: HTTPSending {
    /// The process-wide client. Its curl thread starts on first use and lives as long as the process.
    package static let shared = HTTPClient()

    private let multi: CurlMulti

    /// A client with its own multi handle and curl thread, which live as long as the process.
    init() {
        multi = CurlMulti()
    }

    /// Runs `operation` with the curl thread as its tasks' preferred executor: its code, its child
    /// tasks' and the default actors' it calls run on the thread that drives the transfers, so a
    /// response wakes its task without a hand-off between threads (see `CurlMulti`). Tasks it
    /// creates with `Task.detached`, and threads of its own, are not affected.
    ///
    /// For a client of one process (a run, a call); not for a server, whose requests should spread
    /// over every core. When curl could not be set up, `operation` runs where it would anyway, and
    /// its first `send` reports why.
    package func withEventLoop<T>(_ operation: () async -> T) async -> T {
        guard multi.setupError == nil else { return await operation() }
        let executor: any TaskExecutor = multi
        return await EventLoop.$preferred.withValue(executor) {
            await withTaskExecutorPreference(executor, operation: operation)
        }
    }

    /// Sends `request` and returns once the final status and headers are in; the body streams after.
    ///
    /// Runs on the caller's task, which suspends until the head arrives; the transfer itself runs
    /// on the curl thread. Informational (`1xx`) responses are skipped. A 4xx or 5xx status is
    /// returned, not thrown. Cancelling the awaiting task aborts the transfer and throws
    /// `CancellationError` at once; after `send` returns, cancelling the task iterating the body, or
    /// dropping the body, aborts it.
    /// - Throws: `HTTPError` `.invalidURL`, `.couldNotConnect`, `.timedOut`, `.tls`,
    ///   `.connectionClosed` or `.transfer(_)` (with the URL's origin in `context.server`), or
    ///   `CancellationError`.
    package func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if let setupError = multi.setupError { throw setupError }
        try Task.checkCancellation()
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let transfer = try Transfer(request, bodyContinuation: continuation)
        let multi = multi
        continuation.onTermination = { [weak transfer] termination in
            // The reader was cancelled or the body dropped: stop the transfer. `.finished` is the
            // curl thread ending it, which needs nothing.
            if case .cancelled = termination, let transfer { multi.cancel(transfer) }
        }
        let body = HTTPBody(stream: stream) { [weak transfer] in
            if let transfer { multi.cancel(transfer) }
        }
        let head = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<ResponseHead, any Error>) in
                if transfer.waitForHead(waiter) { multi.submit(transfer) }
            }
        } onCancel: {
            transfer.resolveHead(.failure(CancellationError()))
            multi.cancel(transfer)
        }
        return HTTPResponse(status: head.status, headers: head.headers, body: body)
    }
}
