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

            Extra vocabulary (model2vec's `vocabulary=`): --vocabulary FILE adds the words of FILE (one word or phrase a line), --vocabulary-from CORPUS adds the --vocabulary-size most frequent words of CORPUS (.txt, .jsonl or .csv texts) that are not whole tokens yet, after the tokenizer's lowercasing, accent stripping and splitting at whitespace and punctuation; both together add the file's words first. A one-piece word becomes a WordPiece token (found as a whole word, and at the start of longer words); a word the tokenizer splits ("Apple Pay", "top-up") becomes an added token matched in the normalized text. Words already in the vocabulary, repeated or empty are skipped. Each new row is the encoder's reading of the word's own pieces, as model2vec computes it; new words take the ids after the vocabulary.

            Examples:
              squire distill-static --base ~/.cache/squire/models/all-MiniLM-L6-v2 --output minilm-static
              squire distill-static --output banking-static --vocabulary-from train.jsonl --vocabulary-size 500
            """
    )

    @Option(name: .long, help: "The encoder's model folder (default: all-MiniLM-L6-v2's).")
    var base: String?
    @Option(name: .long, help: "Where to write the static model folder.")
    var output: String
    @Option(name: .long, help: "The table's width after PCA (at most the encoder's).")
    var dimensions = 256
    @Option(name: .long, help: "Extra words to add, one word or phrase a line.")
    var vocabulary: String?
    @Option(name: .customLong("vocabulary-from"), help: "A corpus whose most frequent new words to add.")
    var vocabularyFrom: String?
    @Option(name: .customLong("vocabulary-size"), help: "How many words --vocabulary-from adds at most.")
    var vocabularySize = 1000
    @OptionGroup var force: ForceOption

    func validate() throws {
        guard dimensions >= 1 else { throw ValidationError("--dimensions must be at least 1") }
        guard vocabularySize >= 1 else { throw ValidationError("--vocabulary-size must be at least 1") }
    }

    func run() throws {
        let folder = base ?? ModelFolder.allMiniLML6V2
        let destination = try OutputDestination(output, kind: .staticModel, inputs: [folder], force: force.force)
        let encoder = try SentenceEmbedder(folder: folder)
        var words = try vocabulary.map(TextLines.read) ?? []
        if let vocabularyFrom {
            words += encoder.tokenizer.missingWords(in: try TextLines.read(vocabularyFrom), limit: vocabularySize)
        }
        let status = StatusLine()
        let start = ContinuousClock.now
        let distillation = StaticDistillation(dimensions: dimensions, extraVocabulary: words)
        let model = try distillation.distill(from: encoder) { done, total in
            status.update("vocabulary pass", done: done, total: total)
        }
        try destination.write { try model.save(to: output, baseModel: folder) }
        let seconds = Double((ContinuousClock.now - start).components.seconds)
        // The base vocabulary's own size, to say how many of the extra words were new.
        let added = try model.table.shape[0] - encoder.tokenizer.staticVocabulary().baseIDs.count
        status.finish(
            "wrote \(output): \(model.table.shape[0]) tokens × \(model.dimension) dimensions"
                + (words.isEmpty ? "" : " (\(added) of \(words.count) extra words new)") + ", in \(Int(seconds)) s")
    }
}
