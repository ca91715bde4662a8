import Basics
import Expressions

/// Where a run's or a one-off command's templates find `secrets` and `env`, and the evaluation
/// context built on them: the one place that resolves secrets and builds that context.
///
/// `secrets.NAME` is the `--secrets` file's value, else the environment variable (contract §4).
/// Every value read is registered with the masker given, so it is masked in every output.
struct TemplateScope {
    /// Values from `--secrets FILE`.
    var secrets: [String: Secret]
    /// The process environment.
    var environment: [String: String]

    /// A secret name to look up, and whether a missing value is an error (an unguarded
    /// `secrets.NAME`) or leaves the name out (one guarded by `default()`).
    struct Lookup {
        var name: String
        var isRequired: Bool
    }

    /// The `secrets` values for `lookups`, looked up in order.
    ///
    /// - Parameters:
    ///   - masker: registers every value found; nil registers nothing.
    ///   - context: the error's context.
    /// - Throws: `RunError` `.invalidInput` at the first required name set nowhere.
    func secretValues(
        _ lookups: [Lookup], masker: SecretMasker?, context: ErrorContext = ErrorContext()
    ) throws(RunError) -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for lookup in lookups {
            if let secret = secrets[lookup.name] {
                values[lookup.name] = .string(secret.withRevealedValue { $0 })
                masker?.add(secret)
            } else if let value = environment[lookup.name] {
                values[lookup.name] = .string(value)
                masker?.add(Secret(value))
            } else if lookup.isRequired {
                throw RunError(
                    code: .invalidInput, message: "secret '\(lookup.name)' is not set",
                    hint: "export \(lookup.name)=… in the environment, or put it in a file passed with --secrets",
                    context: context)
            }
        }
        return values
    }

    /// Every name the `--secrets` file or the environment sets, none required.
    var everyName: [Lookup] {
        Set(secrets.keys).union(environment.keys).sorted().map { Lookup(name: $0, isRequired: false) }
    }

    /// The evaluation context: `secrets` (secret-tainted), `env` as the environment, `inputs`,
    /// empty `steps`, and `workflow` when given.
    func context(
        secrets values: [String: JSONValue], inputs: [String: JSONValue] = [:], workflow: JSONValue? = nil,
        now: @escaping @Sendable () -> Double = { 0 }
    ) -> EvaluationContext {
        var variables: [String: JSONValue] = [
            "inputs": .object(inputs), "secrets": .object(values),
            "env": .object(environment.mapValues { .string($0) }), "steps": .object([:]),
        ]
        if let workflow { variables["workflow"] = workflow }
        return EvaluationContext(variables: variables, secretRoots: ["secrets"], now: now)
    }
}
