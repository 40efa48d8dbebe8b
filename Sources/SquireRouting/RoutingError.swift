/// What went wrong in routing: a request no model could answer, a setting out of range, or a
/// calibration target out of reach.
public enum RoutingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The local model failed and so did the fallback (or it was not allowed to be called).
    case noAnswer(local: String, fallback: String)
    /// A setting outside its range, or input a calculation cannot use, with the reason.
    case invalidSetting(String)
    /// No setting reaches what a calibration was asked for, with the reason.
    case targetUnreachable(String)

    public var description: String {
        switch self {
        case .noAnswer(let local, let fallback):
            "no model could answer: the local model failed (\(local)) and the fallback failed (\(fallback))"
        case .invalidSetting(let reason): reason
        case .targetUnreachable(let reason): reason
        }
    }
}
