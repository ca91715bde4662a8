import Basics
import MCPClient

/// `mcp-run prompts SERVER [NAME KEY=VALUE...]`: the server's prompts, or one prompt's messages
/// (contract §5). Prompt arguments are strings on the wire, so `--args` scalars are converted.
struct PromptsCommand {
    var context: CommandContext

    func execute() async throws -> ExitCode {
        let parsed = context.parsed
        let query = ServerQuery(context: context)
        let json = parsed.flag(.jsonOutput)
        guard let name = parsed.argument(.promptName) else {
            if parsed.value(.promptArgumentsJSON) != nil {
                throw UsageError(
                    code: .missingArgument("NAME"), message: "--args needs a prompt NAME",
                    hint: "run 'mcp-run prompts SERVER' to list the prompts")
            }
            let outcome = try await query.run { session in .array(try await session.listPrompts()) }
            guard case .answered(let prompts, let masker) = outcome else { return ResourcesCommand.code(outcome) }
            if json {
                query.printJSON(prompts, masker: masker)
            } else {
                query.print(Self.listing(prompts.arrayValue ?? []), masker: masker)
            }
            return .succeeded
        }
        let arguments = try Self.arguments(
            json: parsed.value(.promptArgumentsJSON), pairs: parsed.keyValues(.promptArguments))
        let outcome = try await query.run { session in
            try await session.getPrompt(name, arguments: .object(arguments), timeout: nil)
        }
        guard case .answered(let result, let masker) = outcome else { return ResourcesCommand.code(outcome) }
        if json {
            query.printJSON(result, masker: masker)
        } else {
            query.print(Self.messageLines(result), masker: masker)
        }
        return .succeeded
    }

    /// `--args` (a JSON object whose scalars become strings) with the `KEY=VALUE` pairs on top.
    /// - Throws: `UsageError` for JSON that is not an object, or a value that is an array or object.
    static func arguments(
        json: String?, pairs: [(key: String, value: String)]
    ) throws(UsageError) -> [String: JSONValue] {
        var arguments: [String: JSONValue] = [:]
        if let json {
            guard case .object(let members)? = try? JSONValue.parse(json) else {
                throw UsageError(
                    code: .invalidValue(option: "--args", value: json), message: "--args must be a JSON object",
                    hint: "for example --args '{\"name\": \"Ada\", \"count\": 3}'")
            }
            // The one conversion of prompt arguments, shared with a workflow's `prompt:` steps.
            let (converted, notScalar) = MCPWire.promptArguments(.object(members))
            if let key = notScalar {
                throw UsageError(
                    code: .invalidValue(option: "--args", value: json),
                    message:
                        "prompt argument '\(key)' is \(members[key]?.arrayValue != nil ? "an array" : "an object")",
                    hint: "prompt arguments are strings: pass JSON text as a string, e.g. '{\"\(key)\": \"[1, 2]\"}'")
            }
            arguments = converted.objectValue ?? [:]
        }
        for (key, value) in pairs { arguments[key] = .string(value) }
        return arguments
    }

    /// `name  description` and `    argument (required) — description` per prompt.
    static func listing(_ prompts: [JSONValue]) -> [String] {
        guard !prompts.isEmpty else { return ["no prompts"] }
        var lines: [String] = []
        for prompt in prompts {
            var line = prompt[MCPWire.Key.name]?.stringValue ?? ""
            if let description = ServerQuery.firstLine(prompt[MCPWire.Key.description]?.stringValue) {
                line += "  " + description
            }
            lines.append(line)
            for argument in prompt[MCPWire.Key.arguments]?.arrayValue ?? [] {
                var entry = "    " + (argument[MCPWire.Key.name]?.stringValue ?? "")
                if argument[MCPWire.Key.required]?.boolValue == true { entry += " (required)" }
                if let description = ServerQuery.firstLine(argument[MCPWire.Key.description]?.stringValue) {
                    entry += " — " + description
                }
                lines.append(entry)
            }
        }
        return lines
    }

    /// The prompt's description, then each message as `role:` and its content.
    static func messageLines(_ result: JSONValue) -> [String] {
        var lines: [String] = []
        if let description = result[MCPWire.Key.description]?.stringValue { lines.append(description) }
        for message in result[MCPWire.Key.messages]?.arrayValue ?? [] {
            lines.append((message[MCPWire.Key.role]?.stringValue ?? "?") + ":")
            let content = message[MCPWire.Key.content] ?? .null
            if let text = content[MCPWire.Key.text]?.stringValue {
                lines.append(text)
            } else if let resource = content[MCPWire.Key.resource] {
                lines += ResourcesCommand.contentLines([resource])
            } else {
                let type = content[MCPWire.Key.type]?.stringValue ?? "content"
                let mimeType = content[MCPWire.Key.mimeType]?.stringValue.map { " (\($0))" } ?? ""
                lines.append("[\(type)\(mimeType); use --json to see it]")
            }
        }
        return lines
    }
}
