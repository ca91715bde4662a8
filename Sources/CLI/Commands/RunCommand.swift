import Basics
import Foundation
import MCPClient
import Results
import Runner
import WorkflowModel
import YAML

/// `mcp-run FILE` / `mcp-run run FILE`: run a workflow and write its results document.
struct RunCommand {
    var context: CommandContext

    func execute() async throws -> ExitCode {
        let parsed = context.parsed
        guard let file = parsed.argument(.workflowFile) else {
            throw UsageError(code: .missingArgument("FILE"), message: "no workflow file given")
        }
        let sources = context.sources
        let secrets = try sources.secrets(file: parsed.value(.secrets))
        let masker = SecretMasker(Array(secrets.values))
        let servers = try sources.extraServers(serversFile: parsed.value(.servers))
        let workflow = try WorkflowLoader.load(
            text: try sources.read(file, what: "workflow file"), file: file, extraServers: servers)
        var inputs: [String: InputValue] = [:]
        if let inputsFile = parsed.value(.inputs) {
            for (name, value) in try Self.inputsFile(inputsFile, sources: sources) { inputs[name] = .json(value) }
        }
        for (name, value) in parsed.keyValues(.input) { inputs[name] = .text(value) }
        let only = parsed.values(.only)
        for id in only where !workflow.steps.contains(where: { $0.id == id }) {
            throw UsageError(
                code: .invalidValue(option: "--only", value: id), message: "no step '\(id)' in '\(file)'",
                hint: nearestMatch(to: id, in: workflow.steps.map(\.id)).map { "did you mean '\($0)'?" }
                    ?? "steps are \(workflow.steps.map(\.id).quotedList)")
        }
        let jsonl = parsed.value(.format) == ResultsFormat.jsonl.rawValue
        let console = context.console
        let quiet = context.logLevel == .quiet
        var options = RunOptions(
            inputs: inputs, secrets: secrets, environment: context.environment, only: only,
            runID: UUID().uuidString.lowercased(), logger: context.logger(masker: masker))
        options.isNonInteractive = context.isNonInteractive
        options.listCache = context.listCache
        options.loginUI = TerminalLoginUI(console: context.console, environment: context.environment)
        options.serverReference = ServerReference(workflowFile: file, serversFile: parsed.value(.servers))
        let outputOverride = parsed.value(.output)
        // Before anything is called (and in a dry run too): an unusable path is exit 2 now,
        // not a lost document after every step's side effects.
        if let path = outputOverride, path != "-" { try ResultsDestination.check(path) }
        options.resolvesOutputPath = outputOverride == nil
        let summaryPath = parsed.value(.summary)
        if let summaryPath { try ResultsDestination.check(summaryPath, naming: "'--summary'") }
        if parsed.flag(.dryRun) {
            let runner = WorkflowRunner(workflow: workflow, options: options)
            do {
                console.out(ResultsWriter.encodeLine(try runner.plan(), masker: masker))
            } catch {
                context.report(error, masker: masker)
                return ExitCode(for: error)
            }
            return .succeeded
        }
        // On a terminal that can take it: a live line per running step, redrawn in place;
        // otherwise plain lines (contract §5).
        let live = Console.liveDisplayAllowed(
            stderrIsTerminal: isatty(STDERR_FILENO) == 1, environment: context.environment, quiet: quiet,
            eventsOnStdout: jsonl, stdoutKind: .standardOutput)
        let display = Locked(ProgressDisplay(useColor: console.useColor))
        let width = context.environment["COLUMNS"].flatMap { Int($0) } ?? 120
        let origin = ContinuousClock.now
        @Sendable func redraw(_ change: @Sendable (inout ProgressDisplay) -> Void, permanent: [String] = []) {
            display.withLock { state in
                change(&state)
                let now = Double((ContinuousClock.now - origin).milliseconds)
                let frame = state.frame(permanent: permanent, now: now, width: width)
                FileHandle.standardError.write(Data(frame.utf8))
            }
        }
        if live {
            // Log and trace lines, and a login's URL and prompts, go above the live block, never
            // under a redraw that would erase them.
            var sunk = console
            sunk.lineSink = { line in redraw({ _ in }, permanent: [line]) }
            let above = sunk
            options.logger = Logger(level: context.logLevel, masker: masker) { line in above.err(line) }
            options.loginUI = TerminalLoginUI(console: above, environment: context.environment)
        }
        options.observer = { event in
            switch event {
            case .stepStarted(let id, let description):
                if jsonl {
                    console.out(
                        ResultsWriter.encodeLine(
                            ["event": "step.started", "step": .string(id), "at": .string(Timestamp.now().iso8601)],
                            masker: masker))
                }
                if live {
                    let now = Double((ContinuousClock.now - origin).milliseconds)
                    redraw { $0.started(id, description: description, at: now) }
                } else if !quiet && context.logLevel >= .verbose {
                    console.err(TerminalText.neutralized(masker.mask("step '\(id)' started: \(description)")))
                }
            case .stepProgress(let id, let progress, let total, let message):
                if jsonl {
                    var event: [String: JSONValue] = [
                        "event": "step.progress", "step": .string(id), "progress": .double(progress),
                    ]
                    if let total { event["total"] = .double(total) }
                    if let message { event["message"] = .string(message) }
                    console.out(
                        ResultsWriter.encodeLine(JSONValue.object(event).spellingNonFiniteNumbers, masker: masker))
                }
                if live {
                    let shown = message.map { masker.mask($0) }
                    redraw { $0.progressed(id, progress: progress, total: total, message: shown) }
                }
            case .stepTask(let id, let taskID, let status, let message):
                if jsonl {
                    var event: [String: JSONValue] = [
                        "event": "step.task", "step": .string(id), "taskId": .string(taskID), "status": .string(status),
                    ]
                    if let message { event["message"] = .string(message) }
                    console.out(ResultsWriter.encodeLine(JSONValue.object(event), masker: masker))
                }
                if live {
                    let shown = message.map { masker.mask($0) }
                    redraw { $0.tasked(id, taskID: taskID, status: status, message: shown) }
                } else if !quiet && context.logLevel >= .verbose {
                    let line = "step '\(id)' task '\(taskID)' \(status)" + (message.map { ": " + $0 } ?? "")
                    console.err(TerminalText.neutralized(masker.mask(line)))
                }
            case .stepFinished(let report, let masker):
                let renderer = ErrorRenderer(masker: masker, useColor: console.useColor)
                if jsonl {
                    console.out(
                        ResultsWriter.encodeLine(
                            ["event": "step.finished", "step": report.record.json], masker: masker))
                }
                guard !quiet else {
                    // -q hides progress only: an error that fails the run is still printed (§5).
                    if report.status == .failed, !report.continueOnError, let error = report.error {
                        console.err(renderer.render(error))
                    }
                    return
                }
                var lines = [StepLine.finished(report, useColor: console.useColor)]
                if report.status == .failed || report.status == .cancelled, let error = report.error {
                    lines.append(renderer.render(error))
                }
                if live {
                    redraw({ $0.finished(report.id) }, permanent: lines)
                } else {
                    for line in lines { console.err(line) }
                }
            }
        }
        let runner = WorkflowRunner(workflow: workflow, options: options)
        let report = await SignalHandling.runCancellable {
            await withTaskGroup(of: Void.self) { group in
                if live {
                    // The ticker: redraws the live block while steps run, ended with the run.
                    group.addTask {
                        while true {
                            do { try await Task.sleep(for: ProgressDisplay.tickInterval) } catch { return }
                            display.withLock { state in
                                let now = Double((ContinuousClock.now - origin).milliseconds)
                                if let frame = state.tick(now: now, width: width) {
                                    FileHandle.standardError.write(Data(frame.utf8))
                                }
                            }
                        }
                    }
                }
                let report = await runner.run()
                group.cancelAll()
                return report
            }
        }
        let document = report.document
        let path = outputOverride ?? report.outputPath ?? "-"
        if let error = report.error, report.steps.allSatisfy({ $0.status != .failed || $0.error == nil }) {
            // A run-level failure that no step reported (inputs, secrets).
            context.report(error, masker: report.masker)
        }
        if jsonl {
            console.out(
                ResultsWriter.encodeLine(["event": "run.finished", "results": document.json], masker: report.masker))
        } else if path == "-" {
            console.out(ResultsWriter.encode(document, masker: report.masker))
        }
        if path != "-" {
            do {
                let naming = outputOverride == nil ? "the workflow's 'output:'" : "'-o'"
                try ResultsWriter.write(document, to: path, masker: report.masker, naming: naming)
                if !quiet, !jsonl { console.err("results written to \(path)") }
            } catch {
                // A path known only after the steps (`output:` using `steps`), or one that changed
                // during the run: the document is not lost, it goes to stdout.
                context.report(error, masker: report.masker)
                if !jsonl {
                    console.err("the results document follows on stdout instead")
                    console.out(ResultsWriter.encode(document, masker: report.masker))
                }
                return .usage
            }
        }
        let exitCode = ExitCode(status: document.status, error: report.error?.code)
        let stepSummary = summaryPath == nil ? Self.gitHubStepSummary(context.environment) : nil
        // Only built when asked for: it renders the whole document a second time.
        guard summaryPath != nil || stepSummary != nil else { return exitCode }
        let summary = Array(RunSummary.markdown(document.json, exitCode: exitCode, masker: report.masker).utf8)
        if let summaryPath {
            do {
                try ResultsDestination.resolve(summaryPath, naming: "'--summary'").write(summary)
            } catch {
                context.report(error, masker: report.masker)
                return .usage
            }
        } else if let stepSummary {
            if let failure = Self.append(summary, to: stepSummary) {
                console.err(
                    context.renderer.renderWarning(
                        "could not append the run's summary to $GITHUB_STEP_SUMMARY '\(stepSummary)': \(failure)",
                        hint: "give '--summary PATH' to write it elsewhere"))
            }
        }
        return exitCode
    }

    /// `$GITHUB_STEP_SUMMARY` inside GitHub Actions (`GITHUB_ACTIONS=true`), nil elsewhere or when
    /// it is unset or empty.
    static func gitHubStepSummary(_ environment: [String: String]) -> String? {
        guard environment["GITHUB_ACTIONS"] == "true", let path = environment["GITHUB_STEP_SUMMARY"], !path.isEmpty
        else { return nil }
        return path
    }

    /// Appends `bytes` to the file at `path` (created 0644 when missing), as GitHub Actions expects
    /// of each step's summary; the reason it could not, or nil.
    static func append(_ bytes: [UInt8], to path: String) -> String? {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0o644)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { close(descriptor) }
        return DescriptorWriter.writeAll(bytes, to: descriptor).map { systemErrorText($0) }
    }

    /// Reads `--inputs FILE` (JSON or YAML) as an object of input values.
    static func inputsFile(_ path: String, sources: Sources) throws -> [String: JSONValue] {
        let text = try sources.read(path, what: "inputs file")
        let parsed = try YAMLParser.parse(text, file: path)
        if let problem = parsed.problems.first { throw problem }
        guard let root = parsed.root else { return [:] }
        guard case .object(let members) = root.toJSON() else {
            throw WorkflowError(
                code: .wrongType("inputs"), message: "the inputs file must hold a mapping of input names to values",
                context: ErrorContext(location: root.location))
        }
        return members
    }
}

/// The self-pipe a signal handler writes to: the only thing it may safely do.
private let signalPipe: (read: Int32, write: Int32) = {
    var fds: [Int32] = [-1, -1]
    _ = pipe(&fds)
    return (fds[0], fds[1])
}()

/// SIGINT, SIGTERM and SIGHUP handling for runs (contract §6): the first signal cancels the run,
/// which cancels in-flight requests, ends the stdio servers' process groups (staged shutdown) and
/// writes its document with `cancelled`; a second one kills those groups and exits at once with 130.
///
/// The servers run in process groups of their own, so a terminal's Ctrl-C or hang-up reaches
/// mcp-run only: ending them is mcp-run's job, in both cases.
///
/// The C handler only writes a byte to a pipe; a thread of its own reads the pipe and cancels the
/// run's task. (A Dispatch signal source does not fire on Linux for a signal set to `SIG_IGN`.)
enum SignalHandling {
    /// The signals that interrupt a run.
    static let interrupting = [SIGINT, SIGTERM, SIGHUP]

    static func runCancellable<R: Sendable>(_ body: @escaping @Sendable () async -> R) async -> R {
        let pipe = signalPipe
        // The handlers first: a signal that comes before the task starts (or before a server it
        // spawns has a pid) waits in the pipe, and the watcher cancels the task when it reads it.
        let handler: @convention(c) (Int32) -> Void = { _ in
            var byte: UInt8 = 1
            _ = write(signalPipe.write, &byte, 1)
        }
        var ignored: Set<Int32> = []
        for number in interrupting {
            let old = signal(number, handler)
            if unsafeBitCast(old, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { ignored.insert(number) }
        }
        // `nohup mcp-run …` asks for hang-ups to be ignored: keep it that way.
        if ignored.contains(SIGHUP) { signal(SIGHUP, SIG_IGN) }
        // Unstructured: the signal watcher thread must reach the run's task to cancel it; awaited below.
        let task = Task(executorPreference: EventLoop.preferred) { await body() }
        let watcher = Thread {
            var signals = 0
            var byte: UInt8 = 0
            while read(pipe.read, &byte, 1) == 1, byte != 0 {
                signals += 1
                if signals > 1 {
                    ChildProcessGroups.killAll()
                    exit(130)
                }
                task.cancel()
            }
        }
        watcher.start()
        let result = await task.value
        for number in interrupting { signal(number, ignored.contains(number) ? SIG_IGN : SIG_DFL) }
        var stop: UInt8 = 0
        _ = write(pipe.write, &stop, 1)
        return result
    }
}
