import Foundation
import Testing

/// `squire train`'s cross-validated choice: the grids, the rule, the folds, the JSON summary,
/// precomputed embeddings, and the options it refuses.
@Suite(.enabled(if: CLIFixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct TrainSelectionCommandTests {
    @Test func gridRuleFoldsAndEmbeddings() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.jsonl")
        try TrainCommandTests.write(TrainCommandTests.examples, to: data)
        let report = folder.appendingPathComponent("report.json").path

        let trained = try runSquireJSON([
            "train", "--data", data.path, "--c-grid", "0.1,10", "--selection", "best", "--output",
            folder.appendingPathComponent("a").path, "--report", report, "--json",
        ])
        #expect(trained.status == 0, "\(trained.errors)")
        // 18 examples: five folds, three repeats.
        #expect(trained.errors.contains("5-fold cross-validation × 3 repeats (stratified, seeds 0, 1, 2)"))
        #expect(trained.errors.contains("C=0.1: validation accuracy") && trained.errors.contains("(15 folds)"))
        let chosen = try #require(trained.object?["chosen"] as? String)
        #expect(["C=0.1", "C=10.0"].contains(chosen))
        #expect(trained.object?["cv_accuracy"] is Double && trained.object?["cv_standard_error"] is Double)
        let written = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any])
        let crossValidation = try #require(written["cross_validation"] as? [String: Any])
        #expect(crossValidation["rule"] as? String == "best" && crossValidation["chosen"] as? String == chosen)
        #expect(((written["folds"] as? [String: Any])?["assignments"] as? [[Int]])?.count == 3)
        let card = try String(
            contentsOfFile: folder.appendingPathComponent("a/MODEL_CARD.md").path, encoding: .utf8)
        #expect(card.contains("## Hyperparameter selection") && card.contains("| C=10.0"))

        // Embeddings from `squire embed` train the very same head as embedding the texts.
        let embeddings = folder.appendingPathComponent("embeddings.jsonl").path
        var (status, output) = try runSquire(["embed", "--input", data.path, "--output", embeddings])
        #expect(status == 0, "\(output)")
        let again = try runSquireJSON([
            "train", "--data", data.path, "--embeddings", embeddings, "--c-grid", "0.1,10", "--selection", "best",
            "--output", folder.appendingPathComponent("b").path, "--json",
        ])
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.object?["version"] as? String == trained.object?["version"] as? String)

        // With --folds 0 the choice is on a carve: no cross-validated figures.
        let carved = try runSquireJSON([
            "train", "--data", data.path, "--folds", "0", "--output", folder.appendingPathComponent("c").path, "--json",
        ])
        #expect(carved.status == 0, "\(carved.errors)")
        #expect(carved.object?["cv_accuracy"] == nil && carved.object?["validation_accuracy"] is Double)

        for (arguments, message) in [
            (["--c", "1", "--c-grid", "1,10"], "--c fixes C; --c-grid gives C values to choose from"),
            (["--c-grid", "1,-2"], "--c-grid takes positive numbers"),
            (["--folds", "1"], "--folds takes 0 (a 10% carve) or at least 2 folds"),
            (["--head", "mlp", "--c-grid", "1"], "--c-grid is for --head logistic"),
            (["--head", "tiny-transformer", "--embeddings", embeddings], "--embeddings is for the logistic and mlp"),
        ] {
            (status, output) = try runSquire(
                ["train", "--data", data.path, "--output", folder.appendingPathComponent("x").path] + arguments)
            #expect(status == 2 && output.contains(message), "\(arguments): \(output)")
        }
    }

    /// A label with one example stops a choice, with the way out in the message.
    @Test func aLabelWithOneExampleIsATypedError() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.jsonl")
        try TrainCommandTests.write(TrainCommandTests.examples + [("close my account", "closing")], to: data)
        var (status, output) = try runSquire([
            "train", "--data", data.path, "--output", folder.appendingPathComponent("a").path,
        ])
        #expect(
            status != 0 && output.contains("the label \"closing\" has 1 example") && output.contains("--validation"))
        (status, output) = try runSquire([
            "train", "--data", data.path, "--c", "10", "--output", folder.appendingPathComponent("b").path,
        ])
        #expect(status == 0, "\(output)")
    }
}
