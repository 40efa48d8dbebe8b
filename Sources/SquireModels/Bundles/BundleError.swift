/// Why a model bundle could not be loaded or saved; each case names the file.
public enum BundleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A file the bundle needs, or one its manifest lists, is not there.
    case missingFile(String)
    /// A file's SHA-256 differs from the manifest's: it was changed or damaged after saving.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// A file's size differs from the manifest's: typically a truncated copy.
    case sizeMismatch(file: String, expected: Int, actual: Int)
    /// The manifest or configuration is malformed or from an unsupported format version.
    case invalidFile(file: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            "\(path) is missing from the bundle; copy the whole bundle folder"
        case .checksumMismatch(let file, let expected, let actual):
            "\(file) was changed after the bundle was saved (SHA-256 \(actual.prefix(12))…, manifest says \(expected.prefix(12))…); restore it or retrain"
        case .sizeMismatch(let file, let expected, let actual):
            "\(file) has \(actual) bytes but the manifest says \(expected); it is truncated or damaged"
        case .invalidFile(let file, let reason):
            "\(file): \(reason)"
        }
    }
}
