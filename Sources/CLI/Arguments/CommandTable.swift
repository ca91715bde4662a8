/// The option catalogue and every command's table (contract §5).
///
/// Options are defined once here and shared between the commands that take them; a command that
/// gives one a more specific meaning uses `withHelp(_:)`.
extension OptionSpec {
    /// `-q, --quiet`: errors only. On every command.
    package static let quiet = OptionSpec(long: "quiet", short: "q", kind: .flag, help: "show errors only")
    /// `-v, --verbose`: protocol trace to stderr, secrets masked. On every command.
    package static let verbose = OptionSpec(
        long: "verbose", short: "v", kind: .flag, help: "also show protocol traffic on stderr (secrets masked)")
    /// `--no-color`: plain output even on a terminal. On every command.
    package static let noColor = OptionSpec(long: "no-color", kind: .flag, help: "never color the output")
    /// `-h, --help`. On every command.
    package static let help = OptionSpec(long: "help", short: "h", kind: .flag, help: "show this help")
    /// `--version`. On every command.
    package static let version = OptionSpec(long: "version", kind: .flag, help: "show the version of mcp-run")

    /// `--input KEY=VALUE`, repeatable.
    package static let input = OptionSpec(
        long: "input", kind: .repeatable, valueName: "KEY=VALUE", help: "set the workflow input KEY to VALUE",
        format: .keyValue)
    /// `--inputs FILE`.
    package static let inputs = OptionSpec(
        long: "inputs", kind: .value, valueName: "FILE", help: "read inputs from a JSON or YAML file")
    /// `--secrets FILE` (dotenv).
    package static let secrets = OptionSpec(
        long: "secrets", kind: .value, valueName: "FILE", help: "read secrets from a dotenv file")
    /// `--servers FILE` (JSON or YAML, the `MCP_SERVERS` schema).
    package static let servers = OptionSpec(
        long: "servers", kind: .value, valueName: "FILE", help: "read server definitions from a JSON or YAML file")
    /// `-o, --output PATH`; `-` is stdout.
    package static let output = OptionSpec(
        long: "output", short: "o", kind: .value, valueName: "PATH",
        help: "write the results document to PATH ('-' for stdout)")
    /// `--format json|jsonl`.
    package static let format = OptionSpec(
        long: "format", kind: .value, valueName: "FORMAT",
        help: "the output format; 'jsonl' writes one event per line as steps start and end",
        defaultValue: ResultsFormat.json.rawValue, choices: ResultsFormat.allCases.map(\.rawValue))
    /// `--format human|github` of `validate`. Same long name as `format`.
    package static let problemFormat = OptionSpec(
        long: "format", kind: .value, valueName: "FORMAT",
        help: "'github' also prints each problem as a GitHub Actions annotation on stdout",
        defaultValue: ProblemFormat.human.rawValue, choices: ProblemFormat.allCases.map(\.rawValue))
    /// `--summary PATH` of `run`.
    package static let summary = OptionSpec(
        long: "summary", kind: .value, valueName: "PATH",
        help: "write a Markdown summary of the run to PATH (in GitHub Actions: appended to $GITHUB_STEP_SUMMARY)")
    /// `--dry-run`.
    package static let dryRun = OptionSpec(
        long: "dry-run", kind: .flag, help: "validate, resolve what needs no results and print the plan; no network")
    /// `--only STEP`, repeatable.
    package static let only = OptionSpec(
        long: "only", kind: .repeatable, valueName: "STEP", help: "run only this step (repeatable)")
    /// `--non-interactive`.
    package static let nonInteractive = OptionSpec(
        long: "non-interactive", kind: .flag,
        help:
            "never prompt or open a browser; fail with exit 3 when a login is needed (also: MCP_RUN_NON_INTERACTIVE=1)")
    /// `--no-cache`: list tools (resources, prompts) afresh, neither using nor keeping cached lists.
    package static let noCache = OptionSpec(
        long: "no-cache", kind: .flag, help: "list tools afresh: neither use nor keep lists cached for their ttlMs")
    /// `-f, --file FILE`: take server definitions from a workflow file.
    package static let file = OptionSpec(
        long: "file", short: "f", kind: .value, valueName: "FILE",
        help: "use the servers declared in this workflow file")
    /// `--json` as a flag: machine-readable output (`tools`).
    package static let jsonOutput = OptionSpec(long: "json", kind: .flag, help: "print JSON instead of a table")
    /// `--json ARGS`: the call's arguments as a JSON object (`call`). Same long name as `jsonOutput`.
    package static let jsonArguments = OptionSpec(
        long: "json", kind: .value, valueName: "ARGS", help: "the tool's arguments as a JSON object")
    /// `--no-browser`.
    package static let noBrowser = OptionSpec(
        long: "no-browser", kind: .flag, help: "do not open a browser; print the URL and accept the redirect on stdin")

    /// `--stdio CMD`: a stdio server given on the command line, in place of SERVER.
    package static let stdio = OptionSpec(
        long: "stdio", kind: .value, valueName: "CMD",
        help:
            "start CMD as a stdio server instead of naming SERVER (split like a shell: quotes and backslashes, no expansion)"
    )
    /// `--header 'Name: value'`, repeatable: an extra HTTP header for the server.
    package static let header = OptionSpec(
        long: "header", kind: .repeatable, valueName: "'NAME: VALUE'",
        help: "send this HTTP header to the server (repeatable; VALUE may be a ${{ env.NAME }} template)")
    /// `--bearer-env NAME`: `authType: bearer-token` with the token from environment variable NAME.
    package static let bearerEnv = OptionSpec(
        long: "bearer-env", kind: .value, valueName: "NAME",
        help: "send 'Authorization: Bearer' with the token in environment variable NAME")
    /// `--api-key-env NAME`: `authType: api-key` with the key from environment variable NAME.
    package static let apiKeyEnv = OptionSpec(
        long: "api-key-env", kind: .value, valueName: "NAME",
        help: "send the API key in environment variable NAME (header X-API-Key, or --api-key-header)")
    /// `--api-key-header HEADER`: the header `--api-key-env` uses.
    package static let apiKeyHeader = OptionSpec(
        long: "api-key-header", kind: .value, valueName: "HEADER", help: "the header for --api-key-env")
    /// `--basic-env USER:PASSWORD`: `authType: basic` from two environment variables.
    package static let basicEnv = OptionSpec(
        long: "basic-env", kind: .value, valueName: "USER:PASSWORD",
        help: "use HTTP Basic auth with the username and password in the environment variables USER and PASSWORD")

    /// The options of the commands that talk to one server (`tools`, `call`, `resources`,
    /// `prompts`): where it is defined, or how it is reached and authenticated (contract §5).
    package static let oneShot: [OptionSpec] = [
        .file, .servers, .secrets, .stdio, .header, .bearerEnv, .apiKeyEnv, .apiKeyHeader, .basicEnv, .nonInteractive,
    ]

    /// `--args JSON` of `prompts`: the prompt's arguments as a JSON object (scalars become strings).
    package static let promptArgumentsJSON = OptionSpec(
        long: "args", kind: .value, valueName: "JSON",
        help: "the prompt's arguments as a JSON object; numbers and booleans are sent as strings")

    /// `--listen HOST:PORT` of `serve`.
    package static let listen = OptionSpec(
        long: "listen", kind: .value, valueName: "HOST:PORT",
        help: "the address to serve on; '0.0.0.0:PORT' behind a proxy (port 0: any free port)",
        defaultValue: "127.0.0.1:8080")
    /// `--public-url URL` of `serve`.
    package static let publicURL = OptionSpec(
        long: "public-url", kind: .value, valueName: "URL",
        help: "the URL clients reach the gateway at; OAuth logins return to URL/oauth/callback")

    /// `--workflows DIR` of `serve`.
    package static let workflows = OptionSpec(
        long: "workflows", kind: .value, valueName: "DIR",
        help: "serve POST /api/v1/workflows/NAME/run for the workflow files DIR/NAME.yaml")

    /// The options every command takes.
    package static let common: [OptionSpec] = [.quiet, .verbose, .noColor, .help, .version]
}

extension PositionalSpec {
    /// The workflow file of `run`.
    package static let workflowFile = PositionalSpec(name: "FILE", arity: .required, help: "the workflow file (YAML)")
    /// The workflow files of `validate`.
    package static let workflowFiles = PositionalSpec(
        name: "FILE", arity: .oneOrMore, help: "a workflow file (YAML) to check")
    /// The server of `tools` and `call`.
    package static let server = PositionalSpec(
        name: "SERVER", arity: .required,
        help: "a server's name (workflow, '--servers' or MCP_SERVERS) or URL; or give '--stdio CMD' instead",
        replacedBy: OptionSpec.stdio.long)
    /// The optional server of `auth`.
    package static let optionalServer = PositionalSpec(
        name: "SERVER", arity: .optional, help: "a server's name or URL; 'status' without it lists every cached login")
    /// The tool of `call`.
    package static let tool = PositionalSpec(name: "TOOL", arity: .required, help: "the tool's name")
    /// The arguments of `call`.
    package static let toolArguments = PositionalSpec(
        name: "KEY=VALUE", arity: .zeroOrMore, help: "a tool argument; VALUE is parsed as JSON when it can be",
        format: .keyValue)
    /// The resource `resources` reads.
    package static let resourceURI = PositionalSpec(
        name: "URI", arity: .optional, help: "a resource to read; without it, list resources and resource templates")
    /// The prompt `prompts` gets.
    package static let promptName = PositionalSpec(
        name: "NAME", arity: .optional, help: "a prompt to get; without it, list the prompts")
    /// The arguments of `prompts NAME`.
    package static let promptArguments = PositionalSpec(
        name: "KEY=VALUE", arity: .zeroOrMore, help: "a prompt argument (always sent as a string)", format: .keyValue)
    /// What `auth` does.
    package static let authAction = PositionalSpec(
        name: "ACTION", arity: .required, help: "what to do", choices: AuthAction.allCases.map(\.rawValue))
    /// What `completion` prints.
    package static let completionFormat = PositionalSpec(
        name: "SHELL", arity: .required, help: "the shell to complete for, or 'man' for the man page",
        choices: CompletionFormat.allCases.map(\.rawValue))
    /// The command `help` explains.
    package static let helpTopic = PositionalSpec(
        name: "COMMAND", arity: .optional, help: "the command to explain",
        choices: CommandName.allCases.map(\.rawValue))
}

/// Every command's table.
package enum CommandTable {
    /// The tables in the order `mcp-run --help` lists them.
    package static let all: [CommandSpec] = [
        run, validate, tools, call, resources, prompts, auth, serve, schema, completion, help,
    ]

    /// The table of `name`.
    package static func spec(for name: CommandName) -> CommandSpec {
        switch name {
        case .run: return run
        case .validate: return validate
        case .tools: return tools
        case .call: return call
        case .resources: return resources
        case .prompts: return prompts
        case .auth: return auth
        case .schema: return schema
        case .serve: return serve
        case .completion: return completion
        case .help: return help
        }
    }

    private static let quietOrVerbose = [OptionSpec.quiet.long, OptionSpec.verbose.long]
    private static let oneCredential = [OptionSpec.bearerEnv.long, OptionSpec.apiKeyEnv.long, OptionSpec.basicEnv.long]

    /// `mcp-run run FILE` / `mcp-run FILE`.
    package static let run = CommandSpec(
        name: .run, summary: "run a workflow and write its results document",
        discussion: """
            Runs the workflow's steps and writes one JSON results document: to stdout, or to the \
            workflow's 'output', or to '--output'. Exit status: 0 succeeded, 1 a step failed, 2 usage \
            or workflow error, 3 authorization needed or refused, 4 a server could not be reached, \
            130 interrupted. 'mcp-run FILE' is short for 'mcp-run run FILE'.
            """,
        positionals: [.workflowFile],
        options: [
            .input, .inputs, .secrets, .servers, .output, .format, .summary, .dryRun, .only, .nonInteractive, .noCache,
        ] + OptionSpec.common,
        exclusiveOptions: [quietOrVerbose])

    /// `mcp-run validate FILE...`.
    package static let validate = CommandSpec(
        name: .validate, summary: "check workflow files without contacting any server",
        discussion: """
            Runs every check that needs no network and prints one 'file:line:col: message' line per \
            problem. Exit status 0 when every file is valid, 2 otherwise.
            """,
        positionals: [.workflowFiles],
        options: [.servers.withHelp("also accept servers defined in this JSON or YAML file"), .problemFormat]
            + OptionSpec.common,
        exclusiveOptions: [quietOrVerbose])

    /// `mcp-run tools SERVER`.
    package static let tools = CommandSpec(
        name: .tools, summary: "list a server's tools with their input schemas",
        discussion: "Connects to SERVER and lists its tools. Use '--json' for machine-readable output.",
        positionals: [.server],
        options: [.jsonOutput, .noCache] + OptionSpec.oneShot + OptionSpec.common,
        exclusiveOptions: [quietOrVerbose, oneCredential])

    /// `mcp-run call SERVER TOOL [KEY=VALUE...]`.
    package static let call = CommandSpec(
        name: .call, summary: "call one tool and print its result",
        discussion: """
            Calls TOOL on SERVER once and prints the result JSON on stdout. Arguments come from \
            KEY=VALUE pairs (a VALUE that parses as JSON keeps its type) and '--json', whose object \
            the pairs are merged into.
            """,
        positionals: [.server, .tool, .toolArguments],
        options: [
            .jsonArguments, .output.withHelp("write the result to PATH ('-' for stdout)", defaultValue: "-"), .noCache,
        ] + OptionSpec.oneShot + OptionSpec.common,
        exclusiveOptions: [quietOrVerbose, oneCredential])

    /// `mcp-run resources SERVER [URI]`.
    package static let resources = CommandSpec(
        name: .resources, summary: "list a server's resources and resource templates, or read one",
        discussion: """
            Without URI, lists SERVER's resources and resource templates; with it, reads that resource \
            and prints its text ('--json': the whole result).
            """,
        positionals: [.server, .resourceURI],
        options: [.jsonOutput, .noCache] + OptionSpec.oneShot + OptionSpec.common,
        exclusiveOptions: [quietOrVerbose, oneCredential])

    /// `mcp-run prompts SERVER [NAME KEY=VALUE...]`.
    package static let prompts = CommandSpec(
        name: .prompts, summary: "list a server's prompts, or get one with its arguments",
        discussion: """
            Without NAME, lists SERVER's prompts and their arguments; with it, gets that prompt and \
            prints its messages ('--json': the whole result). Arguments are strings on the wire: \
            KEY=VALUE pairs are sent as written, over '--args' whose scalars are converted.
            """,
        positionals: [.server, .promptName, .promptArguments],
        options: [.jsonOutput, .promptArgumentsJSON, .noCache] + OptionSpec.oneShot + OptionSpec.common,
        exclusiveOptions: [quietOrVerbose, oneCredential])

    /// `mcp-run auth login|status|revoke|logout [SERVER]`.
    package static let auth = CommandSpec(
        name: .auth, summary: "log in to a server, or show, revoke or delete cached logins",
        discussion: """
            'login' runs the server's authorization flow and caches the tokens; 'status' shows server, \
            grant, scopes and expiry (never a token); 'revoke' revokes the tokens at the server where \
            it can, then deletes them; 'logout' deletes them locally.
            """,
        positionals: [.authAction, .optionalServer],
        options: [.noBrowser, .file, .servers, .secrets, .nonInteractive] + OptionSpec.common,
        exclusiveOptions: [quietOrVerbose])

    /// `mcp-run serve`.
    package static let serve = CommandSpec(
        name: .serve, summary: "serve the HTTP gateway: servers and tools behind an API key",
        discussion: """
            Serves the API of docs/gateway.md on plain HTTP/1.1 (put a TLS proxy in front of it). \
            MCP_RUN_API_KEY must be set: every /api/v1 request carries it in X-API-Key. Servers come \
            from MCP_SERVERS, '--servers' (both read-only) and POST /api/v1/servers (kept in \
            MCP_RUN_HOME). SIGTERM or SIGINT stops accepting, lets requests in flight finish \
            (at most 20 seconds), closes the sessions and exits 0.
            """,
        positionals: [],
        options: [.listen, .publicURL, .servers, .secrets, .workflows] + OptionSpec.common,
        exclusiveOptions: [quietOrVerbose])

    /// `mcp-run schema`.
    package static let schema = CommandSpec(
        name: .schema, summary: "print the workflow file's JSON Schema",
        discussion: "Prints the JSON Schema of workflow files on stdout, for editors' YAML language servers.",
        positionals: [], options: OptionSpec.common,
        exclusiveOptions: [quietOrVerbose])

    /// `mcp-run completion bash|zsh|fish|man`.
    package static let completion = CommandSpec(
        name: .completion, summary: "print a shell completion script, or the man page",
        discussion: """
            Prints a completion script for bash, zsh or fish on stdout, or with 'man' the man page \
            mcp-run.1 (roff), all generated from the table this help comes from. Install them with \
            scripts/install, or by hand: 'source <(mcp-run completion bash)' in ~/.bashrc; \
            'mcp-run completion zsh > DIR/_mcp-run' with DIR on $fpath; 'mcp-run completion fish > \
            ~/.config/fish/completions/mcp-run.fish'; 'mcp-run completion man > DIR/man1/mcp-run.1'.
            """,
        positionals: [.completionFormat], options: OptionSpec.common,
        exclusiveOptions: [quietOrVerbose])

    /// `mcp-run help [COMMAND]`.
    package static let help = CommandSpec(
        name: .help, summary: "show help for mcp-run or one of its commands",
        discussion: "Without COMMAND, lists the commands; with it, shows that command's options.",
        positionals: [.helpTopic], options: OptionSpec.common,
        exclusiveOptions: [quietOrVerbose])
}
