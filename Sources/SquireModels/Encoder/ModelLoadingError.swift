/// Why a model folder could not be loaded; each case names the file.
public enum ModelLoadingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A file the model needs is missing.
    case missingFile(String)
    /// A configuration file is malformed or asks for something unsupported.
    case invalidConfiguration(file: String, reason: String)
    /// Parts assembled in code do not fit each other (a tokenizer and an encoder of
    /// different vocabularies).
    case incompatibleParts(String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            "\(path) is missing; fetch the model with Scripts/setup/fetch-model.sh or point SQUIRE_MODEL_DIR at its folder"
        case .invalidConfiguration(let file, let reason): "\(file): \(reason)"
        case .incompatibleParts(let reason): reason
        }
    }
}
