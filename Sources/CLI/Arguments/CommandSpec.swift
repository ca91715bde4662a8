/// The commands of `mcp-run` (contract §5).
package enum CommandName: String, Sendable, Hashable, CaseIterable {
    /// `mcp-run run FILE` (also `mcp-run FILE`).
    case run
    /// `mcp-run validate FILE...`.
    case validate
    /// `mcp-run tools SERVER`.
    case tools
    /// `mcp-run call SERVER TOOL [KEY=VALUE...]`.
    case call
    /// `mcp-run resources SERVER [URI]`.
    case resources
    /// `mcp-run prompts SERVER [NAME KEY=VALUE...]`.
    case prompts
    /// `mcp-run auth login|status|revoke|logout [SERVER]`.
    case auth
    /// `mcp-run schema`.
    case schema
    /// `mcp-run serve`: the HTTP gateway (contract §9).
    case serve
    /// `mcp-run completion bash|zsh|fish|man`: a completion script or the man page.
    case completion
    /// `mcp-run help [COMMAND]`; also what `mcp-run --help` and `mcp-run --version` parse as.
    case help

    /// This command's table.
    package var spec: CommandSpec { CommandTable.spec(for: self) }
}

/// What `mcp-run auth` does.
package enum AuthAction: String, Sendable, Hashable, CaseIterable {
    /// Run the authorization flow and cache the tokens.
    case login
    /// Show server, grant, scopes and expiry (never a token).
    case status
    /// Revoke at the server (RFC 7009) where possible, then delete the cache entry.
    case revoke
    /// Delete the cache entry locally.
    case logout
}

/// The shape of `mcp-run run`'s output (`--format`).
/// `validate --format`: how problems are printed.
package enum ProblemFormat: String, Sendable, Hashable, CaseIterable {
    /// `file:line:col: message` lines and hints on stderr.
    case human
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`) on stdout, so a
    /// job shows each problem on the line it is about; the human lines still go to stderr.
    case github
}

/// `run --format`: how the results are printed.
package enum ResultsFormat: String, Sendable, Hashable, CaseIterable {
    /// One results document at the end.
    case json
    /// One JSON event per line as steps start and end.
    case jsonl
}

/// One command's table: its positionals and options, and the text `--help` shows for it.
package struct CommandSpec: Sendable, Hashable {
    /// The command.
    package var name: CommandName
    /// One line for the command list, lower-case start, no trailing period.
    package var summary: String
    /// A paragraph (or a few) for the command's `--help`.
    package var discussion: String
    /// Its positional arguments, in order. At most the last one takes many values.
    package var positionals: [PositionalSpec]
    /// Its options, the common ones included.
    package var options: [OptionSpec]
    /// Options that cannot be given together, by long name.
    package var exclusiveOptions: [[String]]

    /// Creates a command spec.
    package init(
        name: CommandName, summary: String, discussion: String, positionals: [PositionalSpec],
        options: [OptionSpec], exclusiveOptions: [[String]] = []
    ) {
        self.name = name
        self.summary = summary
        self.discussion = discussion
        self.positionals = positionals
        self.options = options
        self.exclusiveOptions = exclusiveOptions
    }

    /// `mcp-run run`.
    package var invocation: String { "mcp-run " + name.rawValue }

    /// `mcp-run call [options] SERVER TOOL [KEY=VALUE...]`.
    package var usageLine: String {
        ([invocation, "[options]"] + positionals.map(\.usageSpelling)).joined(separator: " ")
    }

    /// The option with the long name `long`.
    package func option(long: String) -> OptionSpec? { options.first { $0.long == long } }

    /// The option with the one-letter name `short`.
    package func option(short: Character) -> OptionSpec? { options.first { $0.short == short } }
}
