import Testing

@testable import CLI

@Suite("Help text")
struct HelpFormatterTests {
    @Test("a command's help shows its usage line, every positional and every option", arguments: CommandName.allCases)
    func helpListsTable(_ command: CommandName) {
        let spec = command.spec
        let text = HelpFormatter.help(for: spec)
        #expect(text.hasPrefix("Usage: \(spec.usageLine)\n"))
        for positional in spec.positionals {
            #expect(text.contains("\n  \(positional.name) "), "\(positional.name)")
        }
        for option in spec.options {
            #expect(text.contains(option.helpLabel), "\(option.long)")
            #expect(text.contains(option.help.split(separator: " ").prefix(3).joined(separator: " ")), "\(option.long)")
        }
        for line in text.split(separator: "\n") {
            #expect(line.count <= 100, "\(line)")
        }
    }

    @Test("run's help shows the value names, defaults and choices")
    func runHelp() {
        let text = HelpFormatter.help(for: CommandTable.run)
        #expect(text.contains("Usage: mcp-run run [options] FILE\n       mcp-run FILE [options]\n"))
        #expect(text.contains("  -o, --output PATH"))
        #expect(text.contains("      --input KEY=VALUE"))
        #expect(text.contains("(repeatable)"))
        let flowed = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        #expect(flowed.contains("one of 'json' and 'jsonl' (default: json)"))
        #expect(text.contains("  -q, --quiet"))
    }

    @Test("the overview lists every command and the common options")
    func overview() {
        let text = HelpFormatter.overview()
        for spec in CommandTable.all {
            #expect(text.contains("  \(spec.name.rawValue) "), "\(spec.name)")
            #expect(text.contains(spec.summary), "\(spec.name)")
        }
        for option in OptionSpec.common { #expect(text.contains(option.helpLabel)) }
    }

    @Test("the parsed command's help text follows 'help COMMAND' and '--help'")
    func parsedHelpText() throws {
        #expect(try ArgumentParser.parse(["--help"]).helpText == HelpFormatter.overview())
        #expect(try ArgumentParser.parse(["help"]).helpText == HelpFormatter.overview())
        #expect(try ArgumentParser.parse(["help", "call"]).helpText == HelpFormatter.help(for: CommandTable.call))
        #expect(try ArgumentParser.parse(["tools", "-h"]).helpText == HelpFormatter.help(for: CommandTable.tools))
        #expect(try ArgumentParser.parse(["a.yaml", "-h"]).helpText == HelpFormatter.help(for: CommandTable.run))
    }

    @Test("wrapping keeps words whole and lines within the width")
    func wrapping() {
        #expect(HelpFormatter.wrap("aaa bbb ccc", width: 7) == ["aaa bbb", "ccc"])
        #expect(HelpFormatter.wrap("averyveryverylongword x", width: 5) == ["averyveryverylongword", "x"])
        #expect(HelpFormatter.wrap("", width: 5).isEmpty)
    }
}
