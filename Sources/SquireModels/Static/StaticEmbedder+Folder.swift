import Foundation
public import SquireCore
package import SquireTensor

extension StaticEmbedder {
    /// What model2vec's `config.json` says that Squire reads and writes.
    struct Configuration: Codable {
        var modelType: String?
        var architectures: [String]?
        var sequenceLength: Int?
        var pooling: String?
        var normalize: Bool?
        var maximumLength: Int?
        var hiddenDimension: Int?
        var applyPCA: Int?
        var sifCoefficient: Double?
        var embeddingDType: String?
        var tokenizerName: String?

        enum CodingKeys: String, CodingKey {
            case normalize
            case modelType = "model_type"
            case maximumLength = "max_length"
            case hiddenDimension = "hidden_dim"
            case applyPCA = "apply_pca"
            case sifCoefficient = "sif_coefficient"
            case embeddingDType = "embedding_dtype"
            case tokenizerName = "tokenizer_name"
            case architectures, pooling
            case sequenceLength = "seq_length"
        }
    }

    /// One entry of `modules.json`, which sentence-transformers reads.
    private struct Module: Encodable {
        var idx = 0
        var name = "0"
        var path = "."
        var type = "sentence_transformers.models.StaticEmbedding"
    }

    /// Loads a static model saved in model2vec's format — `config.json`, `model.safetensors`
    /// (the table under `embeddings`, float32 or float16, with model2vec's optional per-token
    /// `weights` and `mapping`), `tokenizer.json` — such as potion-base-8M or what
    /// ``save(to:)`` and `squire distill-static` write.
    ///
    /// - Throws: ``StaticModelError`` naming the file at fault.
    public init(folder: String) throws {
        let root = URL(fileURLWithPath: folder)
        _ = try Self.configuration(in: root)
        let tablePath = root.appendingPathComponent("model.safetensors").path
        let file: SafetensorsFile
        do { file = try SafetensorsFile(path: tablePath) } catch {
            throw StaticModelError.invalidFolder(path: tablePath, reason: "\(error)")
        }
        var table: Tensor
        do { table = try file.tensor("embeddings") } catch {
            throw StaticModelError.invalidFolder(path: tablePath, reason: "no \"embeddings\" table: \(error)")
        }
        guard table.rank == 2 else {
            throw StaticModelError.invalidFolder(path: tablePath, reason: "the table is \(table.shape), not 2-D")
        }
        // Vocabulary-quantized models share rows through `mapping` and scale them by `weights`.
        if file.names.contains("mapping") {
            let mapping = try file.tensor("mapping").scalars.map { Int($0) }
            guard mapping.allSatisfy({ (0..<table.shape[0]).contains($0) }) else {
                throw StaticModelError.invalidFolder(path: tablePath, reason: "mapping points past the table")
            }
            table = try table.gatheringRows(at: mapping)
        }
        if file.names.contains("weights") {
            let weights = try file.tensor("weights").scalars
            guard weights.count == table.shape[0] else {
                throw StaticModelError.invalidFolder(
                    path: tablePath, reason: "\(weights.count) weights for \(table.shape[0]) rows")
            }
            let width = table.shape[1]
            var scalars = table.scalars
            for row in 0..<weights.count { for j in 0..<width { scalars[row * width + j] *= weights[row] } }
            table = try Tensor(shape: table.shape, scalars: scalars)
        }
        try self.init(folder: folder, table: table)
    }

    /// The model of the folder at `folder` — its `config.json` and `tokenizer.json` — over
    /// `table` instead of the folder's own `model.safetensors` (a table stored quantized).
    package init(folder: String, table: Tensor) throws {
        let root = URL(fileURLWithPath: folder)
        let configuration = try Self.configuration(in: root)
        if let width = configuration.hiddenDimension, width != table.shape.last {
            throw StaticModelError.invalidFolder(
                path: root.appendingPathComponent("config.json").path,
                reason: "hidden_dim is \(width) but the table is \(table.shape.last ?? 0) wide")
        }
        let maximumTokens = configuration.maximumLength ?? 512
        let tokenizerPath = root.appendingPathComponent("tokenizer.json").path
        let tokenizer: WordPieceTokenizer
        do { tokenizer = try WordPieceTokenizer(tokenizerJSON: tokenizerPath, maximumLength: maximumTokens) } catch {
            throw StaticModelError.invalidFolder(path: tokenizerPath, reason: "\(error)")
        }
        try self.init(
            table: table, tokenizer: tokenizer, normalizes: configuration.normalize ?? false,
            maximumTokens: maximumTokens)
    }

    /// The folder's `config.json`.
    private static func configuration(in root: URL) throws -> Configuration {
        let path = root.appendingPathComponent("config.json").path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StaticModelError.invalidFolder(path: path, reason: "missing; not a model2vec folder")
        }
        do { return try JSONDecoder().decode(Configuration.self, from: data) } catch {
            throw StaticModelError.invalidFolder(path: path, reason: "not a model2vec config: \(error)")
        }
    }

    /// Whether `folder` holds a model2vec model (its `config.json` says `model_type: model2vec`).
    public static func isModelFolder(_ folder: String) -> Bool {
        let path = URL(fileURLWithPath: folder).appendingPathComponent("config.json").path
        guard let data = FileManager.default.contents(atPath: path),
            let configuration = try? JSONDecoder().decode(Configuration.self, from: data)
        else { return false }
        return configuration.modelType == "model2vec"
    }

    /// Saves the model in model2vec's format, atomically: model2vec's `StaticModel.from_pretrained`
    /// and ``init(folder:)`` load it. The table is stored as float16 (model2vec's default)
    /// unless `float32` is asked for; `baseModel` is recorded as model2vec's `tokenizer_name`.
    public func save(to folder: String, float32: Bool = false, baseModel: String? = nil) throws {
        let destination = URL(fileURLWithPath: folder)
        let staging = destination.deletingLastPathComponent()
            .appendingPathComponent(LeftoverFiles.stagingName(for: destination.lastPathComponent, stage: "new"))
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            var writer = SafetensorsWriter()
            if float32 {
                try writer.add(table, named: "embeddings")
            } else {
                let halves = table.scalars.map { Float16($0).bitPattern.littleEndian }
                let bytes = halves.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
                try writer.add(bytes: bytes, dtype: .float16, shape: table.shape, named: "embeddings")
            }
            try writer.write(to: staging.appendingPathComponent("model.safetensors").path)
            try tokenizer.tokenizerJSON().write(to: staging.appendingPathComponent("tokenizer.json"))
            let configuration = Configuration(
                modelType: "model2vec", architectures: ["StaticModel"], sequenceLength: 1_000_000, pooling: "mean",
                normalize: normalizes, maximumLength: maximumTokens, hiddenDimension: dimension,
                embeddingDType: float32 ? "float32" : "float16", tokenizerName: baseModel)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(configuration).write(to: staging.appendingPathComponent("config.json"))
            try JSONEncoder().encode([Module()]).write(to: staging.appendingPathComponent("modules.json"))
            try AtomicFolder.replace(folder, with: staging.path)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }
}

extension OutputKind {
    /// A static model folder (model2vec's format), which `--output` may replace.
    public static let staticModel = OutputKind("static model folder", isFolder: true) {
        StaticEmbedder.isModelFolder($0)
    }
}
