import Foundation
import SquireCore
public import SquireEval
import SquireTensor

/// Bundles side by side on one labelled set — each one's quality, its agreement and
/// embedding cosine with the first (the baseline), its size, and its batch-1 and batch-32
/// speed: what quantizing a bundle cost and saved.
public struct BundleComparison: Sendable, Hashable, Codable {
    /// One bundle's figures.
    public struct Entry: Sendable, Hashable, Codable {
        /// Mean and smallest cosine between this bundle's embeddings and the baseline's.
        public struct Cosine: Sendable, Hashable, Codable {
            /// Mean over the examples.
            public var mean: Double
            /// Smallest over the examples.
            public var min: Double
        }

        /// The bundle folder.
        public var model: String
        /// How its encoder's weights are stored: `float32`, `int8`, `int4 (groups of 32)`.
        public var weights: String
        /// Bytes of every file in the bundle.
        public var bundleBytes: Int
        /// Its size as a share of the baseline's.
        public var sizeShare: Double
        /// Accuracy on the set.
        public var accuracy: Double
        /// Macro-averaged F1.
        public var macroF1: Double
        /// Expected calibration error.
        public var expectedCalibrationError: Double
        /// Share of examples given the baseline's label.
        public var labelAgreement: Double
        /// Cosine with the baseline's embeddings.
        public var embeddingCosine: Cosine
        /// Batch 1 (up to 256 texts, one call each) and batch 32 (every text).
        public var results: [BatchTiming]

        enum CodingKeys: String, CodingKey {
            case model, weights, accuracy, results
            case bundleBytes = "bundle_bytes"
            case sizeShare = "size_share"
            case macroF1 = "macro_f1"
            case expectedCalibrationError = "expected_calibration_error"
            case labelAgreement = "label_agreement"
            case embeddingCosine = "embedding_cosine"
        }
    }

    /// The labelled set's file or name.
    public var data: String
    /// Examples compared on.
    public var examples: Int
    /// The first bundle, the others' reference.
    public var baseline: String
    /// Every bundle, the baseline first.
    public var models: [Entry]

    /// Opens each bundle folder, answers every example of `dataset` (batches of 32, timed)
    /// and up to 256 of them one by one (timed), and compares each with the first.
    ///
    /// - Throws: ``BundleError`` for a bundle that cannot be opened; `ModelError.unavailable`
    ///   for a tiny transformer, which has no sentence embeddings to compare;
    ///   ``DatasetError`` for an empty set.
    public static func compare(
        _ folders: [String], on dataset: Dataset, named data: String? = nil
    ) throws -> BundleComparison {
        let texts = dataset.examples.map(\.text)
        guard !texts.isEmpty else {
            throw DatasetError(source: data ?? dataset.name, reason: "no examples to compare on")
        }
        var entries: [Entry] = []
        var baseline: (labels: [String], embeddings: Tensor, bytes: Int)?
        let clock = ContinuousClock()
        for folder in folders {
            let bundle = try ModelBundle(folder: folder)
            guard let embedder = bundle.embedder else {
                throw ModelError.unavailable(
                    "\(folder) holds a tiny transformer, which has no sentence embeddings to compare")
            }
            // Warm-up, then batch 32 over every text: throughput, and the answers the metrics come from.
            for start in stride(from: 0, to: min(texts.count, 96), by: 32) {
                _ = try embedder.embeddings(for: Array(texts[start..<min(start + 32, texts.count)]))
            }
            var batchSeconds: [Double] = []
            var rows: [Float] = []
            var answers: [Classification] = []
            for start in stride(from: 0, to: texts.count, by: 32) {
                try Task.checkCancellation()
                let batch = Array(texts[start..<min(start + 32, texts.count)])
                var embeddings: Tensor?
                batchSeconds.append(
                    try clock.measure {
                        let batchEmbeddings = try embedder.embeddings(for: batch)
                        answers += try bundle.classifications(forEmbeddings: batchEmbeddings)
                        embeddings = batchEmbeddings
                    }.seconds)
                rows += embeddings?.scalars ?? []
            }
            let embeddings = try Tensor(shape: [texts.count, embedder.dimension], scalars: rows)
            // Batch 1, one call each, as a request handler sees it.
            var singleSeconds: [Double] = []
            for text in texts.prefix(256) {
                singleSeconds.append(
                    try clock.measure {
                        _ = try bundle.classifications(forEmbeddings: embedder.embeddings(for: [text]))
                    }
                    .seconds)
            }
            let metrics = ClassificationMetrics(
                predictions: zip(dataset.examples, answers).map {
                    Prediction(id: $0.id, expected: $0.label, classification: $1)
                })
            let labels = answers.map(\.label)
            let bytes = Self.bytes(under: folder)
            let reference = baseline ?? (labels, embeddings, bytes)
            baseline = reference
            let (meanCosine, minimumCosine) = try Self.cosines(reference.embeddings, embeddings)
            let batch1 = LatencySummary(seconds: singleSeconds)
            entries.append(
                Entry(
                    model: folder, weights: Self.describe(bundle.weights), bundleBytes: bytes,
                    sizeShare: Double(bytes) / Double(max(reference.bytes, 1)), accuracy: metrics.accuracy,
                    macroF1: metrics.macro.f1, expectedCalibrationError: metrics.expectedCalibrationError,
                    labelAgreement: Double(zip(reference.labels, labels).filter { $0 == $1 }.count)
                        / Double(labels.count),
                    embeddingCosine: Entry.Cosine(mean: meanCosine, min: minimumCosine),
                    results: [
                        BatchTiming(
                            batchSize: 1, latency: BatchTiming.Latency(batch1), sentencesPerSecond: 1000 / batch1.mean,
                            sentences: batch1.calls, passes: 1, stage: "classify"),
                        BatchTiming(
                            batchSize: 32, latency: BatchTiming.Latency(LatencySummary(seconds: batchSeconds)),
                            sentencesPerSecond: Double(texts.count) / batchSeconds.reduce(0, +), sentences: texts.count,
                            passes: 1, stage: "classify"),
                    ]))
        }
        return BundleComparison(
            data: data ?? dataset.name, examples: texts.count, baseline: folders.first ?? "", models: entries)
    }

    /// How the comparison names a bundle's weights: `float32`, `int8`, `int4 (groups of 32)`.
    static func describe(_ weights: ModelBundle.Weights) -> String {
        switch weights {
        case .float32: "float32"
        case .quantized(let format): format.description
        }
    }

    /// Mean and smallest cosine between matching rows.
    static func cosines(_ a: Tensor, _ b: Tensor) throws -> (mean: Double, minimum: Double) {
        guard a.shape == b.shape, a.rank == 2 else {
            throw ModelError.invalidInput("the bundles' embeddings differ in shape: \(a.shape) and \(b.shape)")
        }
        let width = a.shape[1]
        let values = (0..<a.shape[0]).map { row -> Double in
            var dot = 0.0
            var x = 0.0
            var y = 0.0
            for column in (row * width)..<((row + 1) * width) {
                let (p, q) = (Double(a.scalars[column]), Double(b.scalars[column]))
                dot += p * q
                x += p * p
                y += q * q
            }
            return x > 0 && y > 0 ? dot / (x * y).squareRoot() : (x == y ? 1 : 0)
        }
        return (values.reduce(0, +) / Double(max(values.count, 1)), values.min() ?? 1)
    }

    /// The bytes of every regular file under `folder`.
    static func bytes(under folder: String) -> Int {
        let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        return files.reduce(0) { total, file in
            let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + file)
            return total
                + (attributes?[.type] as? FileAttributeType == .typeRegular ? (attributes?[.size] as? Int ?? 0) : 0)
        }
    }
}
