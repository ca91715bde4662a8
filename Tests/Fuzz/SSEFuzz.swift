/// libFuzzer harness: the SSE parser. The stream is fed once whole and once cut at offsets the fuzzer
/// chooses; both must give the same events, the same last event id and retry time, and fail alike.
///
/// Input: one control byte (low 3 bits: how many cuts; high bit: a 64-byte event cap instead of the
/// default), then one byte per cut (its offset, modulo the stream's length), then the stream.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let (control, rest) = input.leadingChoice()
    let cutCount = min(Int(control & 7), rest.count)
    let stream = Array(rest.dropFirst(cutCount))
    let cuts = rest.prefix(cutCount).map { stream.isEmpty ? 0 : Int($0) % (stream.count + 1) }.sorted()
    let cap = control & 0x80 != 0 ? 64 : SSEParser.defaultMaxEventBytes

    let whole = run(stream, chunks: [stream[...]], cap: cap)
    var chunks: [ArraySlice<UInt8>] = []
    var start = 0
    for cut in cuts + [stream.count] {
        chunks.append(stream[start..<cut])
        start = cut
    }
    let split = run(stream, chunks: chunks, cap: cap)
    guard whole == split else {
        fuzzFailure("cutting the stream at \(cuts) changed the outcome: \(whole) versus \(split)")
    }
    return 0
}

/// What a parser made of a stream.
private struct Outcome: Equatable {
    var events: [SSEEvent] = []
    var lastEventID: String?
    var reconnectionTime: Int?
    var failed = false
}

/// Feeds `chunks` to a fresh parser, then finishes it; events of a failed stream are dropped (a
/// failure ends the stream however it was cut).
private func run(_ stream: [UInt8], chunks: [ArraySlice<UInt8>], cap: Int) -> Outcome {
    var parser = SSEParser(maxEventBytes: cap)
    var outcome = Outcome()
    do {
        for chunk in chunks { outcome.events += try parser.feed(chunk) }
    } catch {
        return Outcome(failed: true)
    }
    outcome.events += parser.finish()
    outcome.lastEventID = parser.lastEventID
    outcome.reconnectionTime = parser.reconnectionTime
    return outcome
}
