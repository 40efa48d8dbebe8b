/// Why a model bundle could not be loaded or saved; each case names the file.
public enum BundleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A file the bundle needs, or one its manifest lists, is not there.
    case missingFile(String)
    /// A file's SHA-256 differs from the manifest's: it was changed or damaged after saving.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// A file's size differs from the manifest's: typically a truncated copy.
    case sizeMismatch(file: String, expected: Int, actual: Int)
    /// The manifest or configuration is malformed.
    case invalidFile(file: String, reason: String)
    /// The folder is not a bundle Squire wrote: it has no `manifest.json`.
    case notABundle(folder: String)
    /// The bundle's file has a format this Squire does not read, typically because a newer
    /// Squire wrote it.
    case unsupportedFormat(file: String, format: String, supported: String)
    /// `config.json` names a kind of model this Squire does not know.
    case unknownKind(file: String, kind: String, known: [String])

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
        case .notABundle(let folder):
            "\(folder) is not a Squire bundle (it has no manifest.json); train one with `squire train`, or copy the whole bundle folder"
        case .unsupportedFormat(let file, let format, let supported):
            "\(file) has format \"\(format)\", which this Squire does not read (it reads \"\(supported)\"); a newer Squire wrote it: upgrade Squire"
        case .unknownKind(let file, let kind, let known):
            "\(file) names a model of kind \"\(kind)\", which this Squire does not know (it knows \(known.joined(separator: ", "))); upgrade Squire"
        }
    }
}
