import Basics
import WorkflowModel

/// `mcp-run validate FILE…`: every check that needs no network, every problem of every file.
struct ValidateCommand {
    var context: CommandContext

    func execute() throws -> ExitCode {
        let files = context.parsed.arguments(.workflowFiles)
        let servers = try context.sources.extraServers(serversFile: context.parsed.value(.servers))
        var failed = false
        let github = context.parsed.value(.problemFormat) == ProblemFormat.github.rawValue
        for file in files {
            do {
                let text = try context.sources.read(file, what: "workflow file")
                let workflow = try WorkflowLoader.load(text: text, file: file, extraServers: servers)
                if context.logLevel >= .normal {
                    context.console.err("\(file): ok (\(workflow.steps.count) steps)")
                }
            } catch {
                failed = true
                context.report(error)
                if github {
                    let problems: [any Error] = (error as? WorkflowProblems)?.problems ?? [error]
                    for problem in problems { context.console.out(context.renderer.githubAnnotation(problem) + "\n") }
                }
            }
        }
        return failed ? .usage : .succeeded
    }
}
