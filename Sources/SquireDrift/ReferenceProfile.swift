public import Foundation
import SquireCore

/// What the model's outputs looked like at ship time, saved as JSON, so that later traffic
/// can be compared with it without the raw validation data.
///
/// Built from the model's own predictions on its validation data (with the true labels, for
/// the shipped accuracy). Besides the reference distributions it holds alert bands: how far
/// windows of the reference itself stray from the whole, so a production window is judged
/// against the reference's own sampling noise, not against a p-value that flags everything
/// once windows are large.
public struct ReferenceProfile: Sendable, Hashable, Codable {
    /// The schema version this library writes and reads.
    public static let currentSchemaVersion = 1

    /// The schema version of this profile.
    public var schemaVersion: Int
    /// The model version profiled.
    public var modelVersion: String?
    /// Every label the model can answer.
    public var labels: [String]
    /// How often each label was predicted.
    public var predictedLabels: CategoricalDistribution
    /// The confidences, sorted.
    public var confidences: [Double]
    /// Text lengths in characters, sorted; empty when texts were not given.
    public var textLengths: [Double]
    /// Unknown-token rates, sorted; empty when not given.
    public var unknownTokenRates: [Double]
    /// A projection of the embeddings, when given.
    public var embeddingSketch: EmbeddingSketch?
    /// Mean confidence.
    public var meanConfidence: Double
    /// Accuracy on the validation data; `nil` when no true labels were given.
    public var shippedAccuracy: Double?
    /// Expected calibration error on the validation data (10 equal-width bins).
    public var expectedCalibrationError: Double?
    /// The window size the bands were computed for.
    public var windowSize: Int
    /// Alert bands for windows of ``windowSize``; ``bands(forWindowSize:)`` gives them for any size.
    public var bands: AlertBands
    /// Reference chunks drawn per band; `nil` in profiles written before Squire recorded it.
    public var bandChunks: Int?

    /// Reference chunks drawn per band unless a profile says otherwise. With 200, the 99.5th
    /// percentile is the second largest chunk and a window of reference traffic lands beyond
    /// it about 1% of the time, twice the rate the band stands for; with 1,000, about 0.6%.
    public static let defaultBandChunks = 1000

    /// Builds a profile from the model's predictions on validation data.
    ///
    /// - Parameters:
    ///   - labels: every label the model can answer (observations must use only these, as
    ///     predictions and as true labels).
    ///   - windowSize: the production window size the alert bands are for.
    ///   - chunks: reference windows drawn (each without replacement) to set each band.
    public init(
        observations: [Observation], labels: [String], modelVersion: String? = nil, windowSize: Int = 500,
        chunks: Int = defaultBandChunks, seed: UInt64 = 0
    ) throws {
        guard observations.count >= 40 else {
            throw DriftInputError.invalidSetting(
                "a reference profile needs at least 40 validation predictions (got \(observations.count)) to set its alert bands"
            )
        }
        guard windowSize >= 20 else {
            throw DriftInputError.invalidSetting("windows of fewer than 20 predictions say nothing about drift")
        }
        guard chunks >= 20 else {
            throw DriftInputError.invalidSetting("at least 20 reference chunks are needed to set the bands")
        }
        let known = Set(labels)
        for observation in observations {
            try observation.validate(labels: known)
            // Production may bring true labels the model never learned; its validation data may not.
            if let trueLabel = observation.trueLabel, !known.contains(trueLabel) {
                throw DriftInputError.unknownLabel(trueLabel, known: known.sorted())
            }
        }
        let embeddings = observations.compactMap(\.embedding)
        schemaVersion = Self.currentSchemaVersion
        self.modelVersion = modelVersion ?? observations.first?.modelVersion
        self.labels = labels.sorted()
        predictedLabels = CategoricalDistribution(observations.map(\.label))
        confidences = observations.map(\.confidence).sorted()
        textLengths = observations.compactMap(\.textLength).sorted()
        unknownTokenRates = observations.compactMap(\.unknownTokenRate).sorted()
        embeddingSketch = embeddings.count >= 2 ? try EmbeddingSketch(embeddings: embeddings, seed: seed) : nil
        meanConfidence = confidences.reduce(0, +) / Double(confidences.count)
        let labelled = observations.filter { $0.trueLabel != nil }
        if labelled.isEmpty {
            shippedAccuracy = nil
            expectedCalibrationError = nil
        } else {
            shippedAccuracy = Double(labelled.filter { $0.trueLabel == $0.label }.count) / Double(labelled.count)
            expectedCalibrationError = Self.calibrationError(labelled)
        }
        self.windowSize = windowSize
        bandChunks = chunks
        bands = AlertBands()
        bands = try AlertBands(resampling: self, windowSize: windowSize, chunks: chunks, seed: seed)
    }

    /// The alert bands for windows of `size`: ``bands`` for the profile's own ``windowSize``,
    /// otherwise drawn afresh from the samples the profile stores — ``bandChunks`` chunks
    /// (``defaultBandChunks`` when the profile does not say), seeded by the size, so a size
    /// always gets the same bands.
    ///
    /// A profile written before Squire stored spare embedding projections
    /// (``EmbeddingSketch/spareVectors``) draws its embedding chunks from the sketch alone: at
    /// most 128 vectors against the other 128, a wider band than the profile's own. Rebuild
    /// the profile to draw them as it does.
    ///
    /// - Throws: `DriftInputError` when `size` is below 1.
    public func bands(forWindowSize size: Int) throws -> AlertBands {
        guard size != windowSize else { return bands }
        return try AlertBands(
            resampling: self, windowSize: size, chunks: bandChunks ?? Self.defaultBandChunks, seed: UInt64(size))
    }

    /// Σ over 10 equal-width confidence bins of (share of answers) × |accuracy − mean confidence|.
    static func calibrationError(_ labelled: [Observation]) -> Double {
        var bins = [(count: Double, correct: Double, confidence: Double)](repeating: (0, 0, 0), count: 10)
        for observation in labelled {
            let index = min(9, Int(observation.confidence * 10))
            bins[index].count += 1
            bins[index].correct += observation.trueLabel == observation.label ? 1 : 0
            bins[index].confidence += observation.confidence
        }
        return bins.reduce(0) { sum, bin in
            bin.count == 0
                ? sum
                : sum + bin.count / Double(labelled.count) * abs(bin.correct / bin.count - bin.confidence / bin.count)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case labels, confidences, bands
        case schemaVersion = "schema_version"
        case modelVersion = "model_version"
        case predictedLabels = "predicted_labels"
        case textLengths = "text_lengths"
        case unknownTokenRates = "unknown_token_rates"
        case embeddingSketch = "embedding_sketch"
        case meanConfidence = "mean_confidence"
        case shippedAccuracy = "shipped_accuracy"
        case expectedCalibrationError = "expected_calibration_error"
        case windowSize = "window_size"
        case bandChunks = "band_chunks"
    }
}

extension ReferenceProfile {
    /// Reads a profile; refuses other schema versions and inconsistent contents.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DriftFileError(path: url.path, reason: "cannot read the profile; check the path")
        }
        do { self = try JSONDecoder().decode(Self.self, from: data) } catch let error as DecodingError {
            throw DriftFileError(path: url.path, reason: "not a valid profile: \(error.summary)")
        }
        guard schemaVersion == Self.currentSchemaVersion else {
            throw DriftFileError(
                path: url.path,
                reason:
                    "schema_version \(schemaVersion); this Squire reads version \(Self.currentSchemaVersion) — rebuild it with `squire profile`"
            )
        }
        guard !confidences.isEmpty, !labels.isEmpty, windowSize >= 20 else {
            throw DriftFileError(
                path: url.path,
                reason:
                    "the profile has no confidences, no labels or a window below 20; rebuild it with `squire profile`")
        }
        // The sketch's sizes are allocated for every projected embedding: a projection wider
        // than its input (or negative), or vectors of another width, were not written by Squire.
        if let sketch = embeddingSketch {
            guard sketch.inputDimension >= 1, (1...sketch.inputDimension).contains(sketch.dimension),
                sketch.vectors.allSatisfy({ $0.count == sketch.dimension })
            else {
                throw DriftFileError(
                    path: url.path,
                    reason: "the profile's embedding sketch is inconsistent; rebuild it with `squire profile`")
            }
        }
    }

    /// Writes the profile atomically as JSON.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(self)), to: url.path)
    }
}
