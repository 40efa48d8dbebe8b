import ArgumentParser
import Foundation
import Squire

/// `squire embed`: sentence embeddings for every line of a file, from the local encoder or a
/// frontier model file's embedding model.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write the sentence embedding of every input text, in input order.",
        discussion: """
            Reads one text per line (plain text), one {"text": …} object per line (.jsonl), or a .csv with a "text" column, and writes one {"text", "embedding"} object per line. The file appears complete or not at all. --model takes a model folder, a static model folder (model2vec's format, from `squire distill-static`), or a frontier model file (.json) with an "embedder" entry, whose key comes from the environment; its calls, tokens and cost are printed.

            Examples:
              squire embed --input requests.txt --output embeddings.jsonl
              squire embed --model minilm-static --input requests.txt --output embeddings.jsonl
              squire embed --model frontier.json --input requests.txt --output embeddings.jsonl
            """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var files: TextFileOptions
    @Option(name: .long, help: "Texts per encoder call or per request.")
    var batchSize = 32

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() async throws {
        let destination = try files.destination(.embeddings, inputs: [model.folder])
        let texts = try TextLines.read(files.input)
        let lines: [EmbeddedText]
        if model.folder.hasSuffix(".json") {
            lines = try await embedWithFrontierModel(texts)
        } else {
            let vectors: Tensor
            if StaticEmbedder.isModelFolder(model.folder) {
                vectors = try StaticEmbedder(folder: model.folder).embeddings(for: texts)
            } else {
                var embedder = try SentenceEmbedder(folder: model.folder)
                embedder.batchSize = batchSize
                vectors = try embedder.embeddings(for: texts)
            }
            let width = vectors.shape[1]
            lines = texts.enumerated().map {
                EmbeddedText(text: $1, embedding: Array(vectors.scalars[($0 * width)..<(($0 + 1) * width)]))
            }
        }
        try destination.write { try JSONLines.write(lines, to: files.output) }
    }

    /// One request per batch, as many in flight as the model file allows; nothing is written
    /// unless every batch came back.
    private func embedWithFrontierModel(_ texts: [String]) async throws -> [EmbeddedText] {
        let embedder = try FrontierModelFile(contentsOf: URL(fileURLWithPath: model.folder)).embedder()
        let batches = stride(from: 0, to: texts.count, by: batchSize).map {
            Array(texts[$0..<min($0 + batchSize, texts.count)])
        }
        let vectors = try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            for (index, batch) in batches.enumerated() {
                group.addTask { (index, try await embedder.embed(batch)) }
            }
            var vectors = [[[Float]]](repeating: [], count: batches.count)
            for try await (index, batch) in group { vectors[index] = batch }
            return vectors.flatMap { $0 }
        }
        let usage = embedder.meter.usage
        FileHandle.standardError.write(
            Data(
                "embedded \(texts.count) texts: \(usage.calls) calls, \(usage.inputTokens) tokens, \(usage.cost)\n"
                    .utf8))
        return zip(texts, vectors).map { EmbeddedText(text: $0, embedding: $1) }
    }
}
