import Basics

/// The workflow file's JSON Schema (draft 2020-12), for editors' YAML language servers (`mcp-run schema`).
///
/// Built from the same key lists the decoder checks, so the two cannot drift apart.
package enum WorkflowSchema {
    /// The schema document.
    package static var document: JSONValue {
        // `expect` (like `if` and `foreach`) takes a bare expression or the `${{ }}` form.
        let expression: JSONValue = [
            "type": "string", "description": "an expression, bare (`result.total > 0`) or as `${{ … }}`",
        ]
        let stringOrTemplate: JSONValue = ["type": "string"]
        let milliseconds: JSONValue = ["type": "integer", "minimum": 1, "description": "milliseconds"]
        let retry: JSONValue = [
            "type": "object", "additionalProperties": false,
            "properties": [
                "attempts": ["type": "integer", "minimum": 1], "backoff": ["type": "integer", "minimum": 0],
            ],
        ]
        let oauthProperties: [String: JSONValue] = [
            "clientId": stringOrTemplate, "clientSecret": stringOrTemplate, "clientMetadataUrl": ["type": "string"],
            "resource": ["type": "string"], "scopes": ["type": "array", "items": ["type": "string"]],
            "metadataUrl": ["type": "string"],
            "flow": .object(["enum": .array(ServerSpec.OAuth.Flow.allCases.map { .string($0.rawValue) })]),
            "tokenEndpointAuthMethod": .object([
                "enum": .array(ServerSpec.OAuth.TokenEndpointAuthMethod.allCases.map { .string($0.rawValue) })
            ]),
            "redirectPort": ["type": "integer", "minimum": 1, "maximum": 65535],
        ]
        let serverProperties: [String: JSONValue] = [
            "url": stringOrTemplate,
            "transport": .object(["enum": .array(ServerSpec.Transport.allCases.map { .string($0.rawValue) })]),
            "command": ["type": "string"], "args": ["type": "array", "items": ["type": "string"]],
            "env": ["type": "object", "additionalProperties": ["type": "string"]], "cwd": ["type": "string"],
            "headers": ["type": "object", "additionalProperties": ["type": "string"]],
            "authType": .object(["enum": .array(ServerSpec.AuthType.allCases.map { .string($0.rawValue) })]),
            "apiKey": stringOrTemplate, "apiKeyHeader": ["type": "string"], "token": stringOrTemplate,
            "username": stringOrTemplate, "password": stringOrTemplate,
            "oauth": .object(["type": "object", "additionalProperties": false, "properties": .object(oauthProperties)]),
            "timeout": milliseconds,
            "protocolVersion": .object(["enum": .array(ServerSpec.protocolVersions.map { .string($0) })]),
        ]
        let outputs: JSONValue = ["type": "object", "additionalProperties": true]
        let stepProperties: [String: JSONValue] = [
            "id": ["type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_-]*$"], "server": ["type": "string"],
            "tool": ["type": "string"], "resource": ["type": "string"], "prompt": ["type": "string"],
            "arguments": ["type": "object"], "if": ["type": ["string", "boolean"]], "foreach": ["type": "string"],
            "concurrency": ["type": "integer", "minimum": 1],
            "needs": ["type": ["array", "string"], "items": ["type": "string"]], "timeout": milliseconds,
            "retry": retry, "continue-on-error": ["type": "boolean"], "outputs": outputs, "expect": expression,
            "task": ["type": "boolean"],
        ]
        let inputProperties: [String: JSONValue] = [
            "type": .object(["enum": .array(InputSpec.Kind.allCases.map { .string($0.rawValue) })]),
            "default": true, "description": ["type": "string"], "required": ["type": "boolean"],
        ]
        let topProperties: [String: JSONValue] = [
            "name": ["type": "string"], "description": ["type": "string"],
            "inputs": .object([
                "type": "object",
                "additionalProperties": .object([
                    "type": "object", "additionalProperties": false, "properties": .object(inputProperties),
                ]),
            ]),
            "servers": .object(["type": "object", "additionalProperties": ["$ref": "#/$defs/server"]]),
            "env": ["type": "object"],
            "defaults": .object([
                "type": "object", "additionalProperties": false,
                "properties": .object(["timeout": milliseconds, "retry": retry]),
            ]),
            "concurrency": ["type": "integer", "minimum": 1],
            "steps": ["type": "array", "items": ["$ref": "#/$defs/step"]],
            "outputs": outputs, "output": ["type": "string"],
            "elicitation": [
                "type": "array",
                "items": [
                    "type": "object", "additionalProperties": false,
                    "properties": [
                        "match": ["type": "string"],
                        "action": ["enum": .array(ElicitationRule.Action.allCases.map { .string($0.rawValue) })],
                        "content": ["type": "object"],
                    ],
                ],
            ],
        ]
        assert(Set(topProperties.keys) == Set(WorkflowLoader.topLevelKeys), "schema and decoder top-level keys agree")
        assert(Set(stepProperties.keys) == Set(WorkflowLoader.stepKeys), "schema and decoder step keys agree")
        assert(Set(serverProperties.keys) == Set(ServerKeys.all), "schema and decoder server keys agree")
        return .object([
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://mcp-run.dev/schema/workflow.json",
            "title": "mcp-run workflow",
            "type": "object", "additionalProperties": false, "required": ["steps"],
            "properties": .object(topProperties),
            "$defs": .object([
                "server": .object([
                    "type": "object", "additionalProperties": false, "properties": .object(serverProperties),
                ]),
                "step": .object([
                    "type": "object", "additionalProperties": false, "required": ["server"],
                    "properties": .object(stepProperties),
                ]),
            ]),
        ])
    }
}
