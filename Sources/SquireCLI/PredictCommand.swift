import ArgumentParser
import Foundation
import Squire

/// `squire predict`: a trained bundle's answers for every line of a file.
struct PredictCommand: ParsableCommand {
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

    func run() throws {
        let bundle = try ModelBundle(folder: model)
        let lines: [Line] =
            files.input.hasSuffix(".jsonl") || files.input.hasSuffix(".ndjson")
            ? try JSONLines.read(
                Line.self, from: files.input, expecting: "expected a JSON object with a \"text\" string"
            ).map(\.value)
            : try InputTexts.read(files.input).map(Line.init(text:))
        let status = StatusLine()
        var features: Tensor?
        let answers: [Classification]
        if let embedder = bundle.embedder {
            let vectors = try status.embeddings(
                of: lines.map(\.text), with: embedder, phase: "embedding \(files.input)")
            answers = try bundle.classifications(forEmbeddings: vectors)
            features = vectors
        } else {
            guard !embeddings else {
                throw ValidationError(
                    "--embeddings needs a bundle with a sentence encoder; a tiny transformer has none")
            }
            answers = try Self.blocking { try await bundle.classifier.classify(lines.map(\.text)) }
        }
        let tokenizer = bundle.tokenizer
        let version = bundle.version
        let records: [[String: Any]] = zip(lines, answers).enumerated().map { index, pair in
            let (line, answer) = pair
            let ids = tokenizer.encode(line.text).ids.dropFirst().dropLast()  // without [CLS] and [SEP]
            var record: [String: Any] = [
                "text": line.text,
                "label": answer.label,
                "confidence": answer.confidence,
                "probabilities": answer.probabilities,
                "model_version": version,
                "unknown_token_rate": ids.isEmpty
                    ? 0 : Double(ids.filter { $0 == tokenizer.unknownID }.count) / Double(ids.count),
            ]
            if let id = line.id { record["id"] = id }
            if let label = line.label { record["true_label"] = label }
            if embeddings, let features {
                let width = features.shape[1]
                record["embedding"] = Array(features.scalars[(index * width)..<((index + 1) * width)])
            }
            return record
        }
        try JSONLines.write(records, to: files.output)
        status.finish("wrote \(records.count) predictions to \(files.output)")
    }

    /// Runs async work from this synchronous command and waits for it.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

/// The result of ``PredictCommand/blocking(_:)``'s task, handed over once under a semaphore.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
