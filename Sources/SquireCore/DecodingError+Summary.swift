extension DecodingError {
    /// The field at fault and the problem in one line, for errors about user-written JSON
    /// files: `missing "margin" at .non_inferiority`, `.minimums.accuracy must be Double`.
    public var summary: String {
        func location(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch self {
        case .keyNotFound(let key, let context):
            return "missing \"\(key.stringValue)\" at \(location(context.codingPath))"
        case .typeMismatch(let type, let context): return "\(location(context.codingPath)) must be \(type)"
        case .valueNotFound(let type, let context): return "\(location(context.codingPath)) must be \(type), found null"
        case .dataCorrupted(let context):
            let detail = context.underlyingError != nil ? "not valid JSON" : context.debugDescription
            return context.codingPath.isEmpty ? detail : "\(location(context.codingPath)): \(detail)"
        @unknown default: return "not valid JSON"
        }
    }
}
