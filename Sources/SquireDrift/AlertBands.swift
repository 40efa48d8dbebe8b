import SquireCore

/// How far a window of the reference strays from the whole reference, per signal: the
/// 99.5th percentile over reference chunks. A production window beyond a band has drifted
/// more than the reference's own sampling noise explains.
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
    /// How far the estimated accuracy of a reference chunk strays from the shipped figure.
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
        for _ in 0..<chunks {
            let chunk = (0..<profile.windowSize).map { _ in observations[Int.random(in: 0..<observations.count, using: &generator)] }
            let signals = try WindowSignals(chunk, against: profile, permutations: 0, seed: generator.next())
            labels.append(signals.labelDistance)
            confidence.append(signals.confidenceStability)
            if let value = signals.textLengthStability { length.append(value) }
            if let value = signals.unknownTokenStability { unknown.append(value) }
            if let value = signals.embedding?.statistic { embedding.append(value) }
            accuracy.append(abs(signals.estimatedAccuracy - (profile.shippedAccuracy ?? profile.meanConfidence)))
        }
        func band(_ values: [Double]) -> Double? {
            values.isEmpty ? nil : PopulationStabilityIndex.quantile(values.sorted(), Self.quantile)
        }
        labelDistance = band(labels)!
        confidenceStability = band(confidence)!
        textLengthStability = band(length)
        unknownTokenStability = band(unknown)
        embeddingDiscrepancy = band(embedding)
        accuracyEstimateSpread = band(accuracy)!
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
