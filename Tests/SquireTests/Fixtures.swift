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
