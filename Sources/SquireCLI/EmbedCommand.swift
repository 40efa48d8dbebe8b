import ArgumentParser
import Squire

/// `squire embed`: sentence embeddings for every line of a file.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write the sentence embedding of every input text, in input order.",
        discussion: """
            Reads one text per line (plain text), one {"text": …} object per line (.jsonl), or a .csv with a "text" column, and writes one {"text", "embedding"} object per line. The file appears complete or not at all.

            Example:
              squire embed --input requests.txt --output embeddings.jsonl
            """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var files: TextFileOptions
    @Option(name: .long, help: "Texts per encoder call.")
    var batchSize = 32

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() throws {
        let destination = try files.destination(.embeddings, inputs: [model.folder])
        let texts = try TextLines.read(files.input)
        var embedder = try SentenceEmbedder(folder: model.folder)
        embedder.batchSize = batchSize
        let vectors = try embedder.embeddings(for: texts)
        let width = embedder.dimension
        let lines = texts.enumerated().map {
            EmbeddedText(text: $1, embedding: Array(vectors.scalars[($0 * width)..<(($0 + 1) * width)]))
        }
        try destination.write { try JSONLines.write(lines, to: files.output) }
    }
}
