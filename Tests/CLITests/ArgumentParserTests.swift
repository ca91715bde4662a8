import Basics
import Testing

@testable import CLI

@Suite("Argument parser")
struct ArgumentParserTests {
    /// A command line that parses, and what it must bind to.
    struct Accepted: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var command: CommandName
        var values: [String: [String]] = [:]
        var flags: Set<String> = []
        var positionals: [String] = []
        var isImplicitRun = false
        var testDescription: String { "mcp-run " + arguments.joined(separator: " ") }
    }

    static let accepted: [Accepted] = [
        Accepted(arguments: ["flows/a.yaml"], command: .run, positionals: ["flows/a.yaml"], isImplicitRun: true),
        Accepted(
            arguments: ["a.yaml", "-q"], command: .run, flags: ["quiet"], positionals: ["a.yaml"], isImplicitRun: true),
        Accepted(
            arguments: ["-o", "out.json", "a.yaml"], command: .run, values: ["output": ["out.json"]],
            positionals: ["a.yaml"], isImplicitRun: true),
        Accepted(arguments: ["run", "a.yaml"], command: .run, positionals: ["a.yaml"]),
        Accepted(
            arguments: ["run", "--output", "r.json", "a.yaml"], command: .run, values: ["output": ["r.json"]],
            positionals: ["a.yaml"]),
        Accepted(
            arguments: ["run", "--output=r.json", "a.yaml"], command: .run, values: ["output": ["r.json"]],
            positionals: ["a.yaml"]),
        Accepted(
            arguments: ["run", "a.yaml", "-o", "-"], command: .run, values: ["output": ["-"]], positionals: ["a.yaml"]),
        Accepted(
            arguments: ["run", "a.yaml", "-or.json"], command: .run, values: ["output": ["r.json"]],
            positionals: ["a.yaml"]),
        Accepted(
            arguments: ["run", "-qo", "r.json", "a.yaml"], command: .run, values: ["output": ["r.json"]],
            flags: ["quiet"], positionals: ["a.yaml"]),
        Accepted(
            arguments: ["run", "a.yaml", "-o", "first", "--output", "second"], command: .run,
            values: ["output": ["second"]], positionals: ["a.yaml"]),
        Accepted(
            arguments: ["run", "a.yaml", "--input", "project=ENG", "--input=days=1", "--input", "q=a=b"], command: .run,
            values: ["input": ["project=ENG", "days=1", "q=a=b"]], positionals: ["a.yaml"]),
        Accepted(
            arguments: ["run", "a.yaml", "--input", "empty="], command: .run, values: ["input": ["empty="]],
            positionals: ["a.yaml"]),
        Accepted(
            arguments: ["run", "a.yaml", "--only", "a", "--only", "b", "--dry-run", "--non-interactive", "--no-color"],
            command: .run, values: ["only": ["a", "b"]], flags: ["dry-run", "non-interactive", "no-color"],
            positionals: ["a.yaml"]),
        Accepted(
            arguments: [
                "run", "a.yaml", "--format", "jsonl", "--inputs", "i.yaml", "--secrets", ".env", "--servers", "s.json",
            ],
            command: .run,
            values: ["format": ["jsonl"], "inputs": ["i.yaml"], "secrets": [".env"], "servers": ["s.json"]],
            positionals: ["a.yaml"]),
        Accepted(arguments: ["run", "--", "-weird.yaml"], command: .run, positionals: ["-weird.yaml"]),
        Accepted(arguments: ["run", "-v", "a.yaml"], command: .run, flags: ["verbose"], positionals: ["a.yaml"]),
        Accepted(arguments: ["validate", "a.yaml", "b.yaml"], command: .validate, positionals: ["a.yaml", "b.yaml"]),
        Accepted(
            arguments: ["tools", "atlassian", "--json"], command: .tools, flags: ["json"], positionals: ["atlassian"]),
        Accepted(
            arguments: [
                "tools", "https://mcp.example.com/mcp", "-f", "a.yaml", "--servers", "s.yaml", "--secrets", ".env",
            ],
            command: .tools, values: ["file": ["a.yaml"], "servers": ["s.yaml"], "secrets": [".env"]],
            positionals: ["https://mcp.example.com/mcp"]),
        Accepted(
            arguments: ["call", "srv", "echo", "text=hi", "n=5", "--json", "{\"a\":1}", "-o", "-"], command: .call,
            values: ["json": ["{\"a\":1}"], "output": ["-"]], positionals: ["srv", "echo", "text=hi", "n=5"]),
        Accepted(
            arguments: ["call", "srv", "neg", "--json", "-1"], command: .call, values: ["json": ["-1"]],
            positionals: ["srv", "neg"]),
        Accepted(
            arguments: ["auth", "login", "atlassian", "--no-browser"], command: .auth, flags: ["no-browser"],
            positionals: ["login", "atlassian"]),
        Accepted(arguments: ["auth", "status"], command: .auth, positionals: ["status"]),
        Accepted(arguments: ["schema"], command: .schema),
        Accepted(arguments: ["help"], command: .help),
        Accepted(arguments: ["help", "call"], command: .help, positionals: ["call"]),
        Accepted(arguments: ["--help"], command: .help, flags: ["help"]),
        Accepted(arguments: ["-h"], command: .help, flags: ["help"]),
        Accepted(arguments: ["--version"], command: .help, flags: ["version"]),
        Accepted(arguments: ["call", "--help"], command: .call, flags: ["help"]),
        Accepted(arguments: ["validate", "--version"], command: .validate, flags: ["version"]),
    ]

    @Test("a valid command line binds to its command, options and positionals", arguments: accepted)
    func accepts(_ testCase: Accepted) throws {
        let parsed = try ArgumentParser.parse(testCase.arguments)
        #expect(parsed.command == testCase.command)
        #expect(parsed.values == testCase.values)
        #expect(parsed.flags == testCase.flags)
        #expect(parsed.positionals == testCase.positionals)
        #expect(parsed.isImplicitRun == testCase.isImplicitRun)
    }

    /// A command line that is refused, and the code it must be refused with.
    struct Refused: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var code: UsageError.Code
        var hint: String?
        var argumentIndex: Int?
        var testDescription: String { "mcp-run " + arguments.joined(separator: " ") }
    }

    static let refused: [Refused] = [
        Refused(arguments: [], code: .missingCommand),
        Refused(arguments: ["-q"], code: .missingCommand),
        Refused(
            arguments: ["rnu", "a.yaml"], code: .unknownCommand("rnu"), hint: "did you mean 'run'?", argumentIndex: 0),
        Refused(
            arguments: ["vaildate"], code: .unknownCommand("vaildate"), hint: "did you mean 'validate'?",
            argumentIndex: 0),
        Refused(
            arguments: ["run", "a.yaml", "--ouput", "x"], code: .unknownOption("--ouput"),
            hint: "did you mean '--output'?", argumentIndex: 2),
        Refused(
            arguments: ["a.yaml", "--dryrun"], code: .unknownOption("--dryrun"), hint: "did you mean '--dry-run'?",
            argumentIndex: 1),
        Refused(arguments: ["run", "a.yaml", "-x"], code: .unknownOption("-x"), argumentIndex: 2),
        Refused(arguments: ["run", "a.yaml", "-qx"], code: .unknownOption("-x"), argumentIndex: 2),
        Refused(
            arguments: ["run", "a.yaml", "--json"], code: .unknownOption("--json"),
            hint: "'--json' is an option of 'mcp-run tools', 'mcp-run call', 'mcp-run resources' and 'mcp-run prompts'",
            argumentIndex: 2),
        Refused(arguments: ["run", "a.yaml", "--output"], code: .missingValue(option: "--output"), argumentIndex: 2),
        Refused(arguments: ["run", "a.yaml", "-o"], code: .missingValue(option: "--output"), argumentIndex: 2),
        Refused(
            arguments: ["run", "a.yaml", "--output", "--quiet"], code: .missingValue(option: "--output"),
            hint: "to give a value that starts with '--', write '--output=--quiet'", argumentIndex: 2),
        Refused(
            arguments: ["run", "a.yaml", "--output", "--", "x"], code: .missingValue(option: "--output"),
            argumentIndex: 2),
        Refused(
            arguments: ["run", "a.yaml", "--dry-run=yes"], code: .unexpectedValue(option: "--dry-run"), argumentIndex: 2
        ),
        Refused(
            arguments: ["run", "a.yaml", "--format", "jsonn"],
            code: .invalidValue(option: "'--format'", value: "jsonn"),
            hint: "did you mean 'json'?", argumentIndex: 3),
        Refused(
            arguments: ["run", "a.yaml", "--format=xml"], code: .invalidValue(option: "'--format'", value: "xml"),
            hint: "use one of 'json' and 'jsonl'", argumentIndex: 2),
        Refused(
            arguments: ["run", "a.yaml", "--input", "project"],
            code: .invalidValue(option: "'--input'", value: "project"),
            hint: "write 'project=VALUE'", argumentIndex: 3),
        Refused(
            arguments: ["run", "a.yaml", "--input", "=x"], code: .invalidValue(option: "'--input'", value: "=x"),
            argumentIndex: 3),
        Refused(arguments: ["run"], code: .missingArgument("FILE"), hint: "usage: mcp-run run [options] FILE"),
        Refused(arguments: ["run", "a.yaml", "b.yaml"], code: .unexpectedArgument("b.yaml"), argumentIndex: 2),
        Refused(arguments: ["a.yaml", "b.yaml"], code: .unexpectedArgument("b.yaml"), argumentIndex: 1),
        Refused(arguments: ["validate"], code: .missingArgument("FILE")),
        Refused(arguments: ["tools"], code: .missingArgument("SERVER")),
        Refused(arguments: ["tools", "a", "b"], code: .unexpectedArgument("b"), argumentIndex: 2),
        Refused(arguments: ["call", "srv"], code: .missingArgument("TOOL")),
        Refused(
            arguments: ["call", "srv", "tool", "novalue"], code: .invalidValue(option: "KEY=VALUE", value: "novalue"),
            argumentIndex: 3),
        Refused(arguments: ["call", "srv", "tool", "--json"], code: .missingValue(option: "--json"), argumentIndex: 3),
        Refused(arguments: ["auth"], code: .missingArgument("ACTION")),
        Refused(
            arguments: ["auth", "lgoin", "srv"], code: .invalidValue(option: "ACTION", value: "lgoin"),
            hint: "did you mean 'login'?", argumentIndex: 1),
        Refused(arguments: ["auth", "login", "a", "b"], code: .unexpectedArgument("b"), argumentIndex: 3),
        Refused(arguments: ["schema", "extra"], code: .unexpectedArgument("extra"), argumentIndex: 1),
        Refused(arguments: ["help", "nope"], code: .invalidValue(option: "COMMAND", value: "nope"), argumentIndex: 1),
        Refused(arguments: ["run", "a.yaml", "-q", "-v"], code: .conflictingOptions("--quiet", "--verbose")),
        Refused(arguments: ["tools", "srv", "--dry-run"], code: .unknownOption("--dry-run"), argumentIndex: 2),
    ]

    @Test("an invalid command line is a usage error with the right code, hint and index", arguments: refused)
    func refuses(_ testCase: Refused) throws {
        let error = try #require(throws: UsageError.self) { try ArgumentParser.parse(testCase.arguments) }
        #expect(error.code == testCase.code)
        if let hint = testCase.hint { #expect(error.hint == hint) } else { #expect(error.hint != nil) }
        if let index = testCase.argumentIndex { #expect(error.argumentIndex == index) }
        #expect(ExitCode(for: error) == .usage)
        #expect(ExitCode(for: error).rawValue == 2)
        #expect(error.message.first?.isLowercase == true && error.message.last != ".")
    }

    @Test("usage error messages name the argument and the command")
    func messages() throws {
        func message(_ arguments: [String]) throws -> String {
            try #require(throws: UsageError.self) { try ArgumentParser.parse(arguments) }.message
        }
        #expect(try message(["run", "a.yaml", "--ouput", "x"]) == "unknown option '--ouput' for 'mcp-run run'")
        #expect(try message(["run", "a.yaml", "-qx"]) == "unknown option '-x' (in '-qx') for 'mcp-run run'")
        #expect(try message(["run", "a.yaml", "-o"]) == "option '-o' needs a value (PATH)")
        #expect(try message(["tools"]) == "missing SERVER for 'mcp-run tools'")
        #expect(try message(["schema", "x"]) == "unexpected argument 'x' for 'mcp-run schema'")
        #expect(try message(["rnu"]) == "unknown command 'rnu'")
        #expect(try message(["call", "s", "t", "x"]) == "invalid argument 'x': expected KEY=VALUE")
        #expect(try message(["a.yaml", "--input", "x"]) == "invalid value 'x' for '--input': expected KEY=VALUE")
        #expect(try message(["auth", "lgoin"]) == "invalid value 'lgoin' for ACTION")
        #expect(try message(["--dry-run=1", "a.yaml"]) == "option '--dry-run' takes no value")
    }

    @Test("an unknown word far from every command suggests naming a file")
    func unknownWordHint() throws {
        let error = try #require(throws: UsageError.self) { try ArgumentParser.parse(["report"]) }
        #expect(error.hint?.contains("'./report.yaml'") == true)
    }

    @Test("typed accessors read values, defaults, key-value pairs and the log level")
    func accessors() throws {
        let run = try ArgumentParser.parse(["a.yaml", "--input", "p=ENG", "--input", "q=a=b", "-v", "--only", "x"])
        #expect(run.argument(.workflowFile) == "a.yaml")
        #expect(run.keyValues(.input).map(\.key) == ["p", "q"])
        #expect(run.keyValues(.input).map(\.value) == ["ENG", "a=b"])
        #expect(run.values(.only) == ["x"])
        #expect(run.value(.format) == "json")
        #expect(run.resultsFormat == .json)
        #expect(run.value(.output) == nil)
        #expect(run.logLevel == .verbose)
        #expect(!run.flag(.dryRun) && !run.isHelpRequested && !run.isVersionRequested && !run.isColorDisabled)

        let call = try ArgumentParser.parse(["call", "srv", "echo", "a=1", "b=x=y", "--json", "{}"])
        #expect(call.argument(.server) == "srv")
        #expect(call.argument(.tool) == "echo")
        #expect(call.keyValues(.toolArguments).map(\.value) == ["1", "x=y"])
        #expect(call.value(.jsonArguments) == "{}")
        #expect(call.value(.output) == "-")

        let auth = try ArgumentParser.parse(["auth", "revoke", "srv", "-q"])
        #expect(auth.authAction == .revoke)
        #expect(auth.argument(.optionalServer) == "srv")
        #expect(auth.logLevel == .quiet)

        let validate = try ArgumentParser.parse(["validate", "a.yaml", "b.yaml", "--no-color"])
        #expect(validate.arguments(.workflowFiles) == ["a.yaml", "b.yaml"])
        #expect(validate.isColorDisabled)

        #expect(try ArgumentParser.parse(["a.yaml", "--format", "jsonl"]).resultsFormat == .jsonl)
    }

    @Test("help and version are honoured on every command, even with positionals missing")
    func helpAndVersionEverywhere() throws {
        for command in CommandName.allCases {
            let help = try ArgumentParser.parse([command.rawValue, "--help"])
            #expect(help.command == command && help.isHelpRequested)
            let short = try ArgumentParser.parse([command.rawValue, "-h"])
            #expect(short.isHelpRequested)
            let version = try ArgumentParser.parse([command.rawValue, "--version"])
            #expect(version.command == command && version.isVersionRequested)
        }
        #expect(try ArgumentParser.parse(["a.yaml", "--help"]).isHelpRequested)
    }

    @Test("every command's table has unique option names and a help and version option")
    func tablesAreConsistent() {
        for spec in CommandTable.all {
            let longs = spec.options.map(\.long)
            let shorts = spec.options.compactMap(\.short)
            #expect(Set(longs).count == longs.count, "\(spec.name)")
            #expect(Set(shorts).count == shorts.count, "\(spec.name)")
            for common in OptionSpec.common { #expect(spec.option(long: common.long) == common, "\(spec.name)") }
            let variadic = spec.positionals.dropLast().filter { $0.arity == .oneOrMore || $0.arity == .zeroOrMore }
            #expect(variadic.isEmpty, "\(spec.name)")
        }
    }
}
