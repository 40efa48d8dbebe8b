/// A request no model in a route could answer.
public enum RoutingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The local model failed and so did the fallback (or it was not allowed to be called).
    case noAnswer(local: String, fallback: String)
    /// A setting outside its range.
    case invalidSetting(String)

    public var description: String {
        switch self {
        case .noAnswer(let local, let fallback):
            "no model could answer: the local model failed (\(local)) and the fallback failed (\(fallback))"
        case .invalidSetting(let reason): reason
        }
    }
}
