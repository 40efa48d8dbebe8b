import Foundation
import Squire

/// Small labelled data and scratch folders for the umbrella's tests, which run the real
/// all-MiniLM-L6-v2 and skip when it is not downloaded.
enum Fixtures {
    static var hasModel: Bool {
        FileManager.default.fileExists(atPath: ModelFolder.allMiniLML6V2 + "/model.safetensors")
    }

    static let rows: [(String, String)] = [
        ("I lost my card", "card"), ("my card was stolen", "card"), ("card missing since Monday", "card"),
        ("someone took my card", "card"), ("cannot find my debit card", "card"), ("my card is gone", "card"),
        ("my card was swallowed by the machine", "card"), ("please block my card", "card"),
        ("where is my refund", "refund"), ("I want my money back", "refund"), ("refund not received", "refund"),
        ("please refund the charge", "refund"), ("how long do refunds take", "refund"), ("return my money", "refund"),
        ("the refund never arrived", "refund"), ("can I get a refund", "refund"),
        ("change my address", "address"), ("I moved house", "address"), ("update my postal address", "address"),
        ("new home address", "address"), ("edit the address on file", "address"), ("my address is wrong", "address"),
        ("I live somewhere else now", "address"), ("send mail to my new flat", "address"),
    ]

    static func dataset() throws -> Dataset {
        try Dataset(
            name: "fixtures",
            examples: rows.enumerated().map {
                LabeledExample(id: "e\($0.offset)", text: $0.element.0, label: $0.element.1)
            }
        )
    }

    static let probes = ["my card has been stolen", "money back please", "I have a new address"]

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("squire-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A static model made in milliseconds rather than distilled: the encoder's own input
    /// word-embedding rows as the table (model2vec's vocabulary and ids), written once per test
    /// machine in model2vec's format (and reused: it only depends on the encoder). Enough to tell
    /// cards from refunds; the real tier is distilled.
    static func staticModel() throws -> String { try staticModelFolder.get() }

    private static let staticModelFolder = Result { () throws -> String in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squire-tests-static-word-embeddings"
        ).path
        if StaticEmbedder.isModelFolder(folder), (try? StaticEmbedder(folder: folder)) != nil { return folder }
        let encoder = try SentenceEmbedder(folder: ModelFolder.allMiniLML6V2)
        let (tokenizer, baseIDs) = try encoder.tokenizer.staticVocabulary()
        let words = encoder.encoder.embeddings.words
        let width = words.shape[1]
        var table = [Float](repeating: 0, count: baseIDs.count * width)
        for (row, id) in baseIDs.enumerated() {
            for j in 0..<width { table[row * width + j] = words.scalars[id * width + j] }
        }
        let model = try StaticEmbedder(
            table: Tensor(shape: [baseIDs.count, width], scalars: table), tokenizer: tokenizer, maximumTokens: 128)
        try model.save(to: folder)
        return folder
    }

    /// A tiny transformer small enough to train in a second or two.
    static var smallTransformer: TinyTransformerClassifier.Configuration {
        var configuration = TinyTransformerClassifier.Configuration(
            layerCount: 1, hiddenSize: 32, headCount: 2, intermediateSize: 64, maximumLength: 16)
        configuration.training.epochs = 3
        configuration.training.batchSize = 8
        return configuration
    }

    /// A rank-2 LoRA recipe of one epoch.
    static var smallLoRA: LoRAClassifier.Recipe {
        var recipe = LoRAClassifier.Recipe(adapter: LoRAConfiguration(rank: 2, alpha: 4))
        recipe.training.epochs = 1
        recipe.training.batchSize = 8
        return recipe
    }
}
