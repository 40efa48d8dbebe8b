import Foundation
import SquireCore

/// A report, gate, suite or plan file that cannot be used, with what to fix.
public struct EvalFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What is wrong, naming the field at fault when one is.
    public var reason: String

    /// Creates an error from its parts.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// Describes a decoding failure of `data` by the JSON path it happened at.
    init(path: String, decodingError error: any Error, data: Data) {
        self.path = path
        reason = DecodingError.summary(of: error, decoding: data)
    }

    public var description: String { "\(path): \(reason)" }
}
