/// Why a tokenizer could not be built; each case names the file at fault.
public enum TokenizerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No `tokenizer.json`, nor `vocab.txt`, in the folder.
    case missingFiles(folder: String)
    /// A file could not be read or parsed, with the reason.
    case invalidFile(file: String, reason: String)
    /// The file asks for a component or option Squire does not implement.
    case unsupported(file: String, feature: String)
    /// A token the configuration relies on is not in the vocabulary.
    case missingToken(file: String, token: String)

    public var description: String {
        switch self {
        case .missingFiles(let folder):
            "\(folder): no tokenizer.json or vocab.txt; point Squire at a model folder (see Scripts/setup/fetch-model.sh)"
        case .invalidFile(let file, let reason): "\(file): \(reason)"
        case .unsupported(let file, let feature):
            "\(file): \(feature) is not supported; Squire reads BERT WordPiece tokenizers (BertNormalizer, BertPreTokenizer, WordPiece)"
        case .missingToken(let file, let token): "\(file): the vocabulary has no \"\(token)\" token"
        }
    }
}
