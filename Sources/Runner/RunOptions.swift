import Basics
import MCPClient

/// What the command line passes to a run.
package struct RunOptions: Sendable {
    /// `--inputs` file values and `--input K=V` values (the latter as strings, converted by declared type).
    package var inputs: [String: InputValue]
    /// Values from `--secrets FILE`.
    package var secrets: [String: Secret]
    /// The process environment.
    package var environment: [String: String]
    /// `--only STEP`: run just these steps.
    package var only: [String]
    package var runID: String
    package var logger: Logger
    /// Called as steps start and finish (progress lines, `--format jsonl`).
    package var observer: @Sendable (RunEvent) -> Void
    /// `--non-interactive`: never ask a person to log in, even on a terminal (contract §7).
    package var isNonInteractive = false
    /// Where an OAuth login talks to the person (the command line's terminal); nil: nobody, so
    /// no login starts.
    package var loginUI: (any LoginUI)?
    /// Top-level arguments given as text on the command line (`mcp-run call … k=v`): each is
    /// converted to the type the tool's input schema asks for before the schema check.
    package var coercesTextArguments: Set<String> = []
    /// The files the command line named, so hints name a server as another command finds it.
    package var serverReference = ServerReference()
    /// Whether the workflow's `output:` is resolved (false when `-o` overrides it). When it uses
    /// no `steps`, it is resolved and checked before the first step.
    package var resolvesOutputPath = true
    /// Where lists with caching hints are kept across runs (MCP 2026-07-28, Caching); nil lists
    /// afresh (`--no-cache`).
    package var listCache: ListCache?

    /// Options with nothing set.
    package init(
        inputs: [String: InputValue] = [:], secrets: [String: Secret] = [:], environment: [String: String] = [:],
        only: [String] = [], runID: String, logger: Logger, observer: @escaping @Sendable (RunEvent) -> Void = { _ in }
    ) {
        self.inputs = inputs
        self.secrets = secrets
        self.environment = environment
        self.only = only
        self.runID = runID
        self.logger = logger
        self.observer = observer
    }
}

/// An input value as given: text from `--input K=V`, or JSON from `--inputs FILE`.
package enum InputValue: Sendable {
    case text(String)
    case json(JSONValue)
}
