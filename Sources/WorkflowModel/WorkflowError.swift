import Basics

/// A problem with a workflow or server definition, found before any server is started.
package struct WorkflowError: UserFacingError {
    /// What kind of problem it is.
    package enum Code: Sendable, Hashable {
        case yaml
        case missingKey(String)
        case unknownKey(String)
        case wrongType(String)
        case invalidValue(String)
        case duplicateStepID(String)
        case unknownServer(String)
        case unknownStep(String)
        case laterStep(String)
        case dependencyCycle([String])
        case expression
        case unknownInput(String)
        case fileNotReadable(String)
    }

    package var code: Code
    package var message: String
    package var hint: String?
    package var context: ErrorContext
    package var underlying: (any Error)?

    /// Creates the error.
    package init(
        code: Code, message: String, hint: String? = nil, context: ErrorContext = ErrorContext(),
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.context = context
        self.underlying = underlying
    }
}

/// Every problem found in one pass over a workflow, in file order.
package struct WorkflowProblems: Error, Sendable, CustomStringConvertible {
    /// The problems, sorted by location.
    package var problems: [WorkflowError]

    /// Creates the list.
    package init(_ problems: [WorkflowError]) {
        self.problems = problems.sorted { a, b in
            let la = a.context.location
            let lb = b.context.location
            return (la?.file ?? "", la?.line ?? 0, la?.column ?? 0) < (lb?.file ?? "", lb?.line ?? 0, lb?.column ?? 0)
        }
    }

    /// One line per problem.
    package var description: String { problems.map(\.description).joined(separator: "\n") }
}
