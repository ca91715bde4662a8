import Basics
import CCurl
import CCurlShim
import Foundation

/// The one curl multi handle and the one `Thread` that drives it.
///
/// Every transfer of the process runs here, so connections are reused per origin (HTTP/1.1
/// keep-alive, HTTP/2 multiplexing when TLS negotiates it) and a thousand transfers cost one thread.
/// Other threads only queue work (`submit`, `cancel`) under a `Locked` and wake the curl thread with
/// `curl_multi_wakeup`; the curl thread applies the queue, runs `curl_multi_perform`, and sleeps in
/// `curl_multi_poll` until a socket is ready, curl's own timer fires or it is woken. It never polls
/// on a timer of ours.
final class CurlMulti: @unchecked Sendable {
    // @unchecked Sendable: `multi` is only passed to `curl_multi_wakeup` (documented thread-safe)
    // off the curl thread; `queue` is a lock; `setupError` is immutable. Everything else that
    // touches curl lives in `CurlLoop`, which only the curl thread can reach.

    /// Work queued for the curl thread.
    private struct Queue: Sendable {
        var additions: [Transfer] = []
        var cancellations: [Transfer] = []
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
            guard let multi = self.multi else { return }
            CurlLoop(multi: multi, owner: self).run()
        }
        thread.name = "mcp-run.curl"
        thread.start()
    }

    /// Queues `transfer` to start on the curl thread. Called from any thread.
    func submit(_ transfer: Transfer) {
        queue.withLock { $0.additions.append(transfer) }
        wake()
    }

    /// Queues `transfer` to be aborted on the curl thread; harmless when it already ended.
    func cancel(_ transfer: Transfer) {
        queue.withLock { $0.cancellations.append(transfer) }
        wake()
    }

    /// Takes the queued work; called by the curl thread.
    fileprivate func takeWork() -> (additions: [Transfer], cancellations: [Transfer]) {
        queue.withLock { queue in
            let work = (queue.additions, queue.cancellations)
            queue = Queue()
            return work
        }
    }

    private func wake() {
        guard let multi else { return }
        curl_multi_wakeup(multi)
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
    func run() {
        var stillRunning: Int32 = 0
        while true {
            let work = owner.takeWork()
            for transfer in work.additions { start(transfer) }
            for transfer in work.cancellations { abort(transfer) }
            curl_multi_perform(multi, &stillRunning)
            collectFinished()
            for transfer in readyHeads.transfers { transfer.handOverReadyHead() }
            readyHeads.transfers.removeAll(keepingCapacity: true)
            // Sleeps until a socket is ready, curl's next timeout, or `curl_multi_wakeup`; a wakeup
            // that came before this call makes it return at once, so none is lost.
            curl_multi_poll(multi, nil, 0, 60_000, nil)
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
