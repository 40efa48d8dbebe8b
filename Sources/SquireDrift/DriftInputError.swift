/// Input a drift statistic, profile or monitor cannot use, with what to do.
public enum DriftInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A sample or window with nothing in it.
    case empty(String)
    /// A NaN or infinite value where numbers are needed.
    case nonFinite(String)
    /// A label the reference profile has never seen, where it must know it: a prediction (the
    /// profile is of another model), or a true label in the validation data.
    case unknownLabel(String, known: [String])
    /// Vectors whose dimensions do not match.
    case dimensionMismatch(expected: Int, actual: Int)
    /// A setting outside its range.
    case invalidSetting(String)
    /// A stream that does not begin with the `consumed` observations a resumed monitor's state
    /// has already taken — shorter than that (it has `available`), or different in them: the
    /// input was replaced or rewritten since the state was saved.
    case streamMismatch(consumed: Int, available: Int)

    public var description: String {
        switch self {
        case .empty(let what): "the \(what) is empty; a drift check needs at least one value on each side"
        case .nonFinite(let what): "the \(what) holds NaN or infinite values; drop or repair them before checking drift"
        case .unknownLabel(let label, let known):
            "the label \"\(label)\" is not in the reference profile's labels (\(known.prefix(8).joined(separator: ", "))\(known.count > 8 ? ", …" : "")); rebuild the profile for this model"
        case .dimensionMismatch(let expected, let actual): "expected vectors of dimension \(expected), got \(actual)"
        case .invalidSetting(let reason): reason
        case .streamMismatch(let consumed, let available) where available < consumed:
            "the monitor state has consumed \(consumed) observations but the stream has only \(available): the input was replaced or truncated since the state was saved; give the input the state was made from, or start a new state"
        case .streamMismatch(let consumed, _):
            "the first \(consumed) observations of the stream are not the ones the monitor state consumed: the input was replaced or rewritten since the state was saved; give the input the state was made from, or start a new state"
        }
    }

    static func checkSample(_ values: [Double], name: String) throws {
        guard !values.isEmpty else { throw DriftInputError.empty("\(name) sample") }
        guard values.allSatisfy(\.isFinite) else { throw DriftInputError.nonFinite("\(name) sample") }
    }
}
