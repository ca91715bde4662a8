import Basics
import Expressions
import Foundation
import WorkflowModel

/// The server a one-shot command (`tools`, `call`, `resources`, `prompts`) talks to, and the
/// secrets it reads (contract §5): `SERVER` (a name or a URL) or `--stdio CMD`, then
/// `--header 'Name: value'` and credentials read from the environment variables that
/// `--bearer-env`, `--api-key-env` or `--basic-env` name, so no secret's value is in argv.
struct OneShotServer {
    var spec: ServerSpec
    /// `--secrets FILE`'s entries plus the credentials read from the environment, by variable name.
    var secrets: [String: Secret]

    /// Reads the command line of `context`.
    /// - Throws: `UsageError` (no server, a malformed option, an unset variable), or what
    ///   `ServerSelection.resolve` throws.
    static func resolve(context: CommandContext) throws -> OneShotServer {
        let parsed = context.parsed
        var spec: ServerSpec
        if let commandLine = parsed.value(.stdio) {
            let words: [String]
            do {
                words = try CommandWords.split(commandLine)
            } catch {
                throw UsageError(
                    code: .invalidValue(option: "--stdio", value: commandLine), message: error.message,
                    hint: error.hint)
            }
            spec = .adHoc(command: words[0], arguments: Array(words.dropFirst()), name: commandLine)
        } else if let name = parsed.argument(.server) {
            spec = try ServerSelection.resolve(name, context: context)
        } else {
            throw UsageError(
                code: .missingArgument("SERVER"), message: "no server given",
                hint: "name a server, give its URL, or start one with --stdio 'COMMAND ARGS'", command: parsed.command)
        }
        var secrets = try context.sources.secrets(file: parsed.value(.secrets))
        for header in parsed.values(.header) {
            let (name, value) = try Self.header(header)
            spec.headers[name] = value
        }
        let credential = { (option: OptionSpec, name: String) throws(UsageError) -> TemplateValue in
            try Self.credential(option: option, variable: name, environment: context.environment, into: &secrets)
        }
        if let name = parsed.value(.bearerEnv) {
            spec.authType = .bearerToken
            spec.token = try credential(.bearerEnv, name)
        }
        if let name = parsed.value(.apiKeyEnv) {
            spec.authType = .apiKey
            spec.apiKey = try credential(.apiKeyEnv, name)
        }
        if let header = parsed.value(.apiKeyHeader) {
            if let problem = HeaderRules.nameProblem(header) {
                throw UsageError(
                    code: .invalidValue(option: "--api-key-header", value: header),
                    message: "--api-key-header '\(TerminalText.neutralized(header))' \(problem)",
                    hint: HeaderRules.nameHint)
            }
            spec.apiKeyHeader = header
        }
        if let pair = parsed.value(.basicEnv) {
            let names = pair.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard names.count == 2 else {
                throw UsageError(
                    code: .invalidValue(option: "--basic-env", value: pair),
                    message: "--basic-env takes two variable names, USER:PASSWORD",
                    hint: "for example --basic-env ATLASSIAN_EMAIL:ATLASSIAN_API_TOKEN")
            }
            spec.authType = .basic
            spec.username = try credential(.basicEnv, names[0])
            spec.password = try credential(.basicEnv, names[1])
        }
        return OneShotServer(spec: spec, secrets: secrets)
    }

    /// `Name: value` split at the first colon; the value may be a `${{ }}` template.
    static func header(_ text: String) throws(UsageError) -> (String, TemplateValue) {
        let shown = TerminalText.neutralized(text)
        guard let colon = text.firstIndex(of: ":") else {
            throw UsageError(
                code: .invalidValue(option: "--header", value: text), message: "--header '\(shown)' has no colon",
                hint: "write it as 'Name: value', e.g. --header 'X-Team: blue'")
        }
        let name = String(text[..<colon])
        let value = String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        if let problem = HeaderRules.nameProblem(name) {
            throw UsageError(
                code: .invalidValue(option: "--header", value: text),
                message: "--header name '\(TerminalText.neutralized(name))' \(problem)", hint: HeaderRules.nameHint)
        }
        if let problem = HeaderRules.valueProblem(value) {
            throw UsageError(
                code: .invalidValue(option: "--header", value: text), message: "--header '\(name)' value \(problem)",
                hint: "give the value on one line, without control characters")
        }
        do throws(ExpressionError) {
            return (
                name, try TemplateValue.parsing(value, origin: SourceLocation(file: "--header", line: 1, column: 1))
            )
        } catch {
            throw UsageError(
                code: .invalidValue(option: "--header", value: text),
                message: "--header '\(name)' value: \(error.message)", hint: error.hint)
        }
    }

    /// `${{ secrets.NAME }}`, with environment variable `name`'s value put in `secrets`.
    static func credential(
        option: OptionSpec, variable name: String, environment: [String: String], into secrets: inout [String: Secret]
    ) throws(UsageError) -> TemplateValue {
        let isName =
            !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                $0 == "_" || ("A"..."Z").contains($0)
                    || ("a"..."z").contains($0) || ("0"..."9").contains($0)
            }
            && !("0"..."9").contains(name.unicodeScalars.first ?? "0")
        guard isName else {
            throw UsageError(
                code: .invalidValue(option: option.longSpelling, value: name),
                message:
                    "\(option.longSpelling) takes an environment variable's name, not '\(TerminalText.neutralized(name))'",
                hint:
                    "export the secret as a variable and give its name: export API_TOKEN=…; \(option.longSpelling) API_TOKEN"
            )
        }
        guard let value = environment[name], !value.isEmpty else {
            throw UsageError(
                code: .invalidValue(option: option.longSpelling, value: name),
                message: "environment variable '\(name)' (from \(option.longSpelling)) is not set or empty",
                hint: "export \(name) with the secret before running mcp-run")
        }
        secrets[name] = Secret.credential(value)
        let text = "${{ secrets.\(name) }}"
        do {
            return try TemplateValue.parsing(
                text, origin: SourceLocation(file: option.longSpelling, line: 1, column: 1))
        } catch {
            preconditionFailure("a variable name makes a valid secrets reference: \(error.message)")
        }
    }
}
