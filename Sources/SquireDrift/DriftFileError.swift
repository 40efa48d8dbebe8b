/// A profile, budget or state file that cannot be used; the file on disk is left as it was.
public struct DriftFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What is wrong and what to do.
    public var reason: String

    /// Creates an error from its parts.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
