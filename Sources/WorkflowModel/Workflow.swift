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
    /// Answers for `elicitation/create` requests, by message or field.
    package var elicitation: JSONValue?
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
    package var timeout: Int?
    package var retry: RetryPolicy?
    package var continueOnError: Bool
    package var outputs: [(name: String, value: TemplateValue)]
    package var expect: TemplateString?
    package var location: SourceLocation
    /// How many `foreach` iterations may run at once.
    package var foreachConcurrency: Int? = nil
    /// Where `server:`, `needs:` and `id:` values stand, for messages.
    package var serverLocation: SourceLocation? = nil
    package var needsLocation: SourceLocation? = nil
    package var idLocation: SourceLocation? = nil

    /// `tool`, `resource` or `prompt`, for messages.
    package var callDescription: String {
        switch call {
        case .tool(let name): return "tool '\(name)'"
        case .resource: return "resource"
        case .prompt(let name): return "prompt '\(name)'"
        }
    }
}
