import Basics
import Foundation
import Results
import Runner
import WorkflowModel

/// `mcp-run call SERVER TOOL [k=v…] [--json ARGS]`: one tool call, its result JSON on stdout.
struct CallCommand {
    var context: CommandContext

    func execute() async throws -> ExitCode {
        let parsed = context.parsed
        guard let tool = parsed.argument(.tool) else {
            throw UsageError(code: .missingArgument("TOOL"), message: "'call' needs a SERVER and a TOOL")
        }
        let server = try OneShotServer.resolve(context: context)
        var spec = server.spec
        let serverKey = spec.name
        spec.name = serverKey
        var arguments: [String: JSONValue] = [:]
        if let json = parsed.value(.jsonArguments) {
            guard case .object(let members)? = try? JSONValue.parse(json) else {
                throw UsageError(
                    code: .invalidValue(option: "--json", value: json), message: "--json must be a JSON object",
                    hint: "for example --json '{\"text\": \"hi\"}'")
            }
            arguments = members
        }
        for (key, value) in parsed.keyValues(.toolArguments) {
            arguments[key] = .string(value)
        }
        let secrets = server.secrets
        let masker = SecretMasker(Array(secrets.values))
        let step = Step(
            id: "call", index: 0, server: serverKey, call: .tool(tool), arguments: .literal(.object(arguments)),
            condition: nil, foreach: nil, needs: [], timeout: nil, retry: nil, continueOnError: false, outputs: [],
            expect: nil, location: SourceLocation(file: "<command line>", line: 1, column: 1))
        let workflow = Workflow(
            name: "call", description: nil, file: "<command line>", inputs: [], servers: [serverKey: spec], env: [:],
            defaults: StepDefaults(), concurrency: 1, steps: [step], outputs: [], output: nil)
        var options = RunOptions(
            secrets: secrets, environment: context.environment, runID: UUID().uuidString.lowercased(),
            logger: context.logger(masker: masker))
        options.coercesTextArguments = Set(parsed.keyValues(.toolArguments).map(\.key))
        options.isNonInteractive = context.isNonInteractive
        options.listCache = context.listCache
        options.loginUI = TerminalLoginUI(console: context.console, environment: context.environment)
        options.serverReference = context.serverReference
        let output = parsed.value(.output) ?? "-"
        // Before the server is contacted: an unusable path is exit 2 now, not a lost result later.
        if output != "-" { try ResultsDestination.check(output) }
        let runner = WorkflowRunner(workflow: workflow, options: options)
        let report = await SignalHandling.runCancellable { await runner.run() }
        guard let outcome = report.steps.first else { return .usage }
        if let result = outcome.result {
            let bytes = ResultsWriter.encodeLine(result.spellingNonFiniteNumbers, masker: report.masker)
            if output == "-" {
                context.console.out(bytes)
            } else {
                try ResultsDestination.check(output).write(bytes)
            }
        }
        if var error = outcome.error ?? report.error {
            // One call has no file position or step of its own to show.
            error.context.location = nil
            error.context.step = nil
            context.report(error, masker: report.masker)
            return ExitCode(for: error.code)
        }
        return outcome.status == RunStatus.succeeded ? ExitCode.succeeded : ExitCode.stepFailed
    }
}
