import Basics
import CCurl
import CCurlShim
import Foundation

/// The one curl multi handle and the one `Thread` that drives it, which is also a task executor.
///
/// Every transfer of the process runs here, so connections are reused per origin (HTTP/1.1
/// keep-alive, HTTP/2 multiplexing when TLS negotiates it) and a thousand transfers cost one thread.
/// Other threads only queue work (`submit`, `cancel`, `enqueue`) under a `Locked` and wake the curl
/// thread with `curl_multi_wakeup`; the curl thread runs queued jobs, applies the queued transfer
/// work, runs `curl_multi_perform`, and sleeps in `curl_multi_poll` until a socket is ready, curl's
/// own timer fires or it is woken. It never polls on a timer of ours.
///
/// As a `TaskExecutor`, the curl thread runs the jobs of tasks that prefer it
/// (`HTTPClient.withEventLoop`): a task waiting for a response then resumes on the thread that
/// received it, between two `curl_multi_perform` passes, and its next request is queued without a
/// wake-up. A request costs no hand-off between threads, where the cooperative pool cost several
/// (#11: about 7.5 context switches a call). A job must not block the thread: everything that
/// blocks (child pipes, the terminal, the gateway's connections) has a thread of its own.
final class CurlMulti: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `multi` is only passed to `curl_multi_wakeup` (documented thread-safe)
    // off the curl thread; `queue` is a lock; `setupError` is immutable. Everything else that
    // touches curl lives in `CurlLoop`, which only the curl thread can reach.

    /// Work queued for the curl thread, and whether it sleeps in `curl_multi_poll`.
    private struct Queue: Sendable {
        var additions: [Transfer] = []
        var cancellations: [Transfer] = []
        var jobs: [UnownedJob] = []
        /// Set under the lock by the curl thread when it found nothing queued and is about to
        /// poll; only then does queuing work need a `curl_multi_wakeup`.
        var isSleeping = false

        var isEmpty: Bool { additions.isEmpty && cancellations.isEmpty && jobs.isEmpty }
    }

    /// `curl_global_init` runs once, before the first multi handle is made.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// The `CURLM *`, or `nil` when curl could not be set up.
    private let multi: UnsafeMutableRawPointer?
    private let queue = Locked(Queue())
    /// Why curl could not be set up, thrown by every `send`.
    let setupError: HTTPError?

    /// Sets curl up and starts the curl thread.
    init() {
        let code = Self.globalInit
        guard code == CURLE_OK else {
            multi = nil
            setupError = HTTPError(code: .transfer(Int(code.rawValue)), message: "could not initialise libcurl")
            return
        }
        guard let multi = curl_multi_init() else {
            self.multi = nil
            setupError = HTTPError(
                code: .transfer(Int(CURLE_OUT_OF_MEMORY.rawValue)), message: "could not create a curl multi handle")
            return
        }
        self.multi = multi
        setupError = nil
        let thread = Thread { [self] in
            // Named again from inside: on Linux only the running thread can set the kernel's name
            // for itself (which `top -H`, `perf` and gdb show); the name given before `start` is
            // not applied.
            Thread.current.name = "mcp-run.curl"
            guard let multi = self.multi else { return }
            CurlLoop(multi: multi, owner: self).run()
        }
        thread.name = "mcp-run.curl"
        thread.start()
    }

    /// Queues `transfer` to start on the curl thread. Called from any thread.
    func submit(_ transfer: Transfer) {
        queueWork { $0.additions.append(transfer) }
    }

    /// Queues `transfer` to be aborted on the curl thread; harmless when it already ended.
    func cancel(_ transfer: Transfer) {
        queueWork { $0.cancellations.append(transfer) }
    }

    /// Queues a job of a task that prefers this executor, to run on the curl thread.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queueWork { $0.jobs.append(job) }
    }

    /// Adds work under the lock, and wakes the curl thread only when it sleeps: work queued by the
    /// curl thread itself, or while it is busy, is taken before it sleeps again.
    private func queueWork(_ add: (inout Queue) -> Void) {
        let isSleeping = queue.withLock { queue in
            add(&queue)
            return queue.isSleeping
        }
        if isSleeping, let multi { curl_multi_wakeup(multi) }
    }

    /// Takes the queued jobs; called by the curl thread.
    fileprivate func takeJobs() -> [UnownedJob] {
        queue.withLock { queue in
            defer { queue.jobs.removeAll() }
            return queue.jobs
        }
    }

    /// Takes the queued transfer work; called by the curl thread.
    fileprivate func takeTransferWork() -> (additions: [Transfer], cancellations: [Transfer]) {
        queue.withLock { queue in
            defer {
                queue.additions.removeAll()
                queue.cancellations.removeAll()
            }
            return (queue.additions, queue.cancellations)
        }
    }

    /// Whether the curl thread may sleep: nothing is queued. From then until `didWake`, queuing
    /// work wakes it; a wake-up that comes before the poll makes the poll return at once.
    fileprivate func maySleep() -> Bool {
        queue.withLock { queue in
            queue.isSleeping = queue.isEmpty
            return queue.isSleeping
        }
    }

    /// The curl thread is back from `curl_multi_poll`.
    fileprivate func didWake() {
        queue.withLock { $0.isSleeping = false }
    }
}

/// The curl thread's state: the multi handle's transfers and a pool of idle easy handles.
///
/// Created on the curl thread and never shared with another one.
private final class CurlLoop {
    private let multi: UnsafeMutableRawPointer
    private let owner: CurlMulti
    /// The running transfers, by easy handle.
    private var running: [UnsafeMutableRawPointer: Transfer] = [:]
    /// Idle easy handles, their invariant options set, reused so that a request costs no
    /// `curl_easy_init` and no `curl_easy_reset`.
    private var idleHandles: [EasyHandle] = []
    /// Heads completed during a `curl_multi_perform` pass, handed over after it.
    private let readyHeads = ReadyHeads()
    private static let idleHandleLimit = 32
    /// CA bundle settings read once, as the curl tool reads them (libcurl itself does not).
    private let caFile: String?
    private let caDirectory: String?

    init(multi: UnsafeMutableRawPointer, owner: CurlMulti) {
        self.multi = multi
        self.owner = owner
        let environment = ProcessInfo.processInfo.environment
        caFile = [environment["CURL_CA_BUNDLE"], environment["SSL_CERT_FILE"]].lazy.compactMap { $0 }.first {
            !$0.isEmpty
        }
        caDirectory = environment["SSL_CERT_DIR"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Runs forever on the curl thread.
    ///
    /// Each pass runs the jobs queued so far (tasks resumed by the previous pass, whose next
    /// requests are then queued), starts and aborts the queued transfers, lets curl do its work,
    /// and hands over what completed, which queues the jobs of the tasks waiting for it. It sleeps
    /// only when nothing is queued.
    func run() {
        var stillRunning: Int32 = 0
        let executor = owner.asUnownedTaskExecutor()
        while true {
            for job in owner.takeJobs() { job.runSynchronously(on: executor) }
            let work = owner.takeTransferWork()
            for transfer in work.additions { start(transfer) }
            for transfer in work.cancellations { abort(transfer) }
            curl_multi_perform(multi, &stillRunning)
            collectFinished()
            for transfer in readyHeads.transfers { transfer.handOverReadyHead() }
            readyHeads.transfers.removeAll(keepingCapacity: true)
            guard owner.maySleep() else { continue }
            // Sleeps until a socket is ready, curl's next timeout, or `curl_multi_wakeup`; a wakeup
            // that came before this call makes it return at once, so none is lost.
            curl_multi_poll(multi, nil, 0, 60_000, nil)
            owner.didWake()
        }
    }

    private func start(_ transfer: Transfer) {
        guard let easy = idleHandles.popLast() ?? EasyHandle(caFile: caFile, caDirectory: caDirectory) else {
            transfer.finish(
                with: HTTPError(
                    code: .transfer(Int(CURLE_OUT_OF_MEMORY.rawValue)), message: "could not create a curl handle",
                    context: ErrorContext(server: transfer.origin)))
            return
        }
        let result = transfer.configure(easy, readyHeads: readyHeads)
        guard result == CURLE_OK, curl_multi_add_handle(multi, easy.raw) == CURLM_OK else {
            let error = HTTPError(
                curlCode: result == CURLE_OK ? CURLE_FAILED_INIT : result, detail: "", origin: transfer.origin)
            transfer.finish(with: error)
            recycle(easy)
            return
        }
        running[easy.raw] = transfer
    }

    private func abort(_ transfer: Transfer) {
        guard let easy = transfer.easy, running.removeValue(forKey: easy.raw) != nil else { return }
        curl_multi_remove_handle(multi, easy.raw)
        transfer.finish(with: CancellationError())
        recycle(easy)
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let raw = message.pointee.easy_handle else { continue }
            let result = message.pointee.data.result
            guard let transfer = running.removeValue(forKey: raw), let easy = transfer.easy else {
                curl_multi_remove_handle(multi, raw)
                continue
            }
            curl_multi_remove_handle(multi, raw)
            if result == CURLE_OK {
                transfer.finish(with: nil)
            } else {
                transfer.finish(with: HTTPError(curlCode: result, detail: easy.errorText, origin: transfer.origin))
            }
            recycle(easy)
        }
    }

    private func recycle(_ easy: EasyHandle) {
        easy.recycle()
        if idleHandles.count < Self.idleHandleLimit { idleHandles.append(easy) }
    }
}
