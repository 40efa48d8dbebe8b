public import Foundation

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
        case .typeMismatch(let type, let context):
            return "\(location(context.codingPath)) must be \(Self.jsonName(of: type))"
        case .valueNotFound(let type, let context):
            return "\(location(context.codingPath)) must be \(Self.jsonName(of: type)), found null"
        case .dataCorrupted(let context):
            let detail = context.underlyingError != nil ? "not valid JSON" : context.debugDescription
            return context.codingPath.isEmpty ? detail : "\(location(context.codingPath)): \(detail)"
        @unknown default: return "not valid JSON"
        }
    }

    /// What went wrong decoding `data`, in one line: text that is not UTF-8 says so (a JSON
    /// parser would call it "not valid JSON"), anything else is the decoding error's summary.
    public static func summary(of error: any Error, decoding data: Data) -> String {
        var bytes = data.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar): offset += scalar.count
            case .error: return "not valid UTF-8 text (at byte \(offset)); save the file as UTF-8"
            case .emptyInput: return (error as? DecodingError)?.summary ?? "not valid JSON"
            }
        }
    }

    /// A Swift type in JSON's words: users write JSON, not `Dictionary<String, Any>`.
    static func jsonName(of type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Dictionary") { return "an object" }
        if name.hasPrefix("Array") { return "a list" }
        switch name {
        case "String": return "a string"
        case "Bool": return "true or false"
        case "Int", "Int64", "Int32", "UInt64", "UInt32", "UInt8", "UInt": return "a whole number"
        case "Double", "Float": return "a number"
        default: return "a \(name.lowercased())"
        }
    }
}
