import Foundation
import SquireModels
import Testing

/// A small tokenizer.json written by the test, so these tests need no downloaded model.
func writeTinyTokenizer(in folder: ScratchFolder, normalizer: String? = nil, model: String = "WordPiece") throws
    -> String
{
    let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "un", "##aff", "##able", "!", "cafe", "東",
        "##s", "a",
    ]
    let entries = vocabulary.enumerated().map { "\"\($1)\": \($0)" }.joined(separator: ", ")
    let added = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].enumerated().map {
        #"{"id": \#($0), "content": "\#($1)", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}"#
    }.joined(separator: ", ")
    let json = """
        {"version": "1.0", "truncation": {"max_length": 128}, "padding": null,
         "added_tokens": [\(added)],
         "normalizer": \(normalizer ?? #"{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true}"#),
         "pre_tokenizer": {"type": "BertPreTokenizer"},
         "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}], "pair": [], "special_tokens": {}},
         "decoder": {"type": "WordPiece"},
         "model": {"type": "\(model)", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 10, "vocab": {\(entries)}}}
        """
    let path = folder.file("tokenizer.json")
    try Data(json.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

@Suite struct WordPieceTokenizerTests {
    let scratch = try! ScratchFolder()
    var tokenizer: WordPieceTokenizer { try! WordPieceTokenizer(tokenizerJSON: writeTinyTokenizer(in: scratch)) }

    func tokens(_ text: String, _ t: WordPieceTokenizer? = nil) -> [String] {
        let t = t ?? tokenizer
        return t.encode(text).ids.map { t.token(for: $0)! }
    }

    @Test func splitsWordsIntoLongestPieces() {
        #expect(tokens("Unaffable hello!") == ["[CLS]", "un", "##aff", "##able", "hello", "!", "[SEP]"])
        #expect(tokens("unknownword") == ["[CLS]", "[UNK]", "[SEP]"])  // one missing piece makes the whole word [UNK]
    }

    @Test func normalizesAccentsCaseControlsAndCJK() {
        #expect(tokens("CAFÉ\u{0007}\u{200B}") == ["[CLS]", "cafe", "[SEP]"])
        #expect(tokens("Cafe\u{0301}") == ["[CLS]", "cafe", "[SEP]"])
        #expect(tokens("a東s") == ["[CLS]", "a", "東", "[UNK]", "[SEP]"])  // ideographs stand alone: "s" starts a word
    }

    @Test func wordsBeyondTheCharacterLimitAreUnknown() {
        #expect(tokens("unaffableunaff") == ["[CLS]", "[UNK]", "[SEP]"])  // 14 scalars > 10
    }

    @Test func matchesSpecialTokensInTheRawText() {
        #expect(tokens("hello[MASK]world") == ["[CLS]", "hello", "[MASK]", "world", "[SEP]"])
        #expect(tokens("[mask]") == ["[CLS]", "[UNK]", "[UNK]", "[UNK]", "[SEP]"])  // case matters before normalization
    }

    @Test func reportsOffsetsIntoTheOriginalString() {
        let encoding = tokenizer.encode("  Unaffable, héllo")
        // [CLS] un ##aff ##able , hello (from "héllo") [SEP]
        #expect(encoding.offsets == [0..<0, 2..<4, 4..<7, 7..<11, 11..<12, 13..<18, 0..<0])
    }

    @Test func truncatesKeepingTheSeparator() {
        var t = tokenizer
        t.maximumLength = 4
        let encoding = t.encode("hello world hello world")
        #expect(encoding.ids.map { t.token(for: $0)! } == ["[CLS]", "hello", "world", "[SEP]"])
        #expect(encoding.truncatedTokenCount == 2)
        #expect(t.encode("hello world hello world", maximumLength: nil).count == 6)
    }

    @Test func padsBatchesWithAMask() {
        let batch = tokenizer.encode(batch: ["hello", "hello world !", ""])
        #expect(batch.length == 5)
        #expect(batch.ids[0] == [2, 5, 3, 0, 0])
        #expect(batch.attentionMask[0] == [1, 1, 1, 0, 0])
        #expect(batch.ids[2] == [2, 3, 0, 0, 0])
        #expect(tokenizer.encode(batch: []).ids.isEmpty)
    }

    @Test func survivesHostileStrings() {
        let hostile = [
            "", " ", "\u{0}", String(repeating: "é", count: 100_000), String(repeating: "[CLS", count: 1000),
            "\u{FFFD}\u{FFFF}\u{E000}", String(repeating: "\u{0301}", count: 50), "🇳🇱👍🏽", "\r\n\t",
        ]
        for text in hostile {
            let encoding = tokenizer.encode(text)
            #expect(encoding.ids.first == 2 && encoding.ids.last == 3)
            #expect(encoding.count <= tokenizer.maximumLength)
            #expect(encoding.offsets.count == encoding.ids.count)
        }
        // Invalid UTF-8 reaches Swift as U+FFFD, which BERT's cleaning removes.
        let invalid = String(decoding: [0x68, 0x65, 0x6C, 0x6C, 0x6F, 0xFF, 0xC3], as: UTF8.self)
        #expect(tokens(invalid) == ["[CLS]", "hello", "[SEP]"])
    }

    @Test func rejectsConfigurationsItCannotHonour() throws {
        let folder = try ScratchFolder()
        #expect(throws: TokenizerError.unsupported(file: folder.file("tokenizer.json"), feature: "model type BPE")) {
            try WordPieceTokenizer(tokenizerJSON: writeTinyTokenizer(in: folder, model: "BPE"))
        }
        #expect(
            throws: TokenizerError.unsupported(file: folder.file("tokenizer.json"), feature: "normalizer Lowercase")
        ) {
            try WordPieceTokenizer(tokenizerJSON: writeTinyTokenizer(in: folder, normalizer: #"{"type": "Lowercase"}"#))
        }
        try Data("{\"model\": 3}".utf8).write(to: URL(fileURLWithPath: folder.file("tokenizer.json")))
        #expect(throws: TokenizerError.self) { try WordPieceTokenizer(tokenizerJSON: folder.file("tokenizer.json")) }
        #expect(throws: TokenizerError.missingFiles(folder: scratch.path + "/empty")) {
            try FileManager.default.createDirectory(atPath: scratch.path + "/empty", withIntermediateDirectories: true)
            return try WordPieceTokenizer(folder: scratch.path + "/empty")
        }
    }

    /// Found by the tokenizer-json fuzzer (Fuzz/TokenizerFileFuzzer.swift): an added token
    /// whose id disagreed with the vocabulary's encoded "[SEP]" as 23 in a vocabulary of 15,
    /// past the embedding matrix; a huge id allocated a token table of that size.
    @Test(arguments: [("[SEP]", 23), ("[SEP]", -1), ("<extra>", 16), ("<extra>", 5), ("<extra>", 1 << 40)])
    func refusesAddedTokensWhoseIdsDisagree(_ content: String, _ id: Int) throws {
        let folder = try ScratchFolder()
        let path = try tinyTokenizer(in: folder, adding: content, id: id)
        #expect { try WordPieceTokenizer(tokenizerJSON: path) } throws: {
            String(describing: $0).contains("added tokens must keep their vocabulary ids")
        }
    }

    @Test func acceptsAnAddedTokenPastTheVocabulary() throws {
        let folder = try ScratchFolder()
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: tinyTokenizer(in: folder, adding: "<extra>", id: 15))
        #expect(tokenizer.encode("hello <extra>").ids == [2, 5, 15, 3])
        #expect(tokenizer.vocabularySize == 16)
    }

    /// The tiny tokenizer with one more added token.
    func tinyTokenizer(in folder: ScratchFolder, adding content: String, id: Int) throws -> String {
        let path = try writeTinyTokenizer(in: folder)
        let url = URL(fileURLWithPath: path)
        var file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var added = try #require(file["added_tokens"] as? [[String: Any]])
        added.append([
            "id": id, "content": content, "single_word": false, "lstrip": false, "rstrip": false,
            "normalized": false, "special": true,
        ])
        file["added_tokens"] = added
        try JSONSerialization.data(withJSONObject: file).write(to: url)
        return path
    }

    @Test func fallsBackToVocabTxt() throws {
        let folder = try ScratchFolder()
        try Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n##s\n".utf8).write(
            to: URL(fileURLWithPath: folder.file("vocab.txt")))
        try Data(#"{"do_lower_case": true, "model_max_length": 512}"#.utf8).write(
            to: URL(fileURLWithPath: folder.file("tokenizer_config.json")))
        let t = try WordPieceTokenizer(folder: folder.path)
        #expect(t.encode("HELLOs").ids == [2, 5, 6, 3])
        #expect(t.maximumLength == 512)
    }
}

/// The real model's vocabulary files agree with each other: `vocab.txt` + `tokenizer_config.json`
/// give the same ids as `tokenizer.json` on every reference text.
@Suite(
    .enabled(if: ReferenceData.hasReference, "\(ReferenceData.missingReference)"),
    .enabled(if: ReferenceData.hasModel, "\(ReferenceData.missingModel)"))
struct VocabularyFallbackParityTests {
    @Test func vocabTxtMatchesTokenizerJSON() throws {
        let json = try #require(ReferenceData.tokenizer)
        let folder = ReferenceData.modelFolder
        let text = try WordPieceTokenizer(
            vocabularyFile: folder + "/vocab.txt", configuration: folder + "/tokenizer_config.json", maximumLength: 256)
        for sample in try ReferenceData.texts() {
            #expect(text.encode(sample.text).ids == json.encode(sample.text).ids, "text \(sample.id)")
        }
    }
}
