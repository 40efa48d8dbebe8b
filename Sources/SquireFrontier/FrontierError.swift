/// Configuration problems of a frontier client. Failures of calls are `ModelError`s
/// (timed out, unavailable, invalid response, unknown label), like any model's. No error
/// carries the API key.
public enum FrontierError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The API key's environment variable is unset or empty.
    case missingAPIKey(variable: String)
    /// A setting outside its range.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .missingAPIKey(let variable):
            "the environment variable \(variable) holds no API key; export it before starting"
        case .invalidConfiguration(let reason): "invalid frontier configuration: \(reason)"
        }
    }
}
