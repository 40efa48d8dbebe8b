/// Errors any model — local or frontier — can throw through the Core protocols.
///
/// Each case says what went wrong and what to do; none carries secrets such as API keys.
public enum ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The model answered a label outside its label set.
    case unknownLabel(_ label: String, known: [String])
    /// The model returned a different number of results than it was given inputs.
    case resultCountMismatch(expected: Int, actual: Int)
    /// A vector had a different dimension than the model states.
    case dimensionMismatch(expected: Int, actual: Int)
    /// A classification was requested from an empty set of probabilities.
    case emptyProbabilities
    /// An input the model cannot process, with the reason.
    case invalidInput(String)
    /// The model did not answer within the allowed time.
    case timedOut(after: Duration)
    /// The model answered something that could not be understood, with a short excerpt.
    case invalidResponse(String)
    /// The model cannot be reached or used now, with the reason.
    case unavailable(String)

    public var description: String {
        switch self {
        case .unknownLabel(let label, let known):
            let shown =
                known.prefix(10).joined(separator: ", ") + (known.count > 10 ? ", … (\(known.count) in all)" : "")
            return "the model answered the label \"\(label)\", which is not one of its labels [\(shown)]"
        case .resultCountMismatch(let expected, let actual):
            return "the model returned \(actual) results for \(expected) inputs; results must match inputs one to one"
        case .dimensionMismatch(let expected, let actual):
            return "expected a vector of dimension \(expected), got \(actual)"
        case .emptyProbabilities:
            return "cannot pick a label from an empty set of probabilities"
        case .invalidInput(let reason):
            return "invalid input: \(reason)"
        case .timedOut(let after):
            return "the model did not answer within \(after); raise the timeout or retry later"
        case .invalidResponse(let excerpt):
            return "the model's answer could not be understood: \(excerpt)"
        case .unavailable(let reason):
            return "the model is unavailable: \(reason)"
        }
    }
}
