/// Errors of SquireData's labelling, generation, verification and distillation, each
/// saying what to do.
public enum DataError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A setting that cannot work, with the reason.
    case invalidConfiguration(String)
    /// Input data that cannot be used, with the reason.
    case invalidInput(String)
    /// A labelling journal that cannot be resumed from.
    case journal(_ path: String, reason: String)
    /// A file that could not be read or written.
    case file(_ path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid configuration: \(reason)"
        case .invalidInput(let reason): "invalid input: \(reason)"
        case .journal(let path, let reason): "\(path): cannot resume from this journal: \(reason)"
        case .file(let path, let reason): "\(path): \(reason)"
        }
    }
}
