/// The parts of a Hugging Face `tokenizer.json` that a BERT WordPiece tokenizer uses.
///
/// Decoding is strict about what changes the ids (the component types and their
/// options) and ignores what does not (`truncation` and `padding`, which callers set — only
/// a fixed padding length is kept, for ``StaticDistillation`` — and `decoder`). Encoding writes the same parts, with `null` for the components it lacks,
/// as `tokenizers` saves them (a static model's tokenizer, `StaticEmbedder.save(to:)`).
struct TokenizerFile: Codable {
    var addedTokens: [AddedToken]
    var normalizer: Normalizer?
    var preTokenizer: PreTokenizer?
    var postProcessor: PostProcessor?
    var model: Model
    /// Read for ``WordPieceTokenizer/fixedPaddingLength`` only; always written as `null`.
    var padding: Padding? = nil

    enum CodingKeys: String, CodingKey {
        case addedTokens = "added_tokens"
        case padding
        case normalizer
        case preTokenizer = "pre_tokenizer"
        case postProcessor = "post_processor"
        case model
    }

    /// The keys written: the read ones and those `tokenizers` expects beside them.
    private enum WrittenKeys: String, CodingKey {
        case addedTokens = "added_tokens"
        case preTokenizer = "pre_tokenizer"
        case postProcessor = "post_processor"
        case normalizer, model, version, truncation, padding, decoder
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: WrittenKeys.self)
        try container.encode("1.0", forKey: .version)
        try container.encodeNil(forKey: .truncation)
        try container.encodeNil(forKey: .padding)
        try container.encode(addedTokens, forKey: .addedTokens)
        try container.encode(normalizer, forKey: .normalizer)
        try container.encode(preTokenizer, forKey: .preTokenizer)
        try container.encode(postProcessor, forKey: .postProcessor)
        try container.encodeNil(forKey: .decoder)
        try container.encode(model, forKey: .model)
    }

    /// `{"strategy": {"Fixed": 128}, …}` or `{"strategy": "BatchLongest", …}`: only the fixed
    /// length matters to Squire.
    struct Padding: Decodable {
        var fixedLength: Int?

        private enum CodingKeys: String, CodingKey { case strategy }
        private struct Fixed: Decodable {
            var length: Int
            enum CodingKeys: String, CodingKey { case length = "Fixed" }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            fixedLength = (try? container.decodeIfPresent(Fixed.self, forKey: .strategy))?.length
        }
    }

    struct AddedToken: Codable {
        var id: Int
        var content: String
        var singleWord: Bool
        var leftStrip: Bool
        var rightStrip: Bool
        var normalized: Bool
        var special: Bool

        enum CodingKeys: String, CodingKey {
            case id, content, normalized, special
            case singleWord = "single_word"
            case leftStrip = "lstrip"
            case rightStrip = "rstrip"
        }
    }

    struct Normalizer: Codable {
        var type: String
        var cleanText: Bool?
        var handleChineseCharacters: Bool?
        /// `null` means: strip accents exactly when lowercasing.
        var stripAccents: Bool?
        var lowercase: Bool?

        enum CodingKeys: String, CodingKey {
            case type, lowercase
            case cleanText = "clean_text"
            case handleChineseCharacters = "handle_chinese_chars"
            case stripAccents = "strip_accents"
        }
    }

    struct PreTokenizer: Codable {
        var type: String
    }

    struct PostProcessor: Codable {
        var type: String
        /// TemplateProcessing: the single-sequence template.
        var single: [TemplatePiece]?
        /// BertProcessing: `[token, id]` pairs.
        var classifier: TokenAndID?
        var separator: TokenAndID?

        enum CodingKeys: String, CodingKey {
            case type, single
            case classifier = "cls"
            case separator = "sep"
        }
    }

    /// `{"SpecialToken": {"id": "[CLS]", "type_id": 0}}` or `{"Sequence": {"id": "A", "type_id": 0}}`.
    enum TemplatePiece: Codable {
        case special(String)
        case sequence

        struct Reference: Codable { var id: String }
        enum CodingKeys: String, CodingKey {
            case special = "SpecialToken"
            case sequence = "Sequence"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let special = try container.decodeIfPresent(Reference.self, forKey: .special) {
                self = .special(special.id)
            } else if try container.decodeIfPresent(Reference.self, forKey: .sequence) != nil {
                self = .sequence
            } else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "a template piece is neither SpecialToken nor Sequence"))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .special(let id): try container.encode(Reference(id: id), forKey: .special)
            case .sequence: try container.encode(Reference(id: "A"), forKey: .sequence)
            }
        }
    }

    /// A `["[CLS]", 101]` pair.
    struct TokenAndID: Codable {
        var token: String
        var id: Int

        init(token: String, id: Int) {
            self.token = token
            self.id = id
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            try container.encode(token)
            try container.encode(id)
        }

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            token = try container.decode(String.self)
            id = try container.decode(Int.self)
        }
    }

    struct Model: Codable {
        var type: String
        var unknownToken: String?
        var continuingSubwordPrefix: String?
        var maxInputCharactersPerWord: Int?
        var vocabulary: [String: Int]

        enum CodingKeys: String, CodingKey {
            case type
            case unknownToken = "unk_token"
            case continuingSubwordPrefix = "continuing_subword_prefix"
            case maxInputCharactersPerWord = "max_input_chars_per_word"
            case vocabulary = "vocab"
        }
    }
}

/// The parts of `tokenizer_config.json` used when only `vocab.txt` is present.
struct TokenizerConfigFile: Decodable {
    var doLowerCase: Bool?
    var tokenizeChineseCharacters: Bool?
    var stripAccents: Bool?
    var unknownToken: String?
    var separatorToken: String?
    var paddingToken: String?
    var classifierToken: String?
    var maskToken: String?
    var modelMaxLength: Int?

    enum CodingKeys: String, CodingKey {
        case doLowerCase = "do_lower_case"
        case tokenizeChineseCharacters = "tokenize_chinese_chars"
        case stripAccents = "strip_accents"
        case unknownToken = "unk_token"
        case separatorToken = "sep_token"
        case paddingToken = "pad_token"
        case classifierToken = "cls_token"
        case maskToken = "mask_token"
        case modelMaxLength = "model_max_length"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        doLowerCase = try container.decodeIfPresent(Bool.self, forKey: .doLowerCase)
        tokenizeChineseCharacters = try container.decodeIfPresent(Bool.self, forKey: .tokenizeChineseCharacters)
        stripAccents = try container.decodeIfPresent(Bool.self, forKey: .stripAccents)
        // Special tokens are strings, or {"content": …} objects in newer files.
        func token(_ key: CodingKeys) throws -> String? {
            if let text = try? container.decodeIfPresent(String.self, forKey: key) { return text }
            struct Content: Decodable { var content: String }
            return try container.decodeIfPresent(Content.self, forKey: key)?.content
        }
        unknownToken = try token(.unknownToken)
        separatorToken = try token(.separatorToken)
        paddingToken = try token(.paddingToken)
        classifierToken = try token(.classifierToken)
        maskToken = try token(.maskToken)
        // Some files store a huge float here to mean "no limit".
        modelMaxLength = (try? container.decodeIfPresent(Int.self, forKey: .modelMaxLength)) ?? nil
    }
}
