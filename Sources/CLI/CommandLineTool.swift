import Basics
import Foundation
import HTTP
import MCPClient
import Results
import Runner
import WorkflowModel

/// The command line's entry point.
package enum CommandLineTool {
    /// The version `--version` prints.
    package static let version = "0.1.0"

    /// Runs the command named by `arguments` (without the program name) and returns the exit code.
    ///
    /// Every error ends here and is printed once, by `ErrorRenderer`, on stderr.
    package static func main(arguments: [String]) async -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        let parsed: ParsedCommand
        do {
            parsed = try ArgumentParser.parse(arguments)
        } catch {
            let renderer = ErrorRenderer(
                useColor: ErrorRenderer.standardErrorUsesColor(noColorFlag: arguments.contains("--no-color")))
            Console(useColor: false).err(renderer.render(error))
            return ExitCode.usage.rawValue
        }
        let console = Console(
            useColor: Console.colorAllowed(noColorFlag: parsed.flag(.noColor), environment: environment))
        if parsed.isVersionRequested {
            console.out("mcp-run \(version)\n")
            return ExitCode.succeeded.rawValue
        }
        if parsed.isHelpRequested {
            console.out(parsed.helpText + (parsed.helpText.hasSuffix("\n") ? "" : "\n"))
            return ExitCode.succeeded.rawValue
        }
        let context = CommandContext(parsed: parsed, environment: environment, console: console)
        switch parsed.command {
        case .run, .tools, .call, .resources, .prompts, .auth:
            // A client command: its tasks run on the curl thread (`HTTPClient.withEventLoop`).
            return await HTTPClient.shared.withEventLoop { await execute(parsed, context: context) }
        case .validate, .schema, .completion, .help, .serve:
            // No server to talk to (curl's start-up, TLS included, costs about 1 ms), or the
            // gateway, whose requests spread over every core.
            return await execute(parsed, context: context)
        }
    }

    /// Runs the parsed command; every error ends here and is reported once.
    private static func execute(_ parsed: ParsedCommand, context: CommandContext) async -> Int32 {
        let console = context.console
        do {
            switch parsed.command {
            case .run: return try await RunCommand(context: context).execute().rawValue
            case .validate: return try ValidateCommand(context: context).execute().rawValue
            case .tools: return try await ToolsCommand(context: context).execute().rawValue
            case .call: return try await CallCommand(context: context).execute().rawValue
            case .resources: return try await ResourcesCommand(context: context).execute().rawValue
            case .prompts: return try await PromptsCommand(context: context).execute().rawValue
            case .schema:
                console.out(WorkflowSchema.document.serialized(pretty: true) + "\n")
                return ExitCode.succeeded.rawValue
            case .completion:
                let format = parsed.argument(.completionFormat).flatMap(CompletionFormat.init(rawValue:)) ?? .bash
                console.out(ShellCompletion.script(format))
                return ExitCode.succeeded.rawValue
            case .auth: return try await AuthCommand(context: context).execute().rawValue
            case .serve: return try await ServeCommand(context: context).execute().rawValue
            case .help:
                console.out(parsed.helpText + "\n")
                return ExitCode.succeeded.rawValue
            }
        } catch {
            context.report(error)
            return ExitCode(for: error).rawValue
        }
    }
}

/// What every command gets: its parsed arguments, the environment, the console, a logger.
struct CommandContext: Sendable {
    var parsed: ParsedCommand
    var environment: [String: String]
    var console: Console
    var masker = SecretMasker()

    init(parsed: ParsedCommand, environment: [String: String], console: Console) {
        self.parsed = parsed
        self.environment = environment
        self.console = console
    }

    var sources: Sources { Sources(environment: environment) }

    /// `--non-interactive`, or `MCP_RUN_NON_INTERACTIVE` set to anything but empty, `0` or
    /// `false` (for jobs whose command line is fixed): never ask a person to log in.
    var isNonInteractive: Bool {
        parsed.flag(.nonInteractive) || AuthSettings.isSet(environment["MCP_RUN_NON_INTERACTIVE"])
    }

    /// Where tool, resource and prompt lists are kept for their `ttlMs` (under `MCP_RUN_HOME`);
    /// nil with `--no-cache`.
    var listCache: ListCache? {
        parsed.flag(.noCache) ? nil : ListCache.default(environment: environment)
    }

    var logLevel: LogLevel {
        if parsed.flag(.verbose) { return .verbose }
        if parsed.flag(.quiet) { return .quiet }
        return .normal
    }

    func logger(masker: SecretMasker) -> Logger {
        let console = self.console
        return Logger(level: logLevel, masker: masker) { line in console.err(line) }
    }

    var renderer: ErrorRenderer { ErrorRenderer(masker: masker, useColor: console.useColor) }

    /// Prints an error (or every problem of a `WorkflowProblems`) on stderr.
    func report(_ error: any Error, masker: SecretMasker? = nil) {
        var renderer = self.renderer
        if let masker { renderer.masker = masker }
        if let problems = error as? WorkflowProblems {
            console.err(renderer.render(problems: problems.problems))
        } else {
            console.err(renderer.render(error))
        }
    }
}
