import SquireCore

/// How far a window of reference traffic strays from the rest of the reference, per signal:
/// the 99.5th percentile over reference chunks. A production window beyond a band has
/// drifted more than the reference's own sampling noise explains.
///
/// Each chunk is a window drawn without replacement from the validation predictions and
/// judged against a profile of the *other* predictions, so the chunk is as independent of
/// its reference as a production window is. (Judging a resampled chunk against the whole
/// reference it came from understates the noise: on BANKING77 that made 42% of windows of
/// held-out test traffic alarm.) With fewer than two windows' worth of reference, chunks
/// shrink to half the reference, which widens the bands.
public struct AlertBands: Sendable, Hashable, Codable {
    /// Jensen–Shannon distance of the predicted-label distribution.
    public var labelDistance: Double
    /// PSI of the confidence distribution.
    public var confidenceStability: Double
    /// PSI of text lengths, when the profile has them.
    public var textLengthStability: Double?
    /// PSI of unknown-token rates, when the profile has them.
    public var unknownTokenStability: Double?
    /// MMD² of projected embeddings, when the profile has them.
    public var embeddingDiscrepancy: Double?
    /// How far the estimated accuracy of a reference chunk strays from its reference's accuracy.
    public var accuracyEstimateSpread: Double

    /// The share of reference chunks allowed above a band.
    public static let quantile = 0.995

    init() {
        labelDistance = 0
        confidenceStability = 0
        accuracyEstimateSpread = 0
    }

    init(for profile: ReferenceProfile, observations: [Observation], chunks: Int, seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        var labels: [Double] = []
        var confidence: [Double] = []
        var length: [Double] = []
        var unknown: [Double] = []
        var embedding: [Double] = []
        var accuracy: [Double] = []
        // Project every embedding once; chunks then pick rows.
        let projected: [[Double]]? = try profile.embeddingSketch.flatMap { sketch in
            let vectors = observations.compactMap(\.embedding)
            return vectors.count == observations.count ? try vectors.map { try sketch.project($0) } : nil
        }
        let size = min(profile.windowSize, observations.count / 2)
        for _ in 0..<chunks {
            let order = observations.indices.shuffled(using: &generator)
            let window = order.prefix(size).map { observations[$0] }
            let rest = order.dropFirst(size)
            let sketch = profile.embeddingSketch.map { sketch in
                var chunkSketch = sketch
                chunkSketch.vectors =
                    projected.map { rows in rest.prefix(sketch.vectors.count).map { rows[$0] } } ?? sketch.vectors
                return chunkSketch
            }
            let reference = ReferenceProfile(
                summarizing: rest.map { observations[$0] }, labels: profile.labels, modelVersion: profile.modelVersion,
                windowSize: profile.windowSize, sketch: sketch)
            let signals = try WindowSignals(
                window, against: reference, permutations: 0, seed: generator.next(),
                projectedEmbeddings: projected.map { rows in order.prefix(size).map { rows[$0] } })
            labels.append(signals.labelDistance)
            confidence.append(signals.confidenceStability)
            if let value = signals.textLengthStability { length.append(value) }
            if let value = signals.unknownTokenStability { unknown.append(value) }
            if let value = signals.embedding?.statistic { embedding.append(value) }
            accuracy.append(abs(signals.estimatedAccuracy - (reference.shippedAccuracy ?? reference.meanConfidence)))
        }
        func band(_ values: [Double]) -> Double? {
            values.isEmpty ? nil : PopulationStabilityIndex.quantile(values.sorted(), Self.quantile)
        }
        guard let labelBand = band(labels), let confidenceBand = band(confidence), let accuracyBand = band(accuracy)
        else { throw DriftInputError.invalidSetting("alert bands need at least one reference chunk") }
        labelDistance = labelBand
        confidenceStability = confidenceBand
        textLengthStability = band(length)
        unknownTokenStability = band(unknown)
        embeddingDiscrepancy = band(embedding)
        accuracyEstimateSpread = accuracyBand
    }

    private enum CodingKeys: String, CodingKey {
        case labelDistance = "label_js_distance"
        case confidenceStability = "confidence_psi"
        case textLengthStability = "text_length_psi"
        case unknownTokenStability = "unknown_token_psi"
        case embeddingDiscrepancy = "embedding_mmd2"
        case accuracyEstimateSpread = "accuracy_estimate_spread"
    }
}
