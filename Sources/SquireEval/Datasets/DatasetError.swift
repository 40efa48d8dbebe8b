/// A dataset file that cannot be used, with the place at fault and what to do.
public struct DatasetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, or a name for in-memory data.
    public var source: String
    /// The 1-based line (JSON Lines) or record start line (CSV), when one is at fault.
    public var line: Int?
    /// What is wrong.
    public var reason: String

    /// Creates an error from its parts.
    public init(source: String, line: Int? = nil, reason: String) {
        self.source = source
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(source)\(line.map { ":\($0)" } ?? ""): \(reason)" }
}
