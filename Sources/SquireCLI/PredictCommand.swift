import ArgumentParser
import Foundation
import Squire

/// `squire predict`: a trained bundle's answers for every line of a file.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify every input text with a trained bundle.",
        discussion: """
            Reads one text per line (plain text) or one {"text", "id"?, "label"?} object per line (.jsonl) and writes one object per line: "text", "label", "confidence", "probabilities", "model_version" and "unknown_token_rate", plus "id" and "true_label" when the input has them, and "embedding" with --embeddings. The lines are the observations `squire profile` and `squire drift` read. The file appears complete or not at all.

            Example:
              squire predict --model intent-bundle --input requests.jsonl --output predictions.jsonl
            """
    )

    @Option(name: .long, help: "The bundle folder written by `squire train`.")
    var model: String
    @OptionGroup var files: TextFileOptions
    @Flag(name: .long, help: "Also write each text's embedding (for embedding drift).")
    var embeddings = false

    struct Line: Decodable {
        var text: String
        var id: String?
        var label: String?

        private enum CodingKeys: String, CodingKey { case text, id, label }

        init(text: String) { self.text = text }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            text = try container.decode(String.self, forKey: .text)
            // Ids may be numbers in the wild; keep them as their text.
            if let number = try? container.decodeIfPresent(Int.self, forKey: .id) {
                id = String(number)
            } else {
                id = try container.decodeIfPresent(String.self, forKey: .id)
            }
            label = try container.decodeIfPresent(String.self, forKey: .label)
        }
    }

    func run() async throws {
        let bundle = try ModelBundle(folder: model)
        let lines: [Line] =
            files.input.hasSuffix(".jsonl") || files.input.hasSuffix(".ndjson")
            ? try JSONLines.read(
                Line.self, from: files.input, expecting: "expected a JSON object with a \"text\" string"
            ).map(\.value)
            : try TextLines.read(files.input).map(Line.init(text:))
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
        try JSONLines.write(records, to: files.output)
        status.finish("wrote \(records.count) predictions to \(files.output)")
    }
}
