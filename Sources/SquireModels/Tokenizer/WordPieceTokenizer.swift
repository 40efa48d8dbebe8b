import Foundation
import SquireCore

/// BERT's WordPiece tokenizer, read from a Hugging Face `tokenizer.json` (or from
/// `vocab.txt` and `tokenizer_config.json`), giving the same ids as HF `tokenizers`.
///
/// The pipeline: special-token strings such as `[CLS]` in the text are matched first, on
/// the raw text; the rest is normalized (``BertNormalizer``), and added tokens marked
/// `normalized` (a static model's multi-word tokens) are matched on that; what is left is
/// split on whitespace and punctuation, cut into the longest vocabulary pieces with `##`
/// continuations, and wrapped as `[CLS] … [SEP]`. Any string is valid input, the empty one
/// included.
public struct WordPieceTokenizer: Sendable {
    let normalizer: BertNormalizer
    let vocabulary: WordPieceVocabulary
    /// Added tokens matched on the raw text, longest first.
    let addedTokens: [(scalars: [Unicode.Scalar], id: Int)]
    let addedTokenStarts: Set<Unicode.Scalar>
    /// Added tokens matched on the normalized text (Hugging Face's `normalized: true`), as
    /// their contents normalize, longest first; empty for BERT's own tokenizers.
    let normalizedAddedTokens: [(scalars: [Unicode.Scalar], id: Int)]
    let normalizedAddedTokenStarts: Set<Unicode.Scalar>
    /// The length a `tokenizer.json` pads every encoding to (`"padding": {"strategy": {"Fixed":
    /// n}}`), nil without fixed padding. Squire's encodings never pad to it; model2vec's
    /// distillation feeds extra words padded to it, so ``StaticDistillation`` needs it.
    package var fixedPaddingLength: Int?
    /// The id of `[CLS]`, prepended to every encoding; nil for a tokenizer that adds no
    /// special tokens (a `tokenizer.json` without a post-processor, as model2vec saves).
    public let classifierID: Int?
    /// The id of `[SEP]`, appended to every encoding; nil with ``classifierID``.
    public let separatorID: Int?
    /// The id of `[UNK]`.
    public let unknownID: Int
    /// The id used for padding in batches.
    public let paddingID: Int
    /// Words longer than this many scalars become `[UNK]` whole.
    public let maximumCharactersPerWord: Int
    /// What marks a piece that continues a word (`##`).
    package let continuingPrefix: String
    /// The most tokens an encoding holds, `[CLS]` and `[SEP]` included; longer texts are truncated.
    public var maximumLength: Int

    /// The number of ids in the vocabulary.
    public var vocabularySize: Int { vocabulary.tokens.count }

    /// Reads the tokenizer of the model folder at `folder`: `tokenizer.json` when present,
    /// else `vocab.txt` with `tokenizer_config.json`.
    ///
    /// `maximumLength` defaults to the folder's `sentence_bert_config.json` `max_seq_length`
    /// (256 for all-MiniLM-L6-v2), which overrides the truncation inside `tokenizer.json`.
    public init(folder: String, maximumLength: Int? = nil) throws {
        let manager = FileManager.default
        let length = try maximumLength ?? Self.sentenceTransformersLength(folder: folder)
        if manager.fileExists(atPath: folder + "/tokenizer.json") {
            try self.init(tokenizerJSON: folder + "/tokenizer.json", maximumLength: length ?? 512)
        } else if manager.fileExists(atPath: folder + "/vocab.txt") {
            try self.init(
                vocabularyFile: folder + "/vocab.txt", configuration: folder + "/tokenizer_config.json",
                maximumLength: length)
        } else {
            throw TokenizerError.missingFiles(folder: folder)
        }
    }

    /// Reads a Hugging Face `tokenizer.json`.
    public init(tokenizerJSON path: String, maximumLength: Int = 512) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TokenizerError.invalidFile(file: path, reason: "cannot read the file; check the path")
        }
        let file: TokenizerFile
        do { file = try JSONDecoder().decode(TokenizerFile.self, from: data) } catch {
            throw TokenizerError.invalidFile(
                file: path, reason: "not a tokenizer.json: \(DecodingError.summary(of: error, decoding: data))")
        }
        guard file.model.type == "WordPiece" else {
            throw TokenizerError.unsupported(file: path, feature: "model type \(file.model.type)")
        }
        var normalizer = BertNormalizer(
            cleanText: false, handleChineseCharacters: false, stripAccents: false, lowercase: false)
        if let spec = file.normalizer {
            guard spec.type == "BertNormalizer" else {
                throw TokenizerError.unsupported(file: path, feature: "normalizer \(spec.type)")
            }
            normalizer = BertNormalizer(
                cleanText: spec.cleanText ?? true, handleChineseCharacters: spec.handleChineseCharacters ?? true,
                stripAccents: spec.stripAccents ?? (spec.lowercase ?? true), lowercase: spec.lowercase ?? true)
        }
        if let spec = file.preTokenizer, spec.type != "BertPreTokenizer" {
            throw TokenizerError.unsupported(file: path, feature: "pre-tokenizer \(spec.type)")
        }
        // lstrip and rstrip only move the whitespace beside a match out of the neighbouring
        // text, which the pre-tokenizer drops anyway: they change no id. single_word would.
        for token in file.addedTokens where token.singleWord {
            throw TokenizerError.unsupported(file: path, feature: "added token \"\(token.content)\" with single_word")
        }
        let vocabulary = file.model.vocabulary
        func id(_ token: String) throws -> Int {
            guard let id = vocabulary[token] ?? file.addedTokens.first(where: { $0.content == token })?.id else {
                throw TokenizerError.missingToken(file: path, token: token)
            }
            return id
        }
        // Without a post-processor the tokenizer adds no special tokens, as Hugging Face's does.
        var classifier: String? = nil
        var separator: String? = nil
        if let processor = file.postProcessor {
            switch processor.type {
            case "TemplateProcessing":
                let pieces = processor.single ?? []
                guard pieces.count == 3, case .special(let first) = pieces[0], case .sequence = pieces[1],
                    case .special(let last) = pieces[2]
                else {
                    throw TokenizerError.unsupported(
                        file: path, feature: "a single-sequence template other than [special] $A [special]")
                }
                (classifier, separator) = (first, last)
            case "BertProcessing":
                guard let cls = processor.classifier, let sep = processor.separator else {
                    throw TokenizerError.invalidFile(file: path, reason: "BertProcessing without cls and sep")
                }
                (classifier, separator) = (cls.token, sep.token)
            default:
                throw TokenizerError.unsupported(file: path, feature: "post-processor \(processor.type)")
            }
        }
        let unknown = file.model.unknownToken ?? "[UNK]"
        try self.init(
            normalizer: normalizer, vocabulary: vocabulary,
            continuingPrefix: file.model.continuingSubwordPrefix ?? "##",
            addedTokens: file.addedTokens.filter { !$0.normalized }.map { ($0.content, $0.id) },
            normalizedAddedTokens: file.addedTokens.filter(\.normalized).map { ($0.content, $0.id) },
            classifierID: try classifier.map(id), separatorID: try separator.map(id), unknownID: try id(unknown),
            paddingID: vocabulary["[PAD]"] ?? 0,
            maximumCharactersPerWord: file.model.maxInputCharactersPerWord ?? 100, maximumLength: maximumLength)
        fixedPaddingLength = file.padding?.fixedLength
    }

    /// Reads a `vocab.txt` (one token per line, the line number its id) and the options
    /// in `tokenizer_config.json`, when that file exists.
    public init(vocabularyFile path: String, configuration configurationPath: String? = nil, maximumLength: Int? = nil)
        throws
    {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TokenizerError.invalidFile(file: path, reason: "cannot read it as UTF-8 text")
        }
        var vocabulary: [String: Int] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if token.isEmpty, index > 0 { continue }
            if vocabulary[token] == nil { vocabulary[token] = index }
        }
        var configuration: TokenizerConfigFile?
        if let configurationPath, FileManager.default.fileExists(atPath: configurationPath) {
            do {
                configuration = try JSONDecoder().decode(
                    TokenizerConfigFile.self, from: Data(contentsOf: URL(fileURLWithPath: configurationPath)))
            } catch {
                throw TokenizerError.invalidFile(file: configurationPath, reason: "not a tokenizer_config.json")
            }
        }
        let lowercase = configuration?.doLowerCase ?? true
        func id(_ token: String) throws -> Int {
            guard let id = vocabulary[token] else { throw TokenizerError.missingToken(file: path, token: token) }
            return id
        }
        let specials = [
            configuration?.paddingToken ?? "[PAD]", configuration?.unknownToken ?? "[UNK]",
            configuration?.classifierToken ?? "[CLS]", configuration?.separatorToken ?? "[SEP]",
            configuration?.maskToken ?? "[MASK]",
        ]
        try self.init(
            normalizer: BertNormalizer(
                cleanText: true, handleChineseCharacters: configuration?.tokenizeChineseCharacters ?? true,
                stripAccents: configuration?.stripAccents ?? lowercase, lowercase: lowercase),
            vocabulary: vocabulary, continuingPrefix: "##",
            addedTokens: specials.compactMap { token in vocabulary[token].map { (token, $0) } },
            classifierID: try id(specials[2]), separatorID: try id(specials[3]), unknownID: try id(specials[1]),
            paddingID: vocabulary[specials[0]] ?? 0, maximumCharactersPerWord: 100,
            maximumLength: maximumLength ?? min(configuration?.modelMaxLength ?? 512, 512))
    }

    init(
        normalizer: BertNormalizer, vocabulary: [String: Int], continuingPrefix: String,
        addedTokens: [(String, Int)], normalizedAddedTokens: [(String, Int)] = [], classifierID: Int?,
        separatorID: Int?, unknownID: Int, paddingID: Int,
        maximumCharactersPerWord: Int, maximumLength: Int
    ) throws {
        self.normalizer = normalizer
        // Swift compares Strings by canonical equivalence, so two tokens that differ only in
        // Unicode composition would share one dictionary key and one id would vanish.
        guard Set(vocabulary.values).count == vocabulary.count,
            vocabulary.values.allSatisfy({ $0 >= 0 && $0 < vocabulary.count })
        else {
            throw TokenizerError.invalidFile(
                file: "(vocabulary)",
                reason:
                    "token ids are not 0..<\(vocabulary.count) without gaps; the vocabulary may hold canonically equivalent tokens"
            )
        }
        var merged = vocabulary
        let everyAddedToken = addedTokens + normalizedAddedTokens
        for (token, id) in everyAddedToken where merged[token] == nil { merged[token] = id }
        // An added token keeps its vocabulary id, and a new one takes an id past the
        // vocabulary's: any other id encodes a token to an id the embedding matrix lacks, or
        // one token to two ids.
        guard everyAddedToken.allSatisfy({ merged[$0.0] == $0.1 }), Set(merged.values).count == merged.count,
            merged.values.allSatisfy({ $0 >= 0 && $0 < merged.count })
        else {
            throw TokenizerError.invalidFile(
                file: "(added tokens)",
                reason:
                    "added tokens must keep their vocabulary ids, and new ones take the ids after the vocabulary's, without gaps"
            )
        }
        self.vocabulary = WordPieceVocabulary(merged, continuingPrefix: continuingPrefix)
        self.continuingPrefix = continuingPrefix
        self.addedTokens = addedTokens.filter { !$0.0.isEmpty }
            .map { (Array($0.0.unicodeScalars), $0.1) }
            .sorted { $0.scalars.count > $1.scalars.count }
        addedTokenStarts = Set(self.addedTokens.compactMap(\.scalars.first))
        // Hugging Face matches a normalized added token by its normalized content.
        self.normalizedAddedTokens = normalizedAddedTokens.map { (token, id) in
            var scalars: [Unicode.Scalar] = []
            for scalar in token.unicodeScalars { normalizer.normalize(scalar, into: &scalars) }
            return (scalars, id)
        }
        .filter { !$0.0.isEmpty }
        .sorted { $0.0.count > $1.0.count }
        normalizedAddedTokenStarts = Set(self.normalizedAddedTokens.compactMap(\.scalars.first))
        self.classifierID = classifierID
        self.separatorID = separatorID
        self.unknownID = unknownID
        self.paddingID = paddingID
        self.maximumCharactersPerWord = maximumCharactersPerWord
        guard (classifierID == nil) == (separatorID == nil) else {
            throw TokenizerError.invalidFile(
                file: "(configuration)", reason: "a tokenizer adds both [CLS] and [SEP], or neither")
        }
        guard maximumLength >= (classifierID == nil ? 1 : 2) else {
            throw TokenizerError.invalidFile(
                file: "(configuration)", reason: "maximum length \(maximumLength) leaves no room for [CLS] and [SEP]")
        }
        self.maximumLength = maximumLength
    }

    /// The `max_seq_length` of a sentence-transformers folder, if it states one.
    private static func sentenceTransformersLength(folder: String) throws -> Int? {
        let path = folder + "/sentence_bert_config.json"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        struct Config: Decodable {
            var maximumLength: Int?
            enum CodingKeys: String, CodingKey { case maximumLength = "max_seq_length" }
        }
        do {
            return try JSONDecoder().decode(Config.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                .maximumLength
        } catch {
            throw TokenizerError.invalidFile(file: path, reason: "not a sentence_bert_config.json")
        }
    }

    /// The token string of `id`, or nil outside the vocabulary.
    public func token(for id: Int) -> String? {
        vocabulary.tokens.indices.contains(id) ? vocabulary.tokens[id] : nil
    }

    /// The id of `token`, or nil when it is not in the vocabulary.
    public func id(for token: String) -> Int? { vocabulary.ids[token] }
}
