import Basics
import Expressions
import Testing

/// 2026-11-24T07:00:00Z.
let fixedNow: Double = 1_795_503_600

/// The context every table evaluates against: a small picture of a running workflow.
let sampleContext = EvaluationContext(
    variables: [
        "inputs": ["project": "ENG", "days": 1, "ratio": 0.5, "empty": "", "zero": 0, "raw": #"{"a":[1,2]}"#],
        "env": ["HOME": "/home/ci"],
        "secrets": ["TOKEN": "t0k3n-fake", "NAME": "project"],
        "steps": [
            "site": ["status": "succeeded", "json": [["id": "cloud-1", "name": "acme"]]],
            "search": [
                "status": "succeeded",
                "json": [
                    "total": 2,
                    "issues": [
                        ["key": "ENG-1", "fields": ["summary": "first"], "labels": ["a", "b"]],
                        ["key": "ENG-2", "fields": ["summary": "second"], "labels": ["c"]],
                    ],
                ],
            ],
            "other": ["json": ["total": 0, "isLast": true]],
            "nothing": ["json": nil, "text": ""],
            "fetch-data": ["status": "skipped"],
        ],
        "item": ["name": "x"],
        "index": 3,
    ],
    secretRoots: ["secrets"],
    now: { fixedNow })

/// Parses and evaluates a template against `sampleContext`.
func evaluate(_ template: String, in context: EvaluationContext = sampleContext) throws -> Evaluated {
    try Template.parse(template).evaluate(in: context)
}

/// The value of `${{ expression }}`.
func value(of expression: String) throws -> JSONValue {
    try evaluate("${{ \(expression) }}").value
}

/// The error that parsing or evaluating `template` throws, if any.
func failure(of template: String, in context: EvaluationContext = sampleContext) -> ExpressionError? {
    do {
        _ = try Template.parse(template).evaluate(in: context)
        return nil
    } catch {
        return error
    }
}
