import Basics
import Expressions

/// A loaded, validated workflow file (contract §3).
package struct Workflow: Sendable {
    package var name: String
    package var description: String?
    /// The path as the user gave it.
    package var file: String
    package var inputs: [InputSpec]
    /// Every server a step may name: the workflow's own, then `--servers`, then `MCP_SERVERS`.
    package var servers: [String: ServerSpec]
    package var env: [String: TemplateValue]
    package var defaults: StepDefaults
    /// How many steps may run at once.
    package var concurrency: Int
    package var steps: [Step]
    package var outputs: [(name: String, value: TemplateValue)]
    /// Where the results document goes, templated; nil for stdout.
    package var output: TemplateValue?
    /// The `elicitation:` rules answering `elicitation/create` requests, in order; empty declines all.
    package var elicitation: [ElicitationRule]

    /// Creates a workflow; the loader normally does, `mcp-run call` builds a one-step one.
    package init(
        name: String, description: String? = nil, file: String, inputs: [InputSpec] = [],
        servers: [String: ServerSpec], env: [String: TemplateValue] = [:], defaults: StepDefaults = StepDefaults(),
        concurrency: Int = 4, steps: [Step], outputs: [(name: String, value: TemplateValue)] = [],
        output: TemplateValue? = nil, elicitation: [ElicitationRule] = []
    ) {
        self.name = name
        self.description = description
        self.file = file
        self.inputs = inputs
        self.servers = servers
        self.env = env
        self.defaults = defaults
        self.concurrency = concurrency
        self.steps = steps
        self.outputs = outputs
        self.output = output
        self.elicitation = elicitation
    }
}

extension Workflow {
    /// `path` (from `output:`) taken from the workflow file's folder; `-` (stdout) is kept
    /// (contract §2, Paths).
    package func resolvingPath(_ path: String) -> String {
        path == "-" ? path : FileFolder.resolve(path, in: FileFolder.of(file))
    }
}

/// A declared input.
package struct InputSpec: Sendable {
    /// The JSON type an input must have.
    package enum Kind: String, Sendable, CaseIterable {
        case string, integer, number, boolean, array, object
    }

    package var name: String
    package var kind: Kind
    package var defaultValue: JSONValue?
    package var isRequired: Bool
    package var description: String?
    package var location: SourceLocation?
}

/// The workflow's `defaults:` block.
package struct StepDefaults: Sendable {
    /// Per-request timeout in milliseconds.
    package var timeout: Int?
    package var retry: RetryPolicy?

    /// No defaults.
    package init(timeout: Int? = nil, retry: RetryPolicy? = nil) {
        self.timeout = timeout
        self.retry = retry
    }
}

/// `retry: { attempts, backoff }`.
package struct RetryPolicy: Sendable, Hashable {
    /// Total attempts, at least 1.
    package var attempts: Int
    /// The first backoff in milliseconds; doubled each time, with jitter.
    package var backoff: Int

    /// Creates a policy.
    package init(attempts: Int, backoff: Int) {
        self.attempts = attempts
        self.backoff = backoff
    }
}

/// One step: a tool call, a resource read or a prompt.
package struct Step: Sendable {
    /// What the step asks the server for.
    package enum Call: Sendable {
        case tool(String)
        case resource(TemplateValue)
        case prompt(String)
    }

    package var id: String
    /// The position in the file, 0-based.
    package var index: Int
    package var server: String
    package var call: Call
    package var arguments: TemplateValue?
    package var condition: TemplateString?
    package var foreach: TemplateString?
    package var needs: [String]
    /// Whether the step has a `needs:` key; `needs: []` means "no dependencies", while no key
    /// means "after the step before it".
    package var hasNeeds: Bool = false
    package var timeout: Int?
    package var retry: RetryPolicy?
    package var continueOnError: Bool
    package var outputs: [(name: String, value: TemplateValue)]
    package var expect: TemplateString?
    package var location: SourceLocation
    /// How many `foreach` iterations may run at once.
    package var foreachConcurrency: Int? = nil
    /// `task:`: whether the tool call declares the Tasks extension, so the server may answer
    /// with a task that is awaited (nil: the default, true); `false` asks for a direct answer.
    package var task: Bool? = nil
    /// Where `server:`, `needs:` and `id:` values stand, for messages.
    package var serverLocation: SourceLocation? = nil
    package var needsLocation: SourceLocation? = nil
    package var idLocation: SourceLocation? = nil

    /// Creates a step; the loader normally does, `mcp-run call` builds one.
    package init(
        id: String, index: Int, server: String, call: Call, arguments: TemplateValue? = nil,
        condition: TemplateString? = nil, foreach: TemplateString? = nil, needs: [String] = [], timeout: Int? = nil,
        retry: RetryPolicy? = nil, continueOnError: Bool = false, outputs: [(name: String, value: TemplateValue)] = [],
        expect: TemplateString? = nil, location: SourceLocation
    ) {
        self.id = id
        self.index = index
        self.server = server
        self.call = call
        self.arguments = arguments
        self.condition = condition
        self.foreach = foreach
        self.needs = needs
        self.timeout = timeout
        self.retry = retry
        self.continueOnError = continueOnError
        self.outputs = outputs
        self.expect = expect
        self.location = location
    }

    /// `tool`, `resource` or `prompt`, for messages.
    package var callDescription: String {
        switch call {
        case .tool(let name): return "tool '\(name)'"
        case .resource: return "resource"
        case .prompt(let name): return "prompt '\(name)'"
        }
    }
}
