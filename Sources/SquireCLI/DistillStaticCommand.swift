import ArgumentParser
import Foundation
import Squire

/// `squire distill-static`: a static embedding table distilled from the encoder.
struct DistillStaticCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill-static",
        abstract: "Distil a static embedding model (model2vec's method and format) from the encoder.",
        discussion: """
            Runs every vocabulary token through the encoder once ([CLS] token [SEP], the mean of the three final hidden states), reduces the rows by PCA to --dimensions, weights them by token rank (model2vec's SIF weighting) and writes a model2vec-format folder (config.json, model.safetensors with a float16 "embeddings" table, tokenizer.json) that `squire embed --model` and Python's model2vec load. Sentence vectors are then the normalized mean of their tokens' rows: microseconds per sentence instead of milliseconds, at some cost in quality (measure it with a head and `squire eval`).

            Example:
              squire distill-static --base ~/.cache/squire/models/all-MiniLM-L6-v2 --output minilm-static
            """
    )

    @Option(name: .long, help: "The encoder's model folder (default: all-MiniLM-L6-v2's).")
    var base: String?
    @Option(name: .long, help: "Where to write the static model folder.")
    var output: String
    @Option(name: .long, help: "The table's width after PCA (at most the encoder's).")
    var dimensions = 256
    @OptionGroup var force: ForceOption

    func validate() throws {
        guard dimensions >= 1 else { throw ValidationError("--dimensions must be at least 1") }
    }

    func run() throws {
        let folder = base ?? ModelFolder.allMiniLML6V2
        let destination = try OutputDestination(output, kind: .staticModel, inputs: [folder], force: force.force)
        let encoder = try SentenceEmbedder(folder: folder)
        let status = StatusLine()
        let start = ContinuousClock.now
        let model = try StaticDistillation(dimensions: dimensions).distill(from: encoder) { done, total in
            status.update("vocabulary pass", done: done, total: total)
        }
        try destination.write { try model.save(to: output, baseModel: folder) }
        let seconds = Double((ContinuousClock.now - start).components.seconds)
        status.finish(
            "wrote \(output): \(model.table.shape[0]) tokens × \(model.dimension) dimensions, in \(Int(seconds)) s")
    }
}
