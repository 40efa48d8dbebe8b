import Foundation
import SquireModels
import SquireTensor
import Testing

/// model2vec's distillation of all-MiniLM-L6-v2 with an extra vocabulary, made by
/// Scripts/fixtures/make-static-vocabulary-fixtures.py: the tokens it added with their ids and
/// vocabulary-pass ids, their table rows (and sampled base rows), and `encode` of sentences
/// using them.
struct VocabularyReference: Decodable {
    struct Added: Decodable {
        var token: String
        var id: Int
        /// "wordpiece" (a WordPiece vocabulary entry) or "added" (an added token).
        var kind: String
        /// The base-model ids model2vec's vocabulary pass fed, padding included.
        var pass_ids: [Int]
    }
    var shape: [Int]
    var words: [String]
    var added: [Added]
    var rows: [StaticReference.Row]
    var cases: [StaticReference.Case]

    static let reference: VocabularyReference = try! JSONDecoder().decode(
        VocabularyReference.self,
        from: Data(contentsOf: StaticReference.folder.appendingPathComponent("vocabulary.json")))

    /// Squire's static vocabulary with the fixture's words, and a table holding only the
    /// fixture's rows (every row the encode cases use).
    static func sparseModel() throws -> StaticEmbedder {
        let base = try WordPieceTokenizer(folder: ReferenceData.modelFolder)
        let (tokenizer, _, _) = try base.staticVocabulary(adding: reference.words)
        let width = reference.shape[1]
        var scalars = [Float](repeating: 0, count: reference.shape[0] * width)
        for row in reference.rows {
            for (j, value) in row.row.enumerated() { scalars[row.id * width + j] = value }
        }
        return try StaticEmbedder(
            table: try Tensor(shape: reference.shape, scalars: scalars), tokenizer: tokenizer, normalizes: true)
    }
}

/// Normalized added tokens and the word helpers, on a tokenizer written by the test.
@Suite struct ExtraVocabularyTokenizerTests {
    let scratch = try! ScratchFolder()

    /// The tiny tokenizer with "Hello World" as a normalized added token (id 15), flagged as
    /// model2vec flags its multi-word tokens.
    func tokenizer() throws -> WordPieceTokenizer {
        let path = try writeTinyTokenizer(in: scratch)
        let url = URL(fileURLWithPath: path)
        var file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var added = try #require(file["added_tokens"] as? [[String: Any]])
        added.append([
            "id": 15, "content": "Hello World", "single_word": false, "lstrip": true, "rstrip": true,
            "normalized": true, "special": false,
        ])
        file["added_tokens"] = added
        file["padding"] = ["strategy": ["Fixed": 12], "pad_id": 0, "pad_token": "[PAD]"]
        try JSONSerialization.data(withJSONObject: file).write(to: url)
        return try WordPieceTokenizer(tokenizerJSON: path)
    }

    /// Found in the normalized text (case, tabs, accents folded), leftmost-longest, also
    /// inside words, which it splits; offsets point at the raw scalars matched.
    @Test func matchesNormalizedAddedTokensInTheNormalizedText() throws {
        let tokenizer = try tokenizer()
        #expect(tokenizer.encode("HELLO\tWorld!").ids == [2, 15, 10, 3])
        #expect(tokenizer.encode("héllo world").ids == [2, 15, 3])
        #expect(tokenizer.encode("hello  world").ids == [2, 5, 6, 3])
        // "s" alone is no word-initial piece of the tiny vocabulary.
        #expect(tokenizer.encode("ahello worlds").ids == [2, 14, 15, 1, 3])
        let encoding = tokenizer.encode("a Hello World")
        #expect(encoding.offsets[2] == 2..<13)
        // Without such tokens the encoding is the plain WordPiece one.
        #expect(
            try WordPieceTokenizer(tokenizerJSON: writeTinyTokenizer(in: scratch)).encode(
                "ahello worlds"
            ).ids == [2, 1, 6, 13, 3])
        #expect(tokenizer.fixedPaddingLength == 12)
    }

    /// single_word would change ids; the tokenizer refuses what it cannot honour.
    @Test func refusesSingleWordAddedTokens() throws {
        let folder = try ScratchFolder()
        let path = try writeTinyTokenizer(in: folder)
        let url = URL(fileURLWithPath: path)
        var file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var added = try #require(file["added_tokens"] as? [[String: Any]])
        added[4]["single_word"] = true
        file["added_tokens"] = added
        try JSONSerialization.data(withJSONObject: file).write(to: url)
        #expect { try WordPieceTokenizer(tokenizerJSON: path) } throws: { "\($0)".contains("single_word") }
    }

    @Test func splitsTextIntoWordsAsWordPieceSeesThem() throws {
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: writeTinyTokenizer(in: scratch))
        #expect(
            tokenizer.words(in: "Top-Up via Apple\tPay! 東京") == [
                "top", "-", "up", "via", "apple", "pay", "!", "東", "京",
            ])
        #expect(tokenizer.words(in: " \n ").isEmpty)
        #expect(tokenizer.normalized("Café") == "cafe")
    }

    /// Most frequent first, ties by first appearance; vocabulary tokens and over-long words out.
    @Test func collectsTheMostFrequentMissingWords() throws {
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: writeTinyTokenizer(in: scratch))
        let corpus = [
            "Refund my refund!", "hello Zebra, refund", "zebra yak hello", "abcdefghijklmnop abcdefghijklmnop",
        ]
        #expect(tokenizer.missingWords(in: corpus, limit: 10) == ["refund", "zebra", "my", ",", "yak"])
        #expect(tokenizer.missingWords(in: corpus, limit: 2) == ["refund", "zebra"])
        #expect(tokenizer.missingWords(in: corpus, limit: 0).isEmpty)
    }
}

/// Squire's distillation with an extra vocabulary against model2vec's.
@Suite(.enabled(if: ReferenceData.hasModel, "\(ReferenceData.missingModel)"))
struct ExtraVocabularyTests {
    /// The same tokens added, with the same ids and kinds, and the same encoder input for each.
    @Test func addsTheWordsAsModel2VecDoes() throws {
        let reference = VocabularyReference.reference
        let base = try WordPieceTokenizer(folder: ReferenceData.modelFolder)
        let (tokenizer, baseIDs, added) = try base.staticVocabulary(adding: reference.words)
        #expect(tokenizer.vocabularySize == reference.shape[0])
        #expect(added == reference.added.map(\.token))
        for token in reference.added {
            #expect(tokenizer.id(for: token.token) == token.id, "\(token.token)")
            // One piece: a WordPiece entry; several: an added token. Either encodes to its id,
            // but for a word over the 100-character limit, which is [UNK] whatever the vocabulary.
            #expect((tokenizer.words(in: token.token).count == 1) == (token.kind == "wordpiece"), "\(token.token)")
            let expected = token.token.count > 100 ? [tokenizer.unknownID] : [token.id]
            #expect(tokenizer.encode(token.token).ids == expected, "\(token.token)")
        }
        #expect(baseIDs.count == reference.added[0].id)
        let passIDs = try base.staticVocabularyPassIDs(for: added, maximumLength: 512)
        #expect(passIDs == reference.added.map(\.pass_ids))
        #expect(base.fixedPaddingLength == 128)
        // Without words, the vocabulary is the plain one.
        #expect(try base.staticVocabulary(adding: []).tokenizer.vocabularySize == baseIDs.count)
    }

    /// Sentences with the new words tokenize and embed as model2vec's `encode` does them (to 1e-5
    /// of its float32 maths), and the saved tokenizer.json reads back to the same tokenizer.
    @Test func encodesAndSavesAsModel2VecDoes() throws {
        let model = try VocabularyReference.sparseModel()
        let cases = VocabularyReference.reference.cases
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("static-vocabulary-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder.path)
        let loaded = try StaticEmbedder(folder: folder.path)
        let vectors = try model.embeddings(for: cases.map(\.text))
        for (index, reference) in cases.enumerated() {
            #expect(model.tokenIDs(of: reference.text) == reference.ids, "\(reference.name)")
            #expect(loaded.tokenIDs(of: reference.text) == reference.ids, "\(reference.name), loaded")
            let row = Array(vectors.scalars[(index * 256)..<((index + 1) * 256)])
            let worst = zip(row, reference.vector_float32).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5, "\(reference.name): max |Δ| \(worst) against model2vec's float32 maths")
        }
        // The multi-word tokens are written as model2vec writes them.
        let file = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("tokenizer.json")))
                as? [String: Any])
        let added = try #require(file["added_tokens"] as? [[String: Any]])
        let applePay = try #require(added.first { $0["content"] as? String == "apple pay" })
        #expect(applePay["normalized"] as? Bool == true && applePay["special"] as? Bool == false)
        #expect(added.count == 2 + VocabularyReference.reference.added.filter { $0.kind == "added" }.count)
    }

    /// One distillation with the words: every fixture row (new tokens and sampled base ones) at
    /// cosine ≥ 0.999 to model2vec's, and the sentence vectors too.
    @Test func distillsWithExtraVocabularyAsModel2VecDoes() throws {
        let reference = VocabularyReference.reference
        let encoder = try SentenceEmbedder(folder: ReferenceData.modelFolder)
        let model = try StaticDistillation(dimensions: 256, extraVocabulary: reference.words).distill(from: encoder)
        #expect(model.table.shape == reference.shape)
        func cosine(_ a: [Float], _ b: [Float]) -> Float {
            zip(a, b).map(*).reduce(0, +)
                / (a.map { $0 * $0 }.reduce(0, +) * b.map { $0 * $0 }.reduce(0, +)).squareRoot()
        }
        var worstNew: Float = 1
        var worstBase: Float = 1
        for row in reference.rows {
            let value = cosine(Array(model.table.scalars[(row.id * 256)..<((row.id + 1) * 256)]), row.row)
            if row.id >= reference.added[0].id {
                worstNew = min(worstNew, value)
            } else {
                worstBase = min(worstBase, value)
            }
        }
        #expect(worstNew >= 0.999, "the least similar new row has cosine \(worstNew)")
        #expect(worstBase >= 0.999, "the least similar base row has cosine \(worstBase)")
        let vectors = try model.embeddings(for: reference.cases.map(\.text))
        var worstSentence: Float = 1
        for (index, reference) in reference.cases.enumerated() {
            let row = Array(vectors.scalars[(index * 256)..<((index + 1) * 256)])
            worstSentence = min(worstSentence, cosine(row, reference.vector_float32))
        }
        #expect(worstSentence >= 0.999, "the least similar sentence vector has cosine \(worstSentence)")
    }
}
