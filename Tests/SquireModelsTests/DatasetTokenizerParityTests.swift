import Foundation
import SquireModels
import Testing

/// Identical ids to HF `tokenizers` on every text of the three datasets in ../shared/data,
/// checked through chunk hashes made by `Scripts/fixtures/make-token-hashes.py`.
@Suite(
    .enabled(
        if: FileManager.default.fileExists(atPath: ReferenceData.shared.appendingPathComponent("data").path),
        "needs ../shared/data beside the repository"),
    .enabled(if: ReferenceData.hasModel, "\(ReferenceData.missingModel)"))
struct DatasetTokenizerParityTests {
    struct Hashes: Decodable {
        struct File: Decodable {
            var count: Int
            var hashes: [String]
        }
        var chunk: Int
        var files: [String: File]
    }
    struct Line: Decodable { var text: String }

    /// FNV-1a 64 over the same bytes the script hashes: ids joined by ",", each text ended by ";".
    static func fold(_ ids: [Int], into hash: inout UInt64) {
        for byte in (ids.map(String.init).joined(separator: ",") + ";").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
        }
    }

    @Test(arguments: [
        "banking77/train.jsonl", "banking77/test.jsonl", "snips/train.jsonl", "snips/test.jsonl",
        "sms_spam/train.jsonl", "sms_spam/test.jsonl",
    ])
    func matchesHuggingFaceTokenizers(on file: String) throws {
        let fixture = try JSONDecoder().decode(
            Hashes.self,
            from: Data(
                contentsOf: ReferenceData.repository
                    .appendingPathComponent("Tests/SquireModelsTests/Fixtures/dataset_token_hashes.json")))
        let expected = try #require(fixture.files[file])
        let tokenizer = try #require(ReferenceData.tokenizer)
        let texts = try Data(contentsOf: ReferenceData.shared.appendingPathComponent("data/" + file))
            .split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Line.self, from: Data($0)).text }
        #expect(texts.count == expected.count)
        var differing: [Int] = []
        for (chunk, start) in stride(from: 0, to: texts.count, by: fixture.chunk).enumerated() {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for text in texts[start..<min(start + fixture.chunk, texts.count)] {
                Self.fold(tokenizer.encode(text, maximumLength: nil).ids, into: &hash)
            }
            if String(hash, radix: 16).leftPadded(to: 16) != expected.hashes[chunk] { differing.append(chunk) }
        }
        #expect(
            differing.isEmpty,
            "chunks \(differing) of \(file) differ; see them with: python3 Scripts/fixtures/make-token-hashes.py MODEL_DIR --show \(file):\(differing.first ?? 0)"
        )
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
