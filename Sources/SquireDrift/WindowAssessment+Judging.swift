extension WindowAssessment {
    /// Judges a closed window against the profile: every signal against its band and the
    /// budget's allowance, the accuracy against the shipped figure, and whether it alarms.
    ///
    /// - Parameters:
    ///   - window: The window's predictions.
    ///   - shadows: The previous version's predictions for the same requests, where given.
    ///   - index: The window's position in the stream; also seeds the embedding test.
    ///   - bands: The profile's alert bands for windows of this window's size.
    ///   - permutations: Permutations for the embedding test's p-value.
    init(
        judging window: [Observation], shadows: [Observation?], index: Int, against profile: ReferenceProfile,
        bands: AlertBands, budget: DriftBudget, permutations: Int
    ) throws {
        let signals = try WindowSignals(window, against: profile, permutations: permutations, seed: UInt64(index))
        let allowed = budget.allowedDrift
        var list = [
            Self.drift(
                "predicted_labels", signals.labelDistance, band: bands.labelDistance, allowed: allowed.labelDistance,
                distance: true, pValue: signals.labelTest.pValue),
            Self.drift(
                "confidence", signals.confidenceStability, band: bands.confidenceStability,
                allowed: allowed.populationStability, pValue: signals.confidenceTest.pValue),
        ]
        if let value = signals.textLengthStability, let band = bands.textLengthStability {
            list.append(Self.drift("text_length", value, band: band, allowed: allowed.populationStability))
        }
        if let value = signals.unknownTokenStability, let band = bands.unknownTokenStability {
            list.append(Self.drift("unknown_token_rate", value, band: band, allowed: allowed.populationStability))
        }
        if let test = signals.embedding, let band = bands.embeddingDiscrepancy {
            list.append(
                Self.drift(
                    "embedding", test.statistic, band: band, allowed: allowed.embeddingDiscrepancy,
                    pValue: test.pValue))
        }
        // The label-free estimate is a signal too: a drop below the shipped figure larger than
        // reference windows show is drift the model's own confidence admits to. Its practical
        // allowance is the budget's maximum drop, which alarms on its own below.
        if let shipped = profile.shippedAccuracy {
            list.append(
                Signal(
                    name: "estimated_accuracy", value: shipped - signals.estimatedAccuracy,
                    band: bands.accuracyEstimateSpread, allowed: nil))
        }
        // Delayed labels measure what the signals above only hint at: with enough of them the
        // realized drop is judged against its own sampling noise and the budget's maximum drop.
        if let shipped = profile.shippedAccuracy, let realized = signals.realizedAccuracy,
            signals.labelledCount >= Self.labelsToTrustRealizedAccuracy
        {
            list.append(
                Signal(
                    name: "realized_accuracy", value: shipped - realized,
                    band: AlertBands.realizedAccuracyBand(
                        shipped: shipped, labelled: signals.labelledCount, reference: profile.confidences.count),
                    allowed: budget.maximumAccuracyDrop))
        }
        let known = Set(profile.labels)
        let versions = CategoricalDistribution(window.compactMap(\.modelVersion))
        let version = versions.counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
        self.init(
            index: index, count: window.count, modelVersion: version, start: window.compactMap(\.timestamp).min(),
            end: window.compactMap(\.timestamp).max(), signals: list, estimatedAccuracy: signals.estimatedAccuracy,
            estimateLower: max(0, signals.estimatedAccuracy - signals.estimateHalfWidth),
            estimateUpper: min(1, signals.estimatedAccuracy + signals.estimateHalfWidth),
            realizedAccuracy: signals.realizedAccuracy, labelledCount: signals.labelledCount,
            newLabels: CategoricalDistribution(window.compactMap(\.trueLabel).filter { !known.contains($0) }).counts,
            accuracyDrop: nil, previousVersionAccuracy: Self.previousVersionAccuracy(window, shadows), alarming: false)
        accuracyDrop = profile.shippedAccuracy.map { $0 - bestAccuracy }
        // Realized accuracy in its band overrules the proxies: traffic may look different
        // (fewer answers per label than the profile's windows, longer texts) and be answered as
        // well as at ship time, and that is no reason to retrain.
        alarming =
            judgedOnLabels
            ? self.signals.contains { $0.name == "realized_accuracy" && $0.exceeded }
            : drifted || (accuracyDrop ?? 0) > budget.maximumAccuracyDrop
    }

    /// A drift statistic's signal, exceeded only beyond its band *plus* its allowance: a window
    /// counts when not even a harmless drift of the allowed size, on top of the reference's
    /// sampling noise, explains it. Beyond the larger of the two, a real but harmless difference
    /// (a test split worded a little differently) crossed the band of small windows, where the
    /// band is above the allowance, as often as noise alone does. Divergences (PSI, MMD²) add;
    /// distances (Jensen–Shannon) add in quadrature, their squares being divergences.
    static func drift(
        _ name: String, _ value: Double, band: Double, allowed: Double, distance: Bool = false,
        pValue: Double? = nil
    ) -> Signal {
        var signal = Signal(name: name, value: value, band: band, allowed: allowed, pValue: pValue)
        signal.exceeded = value > (distance ? (band * band + allowed * allowed).squareRoot() : band + allowed)
        return signal
    }

    /// The previous version's accuracy on the window: realized on delayed labels when at
    /// least ``labelsToTrustRealizedAccuracy`` arrived, else its mean confidence; `nil` unless
    /// half the window has shadow answers.
    static func previousVersionAccuracy(_ window: [Observation], _ shadows: [Observation?]) -> Double? {
        let pairs = zip(window, shadows).compactMap { main, shadow in shadow.map { (main, $0) } }
        guard pairs.count * 2 >= window.count, !pairs.isEmpty else { return nil }
        let labelled = pairs.filter { $0.0.trueLabel != nil }
        if labelled.count >= labelsToTrustRealizedAccuracy {
            return Double(labelled.filter { $0.1.label == $0.0.trueLabel }.count) / Double(labelled.count)
        }
        return pairs.reduce(0) { $0 + $1.1.confidence } / Double(pairs.count)
    }
}
