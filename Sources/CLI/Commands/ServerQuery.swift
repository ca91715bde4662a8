import Basics
import Foundation
import MCPClient
import Results
import Runner

/// One request-and-answer exchange with the one-shot server of a command line (`resources`,
/// `prompts`): resolve the server, open a session, run `body`, close it; interruptible like a
/// run (SIGINT, SIGTERM or SIGHUP closes the session and exits 130).
struct ServerQuery {
    /// What came of the exchange.
    enum Outcome {
        /// The server's answer, and the masker for printing it.
        case answered(JSONValue, SecretMasker)
        /// The error was reported; exit with this code.
        case failed(ExitCode)
    }

    var context: CommandContext

    /// `body`'s value, or the exit code after the error was reported.
    /// - Throws: `UsageError` and the errors of reading `--servers`, `--secrets` or `-f` files.
    func run(_ body: @escaping @Sendable (ServerSession) async throws -> JSONValue) async throws -> Outcome {
        let server = try OneShotServer.resolve(context: context)
        let (spec, secrets) = (server.spec, server.secrets)
        let masker = SecretMasker(Array(secrets.values))
        let (environment, logger, nonInteractive) = (
            context.environment, context.logger(masker: masker), context.isNonInteractive
        )
        let loginUI = TerminalLoginUI(console: context.console, environment: environment)
        let listCache = context.listCache
        let answered = await SignalHandling.runCancellable { () -> Result<JSONValue, RunError> in
            do {
                return .success(
                    try await ServerAccess.withSession(
                        spec, secrets: secrets, environment: environment, logger: logger,
                        nonInteractive: nonInteractive, loginUI: loginUI, listCache: listCache, body))
            } catch {
                return .failure(RunError.wrap(error))
            }
        }
        switch answered {
        case .success(let value):
            return .answered(value, masker)
        case .failure(let error):
            let error = context.naming(error, server: spec)
            context.report(error, masker: masker)
            return .failed(ExitCode(for: error.code))
        }
    }

    /// `lines` as the server's text on a terminal: masked, control characters neutralised.
    func print(_ lines: [String], masker: SecretMasker) {
        guard !lines.isEmpty else { return }
        context.console.out(TerminalText.neutralized(masker.mask(lines.joined(separator: "\n"))) + "\n")
    }

    /// `value` as one line of JSON on stdout, masked.
    func printJSON(_ value: JSONValue, masker: SecretMasker) {
        context.console.out(ResultsWriter.encodeLine(value, masker: masker))
    }

    /// The first line of `text`, trimmed, for a one-line listing.
    static func firstLine(_ text: String?) -> String? {
        guard let line = text?.split(separator: "\n").first else { return nil }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
