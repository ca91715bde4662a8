/// libFuzzer harness: the HTTP/1.1 request parser of `mcp-run serve`. The bytes are fed once whole
/// and once cut at offsets the fuzzer chooses, under small limits; both must give the same requests
/// or the same failure, and no request may break a limit.
///
/// Input: one control byte (low 3 bits: how many cuts), then one byte per cut (its offset, modulo
/// the stream's length), then the stream.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let (control, rest) = input.leadingChoice()
    let cutCount = min(Int(control & 7), rest.count)
    let stream = Array(rest.dropFirst(cutCount))
    let cuts = rest.prefix(cutCount).map { stream.isEmpty ? 0 : Int($0) % (stream.count + 1) }.sorted()
    var limits = RequestLimits()
    limits.maxRequestLineBytes = 256
    limits.maxHeaderBytes = 512
    limits.maxHeaderCount = 16
    limits.maxBodyBytes = 1024

    let whole = run([stream[...]], limits: limits)
    var chunks: [ArraySlice<UInt8>] = []
    var start = 0
    for cut in cuts + [stream.count] {
        chunks.append(stream[start..<cut])
        start = cut
    }
    let split = run(chunks, limits: limits)
    guard whole == split else {
        fuzzFailure("cutting the stream at \(cuts) changed the outcome: \(whole) versus \(split)")
    }
    for request in whole.requests {
        guard request.body.count <= limits.maxBodyBytes, request.headers.count <= limits.maxHeaderCount,
            request.path.hasPrefix("/")
        else { fuzzFailure("a request broke a limit: \(request)") }
    }
    return 0
}

/// What a parser made of a stream: the requests, or the status of the failure that ended it.
private struct Outcome: Equatable {
    var requests: [ParsedRequest] = []
    var failureStatus: Int?
}

/// Feeds `chunks` to a fresh parser. A failure ends the connection however the stream was cut, so
/// its requests are dropped (a whole feed that fails returns none) and only its status is compared.
private func run(_ chunks: [ArraySlice<UInt8>], limits: RequestLimits) -> Outcome {
    var parser = HTTPRequestParser(limits: limits)
    var outcome = Outcome()
    do {
        for chunk in chunks { outcome.requests += try parser.feed(chunk) }
    } catch {
        return Outcome(failureStatus: error.status)
    }
    return outcome
}
