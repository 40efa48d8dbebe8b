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
    /// Alert bands for windows of ``windowSize``.
    public var bands: AlertBands

    /// Builds a profile from the model's predictions on validation data.
    ///
    /// - Parameters:
    ///   - labels: every label the model can answer (observations must use only these).
    ///   - windowSize: the production window size the alert bands are for.
    ///   - chunks: reference windows drawn (with replacement) to set the bands.
    public init(
        observations: [Observation], labels: [String], modelVersion: String? = nil, windowSize: Int = 500,
        chunks: Int = 200, seed: UInt64 = 0
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
        for observation in observations { try observation.validate(labels: known) }
        let embeddings = observations.compactMap(\.embedding)
        let sketch = embeddings.count >= 2 ? try EmbeddingSketch(embeddings: embeddings, seed: seed) : nil
        self.init(
            summarizing: observations, labels: labels, modelVersion: modelVersion, windowSize: windowSize,
            sketch: sketch)
        bands = try AlertBands(for: self, observations: observations, chunks: chunks, seed: seed)
    }

    /// The distributions of `observations`, without alert bands.
    init(
        summarizing observations: [Observation], labels: [String], modelVersion: String?, windowSize: Int,
        sketch: EmbeddingSketch?
    ) {
        schemaVersion = Self.currentSchemaVersion
        self.modelVersion = modelVersion ?? observations.first?.modelVersion
        self.labels = labels.sorted()
        predictedLabels = CategoricalDistribution(observations.map(\.label))
        confidences = observations.map(\.confidence).sorted()
        textLengths = observations.compactMap(\.textLength).sorted()
        unknownTokenRates = observations.compactMap(\.unknownTokenRate).sorted()
        embeddingSketch = sketch
        meanConfidence = confidences.reduce(0, +) / Double(max(confidences.count, 1))
        let labelled = observations.filter { $0.trueLabel != nil }
        if labelled.isEmpty {
            shippedAccuracy = nil
            expectedCalibrationError = nil
        } else {
            shippedAccuracy = Double(labelled.filter { $0.trueLabel == $0.label }.count) / Double(labelled.count)
            expectedCalibrationError = Self.calibrationError(labelled)
        }
        self.windowSize = windowSize
        bands = AlertBands()
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
