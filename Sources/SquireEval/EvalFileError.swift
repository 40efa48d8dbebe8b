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

    /// Describes a `DecodingError` by the JSON path it happened at.
    init(path: String, decodingError error: any Error) {
        self.path = path
        guard let error = error as? DecodingError else {
            reason = "not valid JSON"
            return
        }
        func location(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "the top level" : codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context):
            reason = "missing \"\(key.stringValue)\" at \(location(context.codingPath))"
        case .typeMismatch(let type, let context):
            reason = "\(location(context.codingPath)) must be \(type)"
        case .valueNotFound(let type, let context):
            reason = "\(location(context.codingPath)) must be \(type), found null"
        case .dataCorrupted(let context):
            let detail = context.underlyingError.map { _ in "not valid JSON" } ?? context.debugDescription
            reason = context.codingPath.isEmpty ? detail : "\(location(context.codingPath)): \(detail)"
        @unknown default:
            reason = "not valid JSON"
        }
    }

    public var description: String { "\(path): \(reason)" }
}
