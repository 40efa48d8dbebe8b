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
            "train", "--data", data.path, "--recipe", "logistic", "--folds", "0", "--output",
            folder.appendingPathComponent("c").path, "--json",
        ])
        #expect(carved.status == 0, "\(carved.errors)")
        #expect(carved.object?["cv_accuracy"] == nil && carved.object?["validation_accuracy"] is Double)

        for (arguments, message) in [
            (["--c", "1", "--c-grid", "1,10"], "--c fixes C; --c-grid gives C values to choose from"),
            (["--c-grid", "1,-2"], "--c-grid takes positive numbers"),
            (["--folds", "1"], "--folds takes 0 (a 10% carve) or at least 2 folds"),
            (["--head", "mlp", "--c-grid", "1"], "--c-grid is for --recipe logistic, few-shot, not mlp"),
            (["--head", "tiny-transformer", "--embeddings", embeddings], "--embeddings is for --recipe logistic, mlp"),
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
            "train", "--data", data.path, "--recipe", "logistic", "--output", folder.appendingPathComponent("a").path,
        ])
        #expect(
            status != 0 && output.contains("the label \"closing\" has 1 example") && output.contains("--validation"))
        // The default recipe takes it: C = 10 instead of choosing, and advice naming the label.
        let automatic = try runSquireJSON([
            "train", "--data", data.path, "--output", folder.appendingPathComponent("auto").path, "--json",
        ])
        #expect(automatic.status == 0, "\(automatic.errors)")
        let choice = automatic.object?["choice"] as? [String: Any]
        #expect((choice?["advice"] as? String)?.contains("closing") == true, "\(String(describing: choice))")
        #expect(automatic.object?["chosen"] as? String == "C=10.0")
        (status, output) = try runSquire([
            "train", "--data", data.path, "--c", "10", "--output", folder.appendingPathComponent("b").path,
        ])
        #expect(status == 0, "\(output)")
    }

    /// --recipe, --head, --lora and the tuning flags name one recipe between them, or the
    /// command says which flags disagree before any work.
    @Test func flagsNameOneRecipe() throws {
        for (arguments, message) in [
            (["--recipe", "logistic", "--head", "mlp"], "--head mlp names another recipe than --recipe logistic"),
            (["--recipe", "mlp", "--lora", "rank=4"], "--lora names the lora recipe, not --recipe mlp"),
            (["--weight-decay", "0.1", "--c", "1"], "--weight-decay is for --recipe mlp, not logistic"),
            (["--epochs", "3"], "--epochs belongs to several recipes; name one with --recipe"),
            (["--recipe", "auto", "--c", "1"], "--c is for --recipe logistic, lora, few-shot, not auto"),
            (["--recipe", "few-shot", "--temperature", "0"], "--temperature must be positive"),
            (["--recipe", "few-shot", "--tuning-epochs", "-1"], "--tuning-epochs must not be negative"),
            (
                ["--recipe", "logistic", "--tuning-learning-rate", "1e-4"],
                "--tuning-learning-rate is for --recipe few-shot"
            ),
            (
                ["--recipe", "mlp", "--label-descriptions", "d.json"],
                "--label-descriptions is for --recipe auto, few-shot"
            ),
        ] {
            let (status, output) = try runSquire(
                ["train", "--data", "missing.jsonl", "--output", "unused"] + arguments)
            #expect(status == 2 && output.contains(message), "\(arguments): \(output)")
        }
    }

    /// `--recipe few-shot` tunes the body and says so; the bundle carries the tuned encoder
    /// and answers after reopening; a tuning flag alone names the recipe.
    @Test func fewShotRecipeTrainsAndReopens() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.jsonl")
        try TrainCommandTests.write(TrainCommandTests.examples, to: data)
        let bundle = folder.appendingPathComponent("few").path
        let descriptions = folder.appendingPathComponent("descriptions.json")
        try Data(#"["not", "an", "object"]"#.utf8).write(to: descriptions)
        let refused = try runSquire([
            "train", "--data", data.path, "--label-descriptions", descriptions.path, "--output", bundle,
        ])
        #expect(refused.status == 2 && refused.output.contains("must hold one JSON object of strings by label"))
        try Data(#"{"card": "a lost or stolen bank card"}"#.utf8).write(to: descriptions)
        let trained = try runSquireJSON([
            "train", "--data", data.path, "--tuning-epochs", "1", "--label-descriptions", descriptions.path,
            "--output", bundle, "--json",
        ])
        #expect(trained.status == 0, "\(trained.errors)")
        #expect(trained.object?["recipe"] as? String == "few-shot")
        let base = try Data(contentsOf: URL(fileURLWithPath: CLIFixtures.modelFolder + "/model.safetensors"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: bundle + "/encoder/model.safetensors")) != base)
        let predictions = folder.appendingPathComponent("predictions.jsonl")
        let (status, output) = try runSquire([
            "predict", "--model", bundle, "--input", data.path, "--output", predictions.path,
        ])
        #expect(status == 0, "\(output)")
        let rows = try CLIFixtures.jsonLines(predictions)
        let right = zip(rows, TrainCommandTests.examples).filter { $0["label"] as? String == $1.1 }.count
        #expect(right >= rows.count * 9 / 10, "\(right) of \(rows.count)")
    }
}
