/// Why a static model could not be made, loaded or saved.
public enum StaticModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The folder lacks a file or holds one that is not what model2vec writes.
    case invalidFolder(path: String, reason: String)
    /// The parts disagree: table rows and tokenizer ids, widths, special tokens.
    case mismatch(String)
    /// A setting out of its range.
    case invalidSetting(String)

    public var description: String {
        switch self {
        case .invalidFolder(let path, let reason): "\(path): \(reason)"
        case .mismatch(let reason): "the static model's parts disagree: \(reason)"
        case .invalidSetting(let reason): "invalid static-model setting: \(reason)"
        }
    }
}
