/// Why a version store refused an operation; nothing was changed.
public enum ModelVersionsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No version of that name is stored.
    case unknownVersion(String, known: [String])
    /// There is no live version yet; promote one first.
    case nothingLive
    /// There is no version before the live one to roll back to.
    case nothingToRollBackTo(live: String)
    /// The live pointer file cannot be read.
    case damagedPointer(path: String, reason: String)
    /// A line of the history before its last cannot be read.
    case damagedHistory(path: String, line: Int)

    public var description: String {
        switch self {
        case .unknownVersion(let version, let known):
            "no version \(version) is stored (stored: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        case .nothingLive: "no version is live yet; promote one first"
        case .nothingToRollBackTo(let live):
            "\(live) is live and no version was live before it; nothing to roll back to"
        case .damagedPointer(let path, let reason):
            "\(path) cannot be read (\(reason)); restore it from history.jsonl's last promotion"
        case .damagedHistory(let path, let line):
            "\(path):\(line) is not a version event; the live pointer still decides what is served"
        }
    }
}
