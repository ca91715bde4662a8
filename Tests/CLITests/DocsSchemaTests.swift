import Basics
import Foundation
import Runner
import TestSupport
import Testing
import YAML

/// Every YAML block in `docs/`, the README and `workflows/` parses, and every one that is a
/// workflow, a piece of one (top-level keys without `steps`), a list of steps, a server's keys or
/// a server file conforms to
/// `mcp-run schema`, the schema editors check files with; whole workflows also pass `mcp-run
/// validate` (contract §5: "it accepts every form the docs show"; issue #12).
@Suite("the schema matches the docs", .timeLimit(.minutes(3)))
struct DocsSchemaTests {
    /// One YAML block: where it is and its text.
    struct Block: CustomStringConvertible {
        var file: String
        var line: Int
        var text: String
        var description: String { "\(file):\(line)" }
    }

    /// What a block is, judged by its keys against the schema.
    enum Kind {
        /// Has `steps` and `servers`: a whole workflow.
        case workflow
        /// Only top-level workflow keys, not both `steps` and `servers`: a piece of a workflow
        /// (servers, inputs, or steps whose servers the text around declares).
        case piece
        /// A list of steps.
        case steps
        /// One server's keys (an example of a few of them).
        case server
        /// A server file (`--servers`, `MCP_SERVERS`): names mapped to servers.
        case serverFile
        /// Something else (a GitHub Actions workflow, a Kubernetes object, an expression example).
        case other
    }

    /// The fenced `yaml` blocks of a Markdown file.
    static func blocks(inMarkdown file: String) throws -> [Block] {
        let lines = try String(contentsOfFile: repoPath(file), encoding: .utf8).components(separatedBy: "\n")
        var blocks: [Block] = []
        var current: (line: Int, text: [String])?
        for (index, line) in lines.enumerated() {
            if let open = current {
                if line.trimmingCharacters(in: .whitespaces) == "```" {
                    blocks.append(Block(file: file, line: open.line, text: open.text.joined(separator: "\n") + "\n"))
                    current = nil
                } else {
                    current?.text.append(line)
                }
            } else if line.trimmingCharacters(in: .whitespaces) == "```yaml" {
                current = (index + 2, [])
            }
        }
        return blocks
    }

    /// Every block of every Markdown file in `docs/` and the README, and every `workflows/` file.
    static func allBlocks() throws -> [Block] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: repoPath("docs")).filter { $0.hasSuffix(".md") }
        var blocks = try (docs.sorted().map { "docs/" + $0 } + ["README.md"]).flatMap(blocks(inMarkdown:))
        let workflows = try FileManager.default.contentsOfDirectory(atPath: repoPath("workflows"))
        for file in workflows.sorted() where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
            let text = try String(contentsOfFile: repoPath("workflows/" + file), encoding: .utf8)
            blocks.append(Block(file: "workflows/" + file, line: 1, text: text))
        }
        return blocks
    }

    static func kind(of value: JSONValue, schema: JSONValue) -> Kind {
        let topKeys = Set(schema["properties"]?.objectValue?.keys.map { $0 } ?? [])
        let stepKeys = Set(schema["$defs"]?["step"]?["properties"]?.objectValue?.keys.map { $0 } ?? [])
        if let members = value.objectValue, !members.isEmpty, Set(members.keys).isSubset(of: topKeys) {
            return members["steps"] != nil && members["servers"] != nil ? .workflow : .piece
        }
        let serverKeys = Set(schema["$defs"]?["server"]?["properties"]?.objectValue?.keys.map { $0 } ?? [])
        if let members = value.objectValue, !members.isEmpty, Set(members.keys).isSubset(of: serverKeys) {
            return .server
        }
        if let members = value.objectValue, !members.isEmpty,
            members.values.allSatisfy({ member in
                member.objectValue.map { !$0.isEmpty && Set($0.keys).isSubset(of: serverKeys) } ?? false
            })
        {
            return .serverFile
        }
        if let items = value.arrayValue, !items.isEmpty,
            items.allSatisfy({ item in item.objectValue.map { Set($0.keys).isSubset(of: stepKeys) } ?? false })
        {
            return .steps
        }
        return .other
    }

    @Test("every YAML block parses; every workflow, piece of one and list of steps fits the schema")
    func schemaAcceptsTheDocs() async throws {
        let printed = try await runMCPRun(["schema"])
        #expect(printed.exitCode == 0, "\(printed)")
        let schema = try JSONValue.parse(printed.stdout)
        let blocks = try Self.allBlocks()
        var counts: [String: Int] = [:]
        for block in blocks {
            let parsed: YAMLParseResult
            do {
                parsed = try YAMLParser.parse(block.text, file: block.file)
            } catch {
                Issue.record("\(block): does not parse: \(error)")
                continue
            }
            #expect(parsed.problems.isEmpty, "\(block): \(parsed.problems)")
            guard let value = parsed.root?.toJSON() else { continue }
            let kind = Self.kind(of: value, schema: schema)
            counts["\(kind)", default: 0] += 1
            switch kind {
            case .workflow:
                Self.expectConforms(value, schema: schema, block)
                try await Self.expectValid(block)
            case .piece:
                var whole = value.objectValue ?? [:]
                if whole["steps"] == nil { whole["steps"] = [] }
                Self.expectConforms(.object(whole), schema: schema, block)
            case .steps:
                Self.expectConforms(["steps": value], schema: schema, block)
            case .server:
                Self.expectConforms(["servers": ["example": value], "steps": []], schema: schema, block)
            case .serverFile:
                Self.expectConforms(["servers": value, "steps": []], schema: schema, block)
            case .other:
                break
            }
        }
        // The docs hold whole workflows, pieces and step lists; a change that hid them would show.
        #expect((counts["workflow"] ?? 0) >= 6, "\(counts)")
        #expect((counts["piece"] ?? 0) >= 3, "\(counts)")
        #expect((counts["steps"] ?? 0) >= 2, "\(counts)")
        #expect((counts["server"] ?? 0) >= 1, "\(counts)")
    }

    /// `value` conforms to `schema`: `SchemaCheck` (the subset the runner checks tool arguments
    /// with), plus the `pattern`s it leaves out, which editors do check.
    static func expectConforms(_ value: JSONValue, schema: JSONValue, _ block: Block) {
        let mismatch = SchemaCheck.firstMismatch(value, schema: schema)
        #expect(mismatch == nil, "\(block): \(mismatch?.description ?? "")\n\(block.text)")
        for (path, text, pattern) in patterns(value, schema, root: schema, path: "") {
            let matches = text.range(of: pattern, options: .regularExpression) != nil
            #expect(matches, "\(block): '\(path)' = '\(text)' does not match the schema's pattern \(pattern)")
        }
    }

    /// Every string in `value` that its schema gives a `pattern`, following `properties`,
    /// `additionalProperties`, `items` and local `$ref`s: (where, the string, the pattern).
    static func patterns(
        _ value: JSONValue, _ schema: JSONValue, root: JSONValue, path: String, depth: Int = 0
    ) -> [(String, String, String)] {
        guard depth < 64 else { return [] }
        if let reference = schema["$ref"]?.stringValue, reference.hasPrefix("#/") {
            var target = root
            for key in reference.dropFirst(2).split(separator: "/") { target = target[String(key)] ?? .null }
            return patterns(value, target, root: root, path: path, depth: depth + 1)
        }
        var found: [(String, String, String)] = []
        if let text = value.stringValue, let pattern = schema["pattern"]?.stringValue {
            found.append((path, text, pattern))
        }
        if let members = value.objectValue {
            for (key, member) in members {
                guard let memberSchema = schema["properties"]?[key] ?? schema["additionalProperties"] else { continue }
                found += patterns(member, memberSchema, root: root, path: path + "/" + key, depth: depth + 1)
            }
        }
        if let items = value.arrayValue, let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() {
                found += patterns(item, itemSchema, root: root, path: path + "/\(index)", depth: depth + 1)
            }
        }
        return found
    }

    /// `mcp-run validate` accepts the block, written next to the file it is in (so that paths in
    /// it are taken as the docs mean them).
    static func expectValid(_ block: Block) async throws {
        let path: String
        if block.file.hasPrefix("workflows/") {
            path = block.file
        } else {
            path = try temporaryDirectory("docs-block") + "/block.yaml"
            try block.text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let validated = try await runMCPRun(["validate", path])
        #expect(validated.exitCode == 0, "\(block): \(validated)\n\(block.text)")
    }
}
