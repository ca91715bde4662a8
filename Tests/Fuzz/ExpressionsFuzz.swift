/// libFuzzer harness: the expression lexer, parser and evaluator. The input is parsed as a template
/// (`text ${{ expression }} text`) and as a bare expression; whatever parses is evaluated against a
/// small fixed context, like the one the runner builds.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput(data, size).text
    if let template = try? Template.parse(text) {
        _ = (template.isLiteral, template.isSingleExpression, template.references, template.text)
        _ = try? template.evaluate(in: fuzzContext)
    }
    if let expression = try? Expression.parse(text) {
        _ = expression.references
        _ = try? expression.evaluate(in: fuzzContext)
        _ = try? expression.evaluate(in: fuzzStatusContext)  // an `if`: the status functions answer
    }
    return 0
}

/// A running workflow in miniature: every root the runner provides, a secret, nested steps.
private let fuzzContext = EvaluationContext(
    variables: [
        "inputs": ["project": "ENG", "days": 1, "ratio": 0.5, "empty": "", "zero": 0, "raw": #"{"a":[1,2]}"#],
        "env": ["HOME": "/home/ci"],
        "secrets": ["TOKEN": "t0k3n-fake"],
        "steps": [
            "search": [
                "status": "succeeded",
                "json": ["total": 2, "issues": [["key": "ENG-1", "labels": ["a", "b"]], ["key": "ENG-2"]]],
                "text": "two issues",
            ],
            "nothing": ["json": nil, "text": ""],
        ],
        "item": ["name": "x", "values": [1, 2.5, -3]],
        "index": 3,
        "workflow": ["name": "fuzz"],
    ],
    secretRoots: ["secrets"],
    now: { 1_795_503_600 })

/// The same context as an `if` sees it, after a failed dependency: `success()`, `failure()`,
/// `always()` and `cancelled()` evaluate instead of being refused.
private let fuzzStatusContext: EvaluationContext = {
    var context = fuzzContext
    context.runState = EvaluationContext.RunState(hasFailedDependency: true, isCancelled: false)
    return context
}()
