import Basics
import YAML

extension Read {
    /// Reports every number under `node` that is not finite (YAML's `.inf`, `-.inf`, `.nan`, or a
    /// literal too large for a double): JSON has no such numbers, so the value could not be sent
    /// or written. `what` names the value in the message (`input 'x' default`, `a value`).
    static func checkFinite(_ node: YAMLNode, _ what: String, _ problems: inout ProblemCollector) {
        switch node.kind {
        case .scalar(let scalar):
            guard case .double(let number) = scalar.value, !number.isFinite else { return }
            let name = number.isNaN ? "NaN" : (number < 0 ? "-Infinity" : "Infinity")
            problems.add(
                .invalidValue(what), "\(what) '\(scalar.text)' is \(name), which JSON cannot carry",
                at: node.location, hint: "give a finite number (or quote it to make it text)")
        case .sequence(let elements):
            for element in elements { checkFinite(element, what, &problems) }
        case .mapping(let entries):
            for entry in entries { checkFinite(entry.value, what, &problems) }
        }
    }
}
