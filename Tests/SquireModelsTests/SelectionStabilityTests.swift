import Foundation
import SquireModels
import SquireTensor
import Testing

/// The choice a user gets must not hang on the last bits of the embeddings, which differ from
/// one CPU's kernels to another's: on 1,000 texts of each shared dataset's training split,
/// every embedding multiplied by (1 + 1e-6·z), z standard normal, for three noise seeds,
/// chooses what the embeddings as computed choose. `Scripts/figures/folds-validation.sh` runs
/// the same check on the whole training splits.
@Suite(
    .enabled(if: ReferenceData.hasModel, "\(ReferenceData.missingModel)"),
    .enabled(if: ReferenceData.hasDatasets, "needs ../shared/data beside the repository"))
struct SelectionStabilityTests {
    static let data = ReferenceData.shared.appendingPathComponent("data")

    /// 1,000 examples of a training split, drawn by a seeded shuffle.
    static func sample(_ dataset: String) throws -> (texts: [String], labels: [String]) {
        struct Row: Decodable {
            var text: String
            var label: String
        }
        let lines = try Data(contentsOf: data.appendingPathComponent("\(dataset)/train.jsonl"))
            .split(separator: UInt8(ascii: "\n"))
        var order = Array(lines.indices)
        var generator = SeededGenerator(seed: 0)
        generator.shuffle(&order)
        let rows = try order.prefix(1_000).map { try JSONDecoder().decode(Row.self, from: Data(lines[$0])) }
        return (rows.map(\.text), rows.map(\.label))
    }

    @Test(arguments: ["banking77", "snips", "sms_spam"])
    func lastBitNoiseDoesNotMoveTheChoice(_ dataset: String) throws {
        let (texts, labels) = try Self.sample(dataset)
        let embedder = try #require(ReferenceData.embedder)
        let features = try embedder.embeddings(for: texts)
        let recipe = ClassifierRecipe(calibrates: false)
        let chosen = try recipe.train(features: features, labels: labels, groups: texts).report.chosen
        for seed in UInt64(1)...3 {
            var generator = SeededGenerator(seed: seed)
            let noisy = try Tensor(
                shape: features.shape,
                scalars: features.scalars.map { Float(Double($0) * (1 + 1e-6 * generator.nextStandardNormal())) })
            #expect(noisy != features)
            let again = try recipe.train(features: noisy, labels: labels, groups: texts).report.chosen
            #expect(again == chosen, "\(dataset), noise seed \(seed)")
        }
    }
}

extension ReferenceData {
    /// Whether the shared datasets (`../shared/data`) are beside the repository.
    static var hasDatasets: Bool {
        FileManager.default.fileExists(atPath: shared.appendingPathComponent("data/banking77/train.jsonl").path)
    }
}
