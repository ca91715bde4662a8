import Basics

/// `mcp-run auth …`: OAuth logins arrive with the auth work (issue #4); until then it says so plainly.
struct AuthCommand {
    var context: CommandContext

    func execute() throws -> ExitCode {
        throw UsageError(
            code: .unknownCommand("auth"), message: "'mcp-run auth' is not available in this version",
            hint: "use authType 'bearer-token', 'api-key' or 'basic' with secrets for now; see docs/auth.md")
    }
}
