import SquireModels
import Testing

/// Identical ids to HF `tokenizers` 0.23.3 on the 1,477 reference texts (hard cases included).
@Suite(
    .enabled(if: ReferenceData.hasReference, "\(ReferenceData.missingReference)"),
    .enabled(if: ReferenceData.hasModel, "\(ReferenceData.missingModel)"))
struct TokenizerParityTests {
    @Test func matchesHuggingFaceTokenizersOnEveryReferenceText() throws {
        let tokenizer = try #require(ReferenceData.tokenizer)
        let texts = try ReferenceData.texts()
        let expected = try ReferenceData.tokens()
        #expect(texts.count == 1477 && expected.count == 1477)
        var mismatches: [String] = []
        for (text, tokens) in zip(texts, expected) {
            let full = tokenizer.encode(text.text, maximumLength: nil).ids
            let truncated = tokenizer.encode(text.text).ids
            if full != tokens.ids || truncated != tokens.ids_truncated {
                mismatches.append(
                    "id \(text.id) \(String(reflecting: text.text).prefix(60)): got \(full.prefix(12)) expected \(tokens.ids.prefix(12))"
                )
            }
        }
        #expect(
            mismatches.isEmpty,
            "\(mismatches.count) of \(texts.count) differ:\n\(mismatches.prefix(15).joined(separator: "\n"))")
    }
}
