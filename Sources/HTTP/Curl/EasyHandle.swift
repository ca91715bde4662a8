import CCurl
import CCurlShim

/// One curl easy handle and the error buffer curl writes into.
///
/// Owned by the curl thread (`CurlMulti`): created, configured, used and cleaned up there only.
/// Handles are pooled and reused between transfers without `curl_easy_reset`: the options that
/// are the same for every transfer (`prepare`) are set once, when the handle is made, and each
/// transfer sets every per-request option again (`Transfer.configure`), so per-request setup stays
/// small.
final class EasyHandle {
    /// The `CURL *`.
    let raw: UnsafeMutableRawPointer
    /// `CURL_ERROR_SIZE` bytes for `CURLOPT_ERRORBUFFER`, alive as long as the handle.
    let errorBuffer: UnsafeMutablePointer<CChar>

    /// A new handle with the invariant options set, or `nil` when curl cannot allocate one or
    /// refuses one of them.
    init?(caFile: String?, caDirectory: String?) {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        guard prepare(caFile: caFile, caDirectory: caDirectory) == CURLE_OK else { return nil }
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// The text curl left in the error buffer, or "".
    var errorText: String { String(cString: errorBuffer) }

    /// Readies the handle for its next transfer (the connection cache lives in the multi handle
    /// and survives). The invariant options stay; `Transfer.configure` overwrites every
    /// per-request one.
    func recycle() {
        errorBuffer[0] = 0
    }

    /// Sets the options every transfer shares; returns the first failure.
    private func prepare(caFile: String?, caDirectory: String?) -> CURLcode {
        let handle = raw
        var failure = CURLE_OK
        func check(_ result: CURLcode) { if failure == CURLE_OK { failure = result } }
        check(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        check(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(ccurl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        check(ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        check(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        check(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile { check(ccurl_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
        if let caDirectory { check(ccurl_setopt_string(handle, CURLOPT_CAPATH, caDirectory)) }
        // Asks for no compression (so an event stream is never buffered by a compressing
        // server), but decodes a body a server compresses anyway (gzip, deflate, br, zstd): with
        // no ACCEPT_ENCODING at all, curl passes compressed bytes through undecoded.
        check(ccurl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "identity"))
        check(ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        check(ccurl_setopt_long(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))
        // No CURLOPT_PIPEWAIT: with it, libcurl 7.88 parks a transfer that finds its host's first
        // connection not yet known to multiplex until some other transfer *completes*. A request
        // sent while the long-lived GET event stream was opening its connection waited forever.
        // Without it a second connection is opened instead; HTTP/2 still multiplexes once known.
        check(
            ccurl_setopt_header_callback(handle) { buffer, size, count, userdata in
                guard let buffer, let userdata else { return 0 }
                let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
                let bytes = UnsafeRawBufferPointer(start: buffer, count: size * count)
                return transfer.receiveHeaderLine(bytes) ? size * count : 0
            })
        check(
            ccurl_setopt_write_callback(handle) { buffer, size, count, userdata in
                guard let buffer, let userdata else { return 0 }
                let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
                let bytes = UnsafeRawBufferPointer(start: buffer, count: size * count)
                return transfer.receiveBody(bytes) ? size * count : 0
            })
        return failure
    }
}
