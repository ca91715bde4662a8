import CCurl

/// One curl easy handle and the error buffer curl writes into.
///
/// Owned by the curl thread (`CurlMulti`): created, configured, used, reset and cleaned up there
/// only. Handles are pooled and reused between transfers so that per-request setup stays small.
final class EasyHandle {
    /// The `CURL *`.
    let raw: UnsafeMutableRawPointer
    /// `CURL_ERROR_SIZE` bytes for `CURLOPT_ERRORBUFFER`, alive as long as the handle.
    let errorBuffer: UnsafeMutablePointer<CChar>

    /// A new handle, or `nil` when curl cannot allocate one.
    init?() {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// The text curl left in the error buffer, or "".
    var errorText: String { String(cString: errorBuffer) }

    /// Clears every option (the connection cache lives in the multi handle and survives).
    func reset() {
        curl_easy_reset(raw)
        errorBuffer[0] = 0
    }
}
