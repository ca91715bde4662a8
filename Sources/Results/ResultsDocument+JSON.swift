import Basics

extension ResultsDocument {
    /// The document as a JSON value, before masking; `ResultsWriter.encode` masks it.
    package var json: JSONValue {
        .object([
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
        ])
    }
}

extension RunFailure {
    /// `{message, hint, server, step}`, with `null` for the parts that do not apply.
    package var json: JSONValue {
        .object([
            "message": .string(message),
            "hint": hint.map(JSONValue.string) ?? .null,
            "server": server.map(JSONValue.string) ?? .null,
            "step": step.map(JSONValue.string) ?? .null,
        ])
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
        if isForeach {
            members["iterations"] = .array(
                iterations.enumerated().map { index, iteration in
                    guard case .object(var entry) = iteration.json else { return iteration.json }
                    for key in ["id", "server", "tool", "resource", "prompt"] { entry[key] = nil }
                    entry["index"] = .integer(index)
                    return .object(entry)
                })
        }
        return .object(members)
    }
}

extension StepFailure {
    /// `{message, hint?, code?}`: absent parts are left out.
    package var json: JSONValue {
        var members: [String: JSONValue] = ["message": .string(message)]
        if let hint { members["hint"] = .string(hint) }
        switch code {
        case .rpc(let number): members["code"] = .integer(number)
        case .kind(let name): members["code"] = .string(name)
        case nil: break
        }
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
}
