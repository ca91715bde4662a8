import Basics

extension ResultsDocument {
    /// The document as a JSON value, before masking; `ResultsWriter.encode` masks it.
    ///
    /// A number that is not finite (a server's `1e400`, a refused argument) is written as the
    /// string `"Infinity"`, `"-Infinity"` or `"NaN"`, never silently as `null`.
    package var json: JSONValue {
        JSONValue.object([
            "schemaVersion": .integer(Self.schemaVersion),
            "workflow": .string(workflow),
            "file": .string(file),
            "runId": .string(runId),
            "status": .string(status.rawValue),
            "startedAt": .string(startedAt.iso8601),
            "durationMs": .integer(durationMs),
            "inputs": .object(inputs),
            "steps": .array(steps.map(\.json)),
            "outputs": .object(outputs),
            "error": error?.json ?? .null,
            "servers": .object(servers),
        ]).spellingNonFiniteNumbers
    }
}

extension RunFailure {
    /// `{code, message, hint, server, step, rpcCode?, data?}`, with `null` for the parts that do
    /// not apply.
    package var json: JSONValue {
        guard case .object(var members) = failure.json else { return failure.json }
        members["server"] = server.map(JSONValue.string) ?? .null
        members["step"] = step.map(JSONValue.string) ?? .null
        return .object(members)
    }
}

extension StepRecord {
    /// The step as a JSON value, before masking. Also the payload of a `jsonl` step event.
    package var json: JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id),
            "server": .string(server),
            "status": .string(status.rawValue),
            "startedAt": startedAt.map { .string($0.iso8601) } ?? .null,
            "durationMs": .integer(durationMs),
            "attempts": .integer(attempts),
            "arguments": arguments ?? .null,
            "result": result ?? .null,
            "outputs": .object(outputs),
            "error": error?.json ?? .null,
        ]
        switch target {
        case .tool(let name): members["tool"] = .string(name)
        case .resource(let uri): members["resource"] = .string(uri)
        case .prompt(let name): members["prompt"] = .string(name)
        }
        if !log.isEmpty { members["log"] = .array(log) }
        if let taskId { members["taskId"] = .string(taskId) }
        if isForeach {
            members["iterations"] = .array(
                iterations.enumerated().map { index, iteration in
                    guard case .object(var entry) = iteration.json else { return iteration.json }
                    for key in ["id", "server", "tool", "resource", "prompt"] { entry[key] = nil }
                    entry["index"] = .integer(index)
                    return .object(entry)
                })
        }
        return JSONValue.object(members).spellingNonFiniteNumbers
    }
}

extension StepFailure {
    /// `{code, message, hint}`, plus `rpcCode` (and `data` when the server sent one) for a
    /// JSON-RPC error; `hint` is `null` when there is none.
    package var json: JSONValue {
        var members: [String: JSONValue] = [
            "code": .string(code.rawValue), "message": .string(message), "hint": hint.map(JSONValue.string) ?? .null,
        ]
        if let rpcCode { members["rpcCode"] = .integer(rpcCode) }
        if let data { members["data"] = data }
        return .object(members)
    }
}

extension JSONValue {
    /// This value with `masker` applied to every string in it, object keys included.
    ///
    /// Masking the tree rather than serialized text means JSON escaping (`\"`, `\n`, `\u0001`) cannot
    /// split a secret's text and hide it. Two keys that mask to the same text keep the first one in
    /// sorted order, so a secret never survives as a key.
    package func masked(by masker: SecretMasker) -> JSONValue {
        guard !masker.isEmpty else { return self }
        switch self {
        case .null, .bool, .integer, .double: return self
        case .string(let text): return .string(masker.mask(text))
        case .array(let elements): return .array(elements.map { $0.masked(by: masker) })
        case .object(let members):
            var out: [String: JSONValue] = [:]
            for key in members.keys.sorted() {
                let maskedKey = masker.mask(key)
                guard out[maskedKey] == nil, let value = members[key] else { continue }
                out[maskedKey] = value.masked(by: masker)
            }
            return .object(out)
        }
    }

    /// This value with every number that is not finite replaced by its name as a string:
    /// `"Infinity"`, `"-Infinity"` or `"NaN"` (JSON has no such numbers; the writer would
    /// otherwise print `null`, losing what happened).
    package var spellingNonFiniteNumbers: JSONValue {
        switch self {
        case .double(let number) where number.isNaN: return .string("NaN")
        case .double(let number) where number.isInfinite: return .string(number < 0 ? "-Infinity" : "Infinity")
        case .null, .bool, .integer, .double, .string: return self
        case .array(let elements): return .array(elements.map(\.spellingNonFiniteNumbers))
        case .object(let members): return .object(members.mapValues(\.spellingNonFiniteNumbers))
        }
    }
}
