import ArgumentParser
import Foundation
import Squire

/// `squire predict`: a trained bundle's answers for every line of a file.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify every input text with a trained bundle.",
        discussion: """
            Reads one text per line (plain text), one {"text", "id"?, "label"?} object per line (.jsonl), or a .csv with a header naming "text" (and optionally "id" and "label"), and writes one object per line: "text", "label", "confidence", "probabilities", "model_version" and "unknown_token_rate", plus "id" and "true_label" when the input has them, and "embedding" with --embeddings. The lines are the observations `squire profile` and `squire drift` read. The file appears complete or not at all.

            Example:
              squire predict --model intent-bundle --input requests.jsonl --output predictions.jsonl
            """
    )

    @Option(name: .long, help: "The bundle folder written by `squire train`.")
    var model: String
    @OptionGroup var files: TextFileOptions
    @Flag(name: .long, help: "Also write each text's embedding (for embedding drift).")
    var embeddings = false

    func run() async throws {
        let destination = try files.destination(.predictions, inputs: [model])
        let bundle = try ModelBundle(folder: model)
        let lines = try TextLines.records(files.input)
        if embeddings, bundle.embedder == nil {
            throw ValidationError("--embeddings needs a bundle with a sentence encoder; a tiny transformer has none")
        }
        let status = StatusLine()
        let phase = "embedding \(files.input)"
        let records = try await bundle.predictionRecords(
            for: lines.map(\.text), ids: lines.map(\.id), trueLabels: lines.map(\.label),
            includingEmbeddings: embeddings
        ) { status.update(phase, done: $0, total: lines.count) }
        if bundle.embedder != nil { status.finish("\(phase): \(lines.count) texts") }
        try destination.write { try JSONLines.write(records, to: files.output) }
        status.finish("wrote \(records.count) predictions to \(files.output)")
    }
}
