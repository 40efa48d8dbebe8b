import SquireCore

/// How far a window of reference traffic strays from the rest of the reference, per signal:
/// the 99.5th percentile over reference chunks of one window size. A production window beyond
/// a band has drifted more than the reference's own sampling noise explains.
///
/// A band holds for one window size: the noise of a window of 100 answers spread over 150
/// labels is far larger than that of a window of 1,000. ``ReferenceProfile/bands`` are for the
/// profile's own window size; ``ReferenceProfile/bands(forWindowSize:)`` draws them for any
/// other, and ``DriftMonitor`` judges every window against the bands of its own size.
///
/// Each chunk is a window drawn without replacement from the profile's samples and judged
/// against the *rest* of them, so the chunk is as independent of its reference as a production
/// window is. (Judging a resampled chunk against the whole reference it came from understates
/// the noise: on BANKING77 that made 42% of windows of held-out test traffic alarm.) Every
/// band is the quantile of one signal, so each signal is resampled from its own stored sample
/// and the profile needs no joint record of the validation predictions. A window larger than
/// half a sample is judged by chunks of half the sample, whose wider bands alarm less readily.
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

    /// The standard normal's 99.5th percentile, for bands with a closed form.
    static let normalQuantile = 2.575_829

    /// Zero bands: a placeholder until a profile has drawn its own.
    init() {
        labelDistance = 0
        confidenceStability = 0
        accuracyEstimateSpread = 0
    }

    /// Draws `chunks` windows of `windowSize` from each of the profile's samples.
    init(resampling profile: ReferenceProfile, windowSize: Int, chunks: Int, seed: UInt64) throws {
        guard windowSize >= 1, chunks >= 1 else {
            throw DriftInputError.invalidSetting("alert bands need a window of at least one prediction and one chunk")
        }
        var generator = SplitMix64(seed: seed)
        let labels = profile.predictedLabels.counts.sorted { $0.key < $1.key }.flatMap {
            repeatElement($0.key, count: $0.value)
        }
        let pool = profile.embeddingSketch.map { $0.vectors + $0.spareVectors } ?? []
        var distances: [Double] = []
        var confidence: [Double] = []
        var accuracy: [Double] = []
        var length: [Double] = []
        var unknown: [Double] = []
        var embedding: [Double] = []
        for _ in 0..<chunks {
            let label = Self.split(labels, windowSize, using: &generator)
            distances.append(
                try Distance.jensenShannon(CategoricalDistribution(label.rest), CategoricalDistribution(label.window)))
            let scores = Self.split(profile.confidences, windowSize, using: &generator)
            confidence.append(try PopulationStabilityIndex.index(reference: scores.rest, current: scores.window))
            // The estimate is the window's mean confidence shifted by the reference's calibration
            // gap, so its distance from the reference's accuracy is the gap between the means.
            accuracy.append(abs(Self.mean(scores.window) - Self.mean(scores.rest)))
            if profile.textLengths.count >= 2 {
                let lengths = Self.split(profile.textLengths, windowSize, using: &generator)
                length.append(try PopulationStabilityIndex.index(reference: lengths.rest, current: lengths.window))
            }
            if profile.unknownTokenRates.count >= 2 {
                let rates = Self.split(profile.unknownTokenRates, windowSize, using: &generator)
                unknown.append(try PopulationStabilityIndex.index(reference: rates.rest, current: rates.window))
            }
            // A window's embeddings are compared by at most as many vectors as the sketch keeps.
            if let sketch = profile.embeddingSketch, min(windowSize, pool.count / 2) >= 2 {
                let vectors = Self.split(pool, min(windowSize, sketch.vectors.count), using: &generator)
                embedding.append(
                    try MaximumMeanDiscrepancyTest(
                        reference: Array(vectors.rest.prefix(sketch.vectors.count)), current: vectors.window,
                        permutations: 0
                    ).statistic)
            }
        }
        func band(_ values: [Double]) -> Double? {
            values.isEmpty ? nil : PopulationStabilityIndex.quantile(values.sorted(), Self.quantile)
        }
        labelDistance = band(distances) ?? 0
        confidenceStability = band(confidence) ?? 0
        accuracyEstimateSpread = band(accuracy) ?? 0
        textLengthStability = band(length)
        unknownTokenStability = band(unknown)
        embeddingDiscrepancy = band(embedding)
    }

    /// How far below the shipped accuracy the realized accuracy on `labelled` delayed labels
    /// falls by chance: the 99.5th percentile of the gap between two binomial proportions (the
    /// window's and the reference's `reference` answers), by the normal approximation.
    static func realizedAccuracyBand(shipped: Double, labelled: Int, reference: Int) -> Double {
        let variance = shipped * (1 - shipped) * (1 / Double(max(labelled, 1)) + 1 / Double(max(reference, 1)))
        return normalQuantile * variance.squareRoot()
    }

    /// A window of `size` (at most half of `values`) drawn without replacement, and the rest.
    private static func split<Element>(_ values: [Element], _ size: Int, using generator: inout SplitMix64)
        -> (window: [Element], rest: [Element])
    {
        let order = values.indices.shuffled(using: &generator)
        let count = max(1, min(size, values.count / 2))
        return (order.prefix(count).map { values[$0] }, order.dropFirst(count).map { values[$0] })
    }

    private static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

    private enum CodingKeys: String, CodingKey {
        case labelDistance = "label_js_distance"
        case confidenceStability = "confidence_psi"
        case textLengthStability = "text_length_psi"
        case unknownTokenStability = "unknown_token_psi"
        case embeddingDiscrepancy = "embedding_mmd2"
        case accuracyEstimateSpread = "accuracy_estimate_spread"
    }
}
