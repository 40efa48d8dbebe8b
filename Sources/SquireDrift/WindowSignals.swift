import SquireCore

/// Every drift signal of one window against a profile.
struct WindowSignals {
    var labelDistance: Double
    var labelTest: ChiSquareTest
    var confidenceStability: Double
    var confidenceTest: KolmogorovSmirnovTest
    var textLengthStability: Double?
    var unknownTokenStability: Double?
    var embedding: MaximumMeanDiscrepancyTest?
    var meanConfidence: Double
    var estimatedAccuracy: Double
    var estimateHalfWidth: Double
    var realizedAccuracy: Double?
    var labelledCount: Int

    /// Besides the distances judged against the bands, runs the tests reported as evidence
    /// (chi-square, KS, the embedding test's permutations).
    init(_ window: [Observation], against profile: ReferenceProfile, permutations: Int, seed: UInt64) throws {
        guard !window.isEmpty else { throw DriftInputError.empty("window") }
        let current = CategoricalDistribution(window.map(\.label))
        labelDistance = try Distance.jensenShannon(profile.predictedLabels, current)
        let confidences = window.map(\.confidence)
        confidenceStability = try PopulationStabilityIndex.index(reference: profile.confidences, current: confidences)
        labelTest = try ChiSquareTest(reference: profile.predictedLabels, current: current)
        confidenceTest = try KolmogorovSmirnovTest(profile.confidences, confidences)
        let lengths = window.compactMap(\.textLength)
        if !profile.textLengths.isEmpty, !lengths.isEmpty {
            textLengthStability = try PopulationStabilityIndex.index(reference: profile.textLengths, current: lengths)
        }
        let rates = window.compactMap(\.unknownTokenRate)
        if !profile.unknownTokenRates.isEmpty, !rates.isEmpty {
            unknownTokenStability = try PopulationStabilityIndex.index(
                reference: profile.unknownTokenRates, current: rates)
        }
        if let sketch = profile.embeddingSketch {
            let vectors = try window.compactMap(\.embedding).map(sketch.project)
            if vectors.count >= 2 {
                var generator = SplitMix64(seed: seed)
                let sample =
                    vectors.count > sketch.vectors.count
                    ? Array(vectors.shuffled(using: &generator).prefix(sketch.vectors.count)) : vectors
                embedding = try MaximumMeanDiscrepancyTest(
                    reference: sketch.vectors, current: sample, permutations: permutations, seed: seed)
            }
        }
        meanConfidence = confidences.reduce(0, +) / Double(confidences.count)
        // Confidence-based estimate: with calibrated confidences the expected accuracy is
        // their mean; the reference's own gap (shipped accuracy − mean confidence) corrects
        // a model that was miscalibrated by the same amount at ship time.
        let correction = profile.shippedAccuracy.map { $0 - profile.meanConfidence } ?? 0
        estimatedAccuracy = min(1, max(0, meanConfidence + correction))
        // Each answer is right with probability p: the count's variance is Σ p(1 − p).
        let variance = confidences.reduce(0) { $0 + $1 * (1 - $1) }
        estimateHalfWidth = 1.96 * variance.squareRoot() / Double(confidences.count)
        let labelled = window.filter { $0.trueLabel != nil }
        labelledCount = labelled.count
        realizedAccuracy =
            labelled.isEmpty ? nil : Double(labelled.filter { $0.trueLabel == $0.label }.count) / Double(labelled.count)
    }
}
