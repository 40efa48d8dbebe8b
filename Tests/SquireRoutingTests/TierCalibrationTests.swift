import Foundation
import SquireCore
import SquireRouting
import Testing

/// A small cascade's recorded answers: what `TierCalibration` is given.
struct TierInstance {
    var tiers: [TierCalibration.Tier]
    var correct: [String]
    var fallback: [String]?
    var fallbackPrice: Double

    var count: Int { correct.count }

    /// Random answers from `tiers` local tiers; confidences are coarse so that ties are common,
    /// and a tier is right more often when it is confident.
    static func random(tiers: Int, count: Int, coarse: Bool, using rng: inout SplitMix64) -> TierInstance {
        let labels = ["a", "b", "c"]
        let correct = (0..<count).map { _ in labels.randomElement(using: &rng)! }
        func wrong(_ label: String) -> String { label == "a" ? "b" : "a" }
        let tiers = (0..<tiers).map { _ in
            let skill = Double.random(in: 0.3...0.9, using: &rng)
            var answers: [String] = []
            var confidences: [Double] = []
            for label in correct {
                let confidence =
                    (Double.random(in: 0...1, using: &rng) * (coarse ? 10 : 100)).rounded() / (coarse ? 10 : 100)
                let right = Double.random(in: 0...1, using: &rng) < (skill + confidence) / 2
                answers.append(right ? label : wrong(label))
                confidences.append(confidence)
            }
            return TierCalibration.Tier(
                labels: answers, confidences: confidences,
                dollarsPer1000Calls: [0, 0.5, 1, 2].randomElement(using: &rng)!)
        }
        let fallback =
            Bool.random(using: &rng)
            ? nil : correct.map { Double.random(in: 0...1, using: &rng) < 0.85 ? $0 : wrong($0) }
        return TierInstance(
            tiers: tiers, correct: correct, fallback: fallback, fallbackPrice: [0, 1, 5].randomElement(using: &rng)!)
    }

    func calibrate(_ target: ThresholdCalibration.Target) throws -> TierCalibration {
        try TierCalibration(
            tiers: tiers, correctLabels: correct, fallbackLabels: fallback, target: target,
            fallbackDollarsPer1000: fallbackPrice)
    }
}

/// Where each request ends up with given thresholds, routed one request at a time as nested
/// cascades would: written apart from the calibration's search, to check it.
struct Routed: Equatable {
    var answered: [Int]
    var correct: [Int]
    var reached: [Int]
    var escalated = 0
    var escalatedCorrect = 0

    init(_ instance: TierInstance, thresholds: [Double]) {
        answered = Array(repeating: 0, count: thresholds.count)
        correct = answered
        reached = answered
        for request in 0..<instance.count {
            var taken = false
            for (index, tier) in instance.tiers.enumerated() {
                reached[index] += 1
                if tier.confidences[request] >= thresholds[index] {
                    answered[index] += 1
                    if tier.labels[request] == instance.correct[request] { correct[index] += 1 }
                    taken = true
                    break
                }
            }
            if !taken {
                escalated += 1
                if instance.fallback.map({ $0[request] == instance.correct[request] }) ?? true { escalatedCorrect += 1 }
            }
        }
    }

    var totalCorrect: Int { correct.reduce(0, +) + escalatedCorrect }

    func dollars(_ instance: TierInstance) -> Double {
        let n = Double(instance.count)
        return zip(instance.tiers, reached).reduce(0) { $0 + $1.0.dollarsPer1000Calls * Double($1.1) / n }
            + instance.fallbackPrice * Double(escalated) / n
    }

    func reaches(_ target: ThresholdCalibration.Target, count: Int) -> Bool {
        switch target {
        case .accuracy(let goal): Double(totalCorrect) / Double(count) >= goal - 1e-12
        case .escalationRate(let limit): Double(escalated) / Double(count) <= limit + 1e-12
        }
    }

    /// The objective as documented: accuracy first for an escalation target, then cost, then
    /// fallback calls, then answers from earlier tiers.
    func isBetter(than other: Routed, for target: ThresholdCalibration.Target, in instance: TierInstance) -> Bool {
        if case .escalationRate = target, totalCorrect != other.totalCorrect {
            return totalCorrect > other.totalCorrect
        }
        let (mine, theirs) = (dollars(instance), other.dollars(instance))
        if abs(mine - theirs) > 1e-9 { return mine < theirs }
        if escalated != other.escalated { return escalated < other.escalated }
        return answered.lexicographicallyPrecedes(other.answered, by: >)
    }
}

@Suite struct TierCalibrationTests {
    /// Every combination of thresholds: each tier's distinct confidences, and one above them all.
    func bruteForce(_ instance: TierInstance, target: ThresholdCalibration.Target) -> Routed? {
        let candidates = instance.tiers.map { Array(Set($0.confidences)).sorted() + [.infinity] }
        var best: Routed?
        func walk(_ prefix: [Double]) {
            guard prefix.count == candidates.count else {
                for threshold in candidates[prefix.count] { walk(prefix + [threshold]) }
                return
            }
            let routed = Routed(instance, thresholds: prefix)
            guard routed.reaches(target, count: instance.count) else { return }
            if best.map({ routed.isBetter(than: $0, for: target, in: instance) }) ?? true { best = routed }
        }
        walk([])
        return best
    }

    /// The chosen thresholds, routed again, give the reported shares, and they are the best there are.
    func expectMatchesBruteForce(_ instance: TierInstance, _ target: ThresholdCalibration.Target) throws {
        let calibration = try instance.calibrate(target)
        let best = bruteForce(instance, target: target)
        #expect(calibration.exhaustive)
        guard let chosen = calibration.chosen else {
            #expect(best == nil)
            return
        }
        let n = Double(instance.count)
        let routed = Routed(instance, thresholds: chosen.thresholds)
        #expect(routed == best, "\(target): \(chosen.thresholds)")
        #expect(chosen.tiers.map(\.answeredShare) == routed.answered.map { Double($0) / n })
        #expect(chosen.tiers.map(\.reachedShare) == routed.reached.map { Double($0) / n })
        #expect(chosen.escalationRate == Double(routed.escalated) / n)
        #expect(chosen.accuracy == Double(routed.totalCorrect) / n)
        #expect(abs(chosen.dollarsPer1000Requests - routed.dollars(instance)) < 1e-12)
        for (outcome, (answered, correct)) in zip(chosen.tiers, zip(routed.answered, routed.correct)) {
            #expect(outcome.accuracy == (answered > 0 ? Double(correct) / Double(answered) : nil))
            #expect(Double("\(outcome.threshold)") == outcome.threshold)  // reads back as printed
        }
    }

    @Test func twoTiersMatchAnExhaustiveSearch() throws {
        var rng = SplitMix64(seed: 32)
        for round in 0..<120 {
            let instance = TierInstance.random(tiers: 2, count: 30, coarse: round.isMultiple(of: 2), using: &rng)
            try expectMatchesBruteForce(instance, .accuracy(Double.random(in: 0.5...1, using: &rng)))
            try expectMatchesBruteForce(instance, .escalationRate(Double.random(in: 0...0.6, using: &rng)))
        }
        // The ends: everything may escalate, nothing may, and perfection.
        let instance = TierInstance.random(tiers: 2, count: 25, coarse: false, using: &rng)
        for target in [ThresholdCalibration.Target.accuracy(1), .accuracy(0), .escalationRate(0), .escalationRate(1)] {
            try expectMatchesBruteForce(instance, target)
        }
    }

    @Test func threeTiersMatchAnExhaustiveSearch() throws {
        var rng = SplitMix64(seed: 77)
        for _ in 0..<25 {
            // Coarse confidences: at most 11 thresholds a tier, under the cap, so the search is exact.
            let instance = TierInstance.random(tiers: 3, count: 24, coarse: true, using: &rng)
            try expectMatchesBruteForce(instance, .accuracy(Double.random(in: 0.6...1, using: &rng)))
            try expectMatchesBruteForce(instance, .escalationRate(Double.random(in: 0...0.5, using: &rng)))
        }
    }

    @Test func oneTierChoosesThresholdCalibrationsPoint() throws {
        var rng = SplitMix64(seed: 5)
        for round in 0..<200 {
            let instance = TierInstance.random(tiers: 1, count: 40, coarse: round.isMultiple(of: 3), using: &rng)
            let tier = instance.tiers[0]
            let target: ThresholdCalibration.Target =
                round.isMultiple(of: 2)
                ? .accuracy(Double.random(in: 0.4...1, using: &rng))
                : .escalationRate(Double.random(in: 0...1, using: &rng))
            let single = try ThresholdCalibration(
                localLabels: tier.labels, localConfidences: tier.confidences, correctLabels: instance.correct,
                fallbackCorrect: instance.fallback.map { zip($0, instance.correct).map { $0 == $1 } }, target: target,
                localDollarsPer1000: tier.dollarsPer1000Calls, fallbackDollarsPer1000: instance.fallbackPrice)
            let tiers = try instance.calibrate(target)
            #expect(tiers.tierAccuracies == [single.localAccuracy])
            #expect(tiers.fallbackAccuracy == single.fallbackAccuracy)
            #expect(tiers.fallbackOnlyDollarsPer1000Requests == single.fallbackOnlyDollarsPer1000Requests)
            #expect((tiers.chosen == nil) == (single.chosen == nil))
            if let chosen = tiers.chosen, let point = single.chosen {
                #expect(chosen.thresholds == [point.threshold])
                #expect(chosen.escalationRate == point.escalationRate)
                #expect(chosen.accuracy == point.accuracy)
                #expect(chosen.dollarsPer1000Requests == point.dollarsPer1000Requests)
                #expect(tiers.savedDollarsPer1000Requests == single.savedDollarsPer1000Requests)
            }
        }
    }

    @Test func freeTiersAnswerAllTheyCanFirstTierFirst() throws {
        // Every answer is "a". Request 3 must go to the fallback (tier 1 could only take it
        // together with its wrong request 2, tier 2 is wrong on it); the rest can be answered by
        // either tier in several splits, all with one fallback call. The first tier takes
        // as many as it can: requests 0 and 1.
        let tiers = [
            TierCalibration.Tier(labels: ["a", "a", "b", "a"], confidences: [0.9, 0.8, 0.7, 0.6]),
            TierCalibration.Tier(labels: ["a", "a", "a", "b"], confidences: [0.9, 0.9, 0.9, 0.5]),
        ]
        for fallbackPrice in [0.0, 1] {
            let calibration = try TierCalibration(
                tiers: tiers, correctLabels: ["a", "a", "a", "a"], target: .accuracy(1),
                fallbackDollarsPer1000: fallbackPrice)
            let chosen = try #require(calibration.chosen)
            #expect(chosen.thresholds == [0.8, 0.9])
            #expect(chosen.tiers.map(\.answeredShare) == [0.5, 0.25])
            #expect(chosen.tiers.map(\.reachedShare) == [1, 0.5])
            #expect(chosen.tiers.map(\.accuracy) == [1, 1])
            #expect(chosen.escalationRate == 0.25)
            #expect(chosen.accuracy == 1)
            #expect(chosen.dollarsPer1000Requests == 0.25 * fallbackPrice)
            #expect(calibration.tierAccuracies == [0.75, 0.75])
        }
    }

    @Test func costComesBeforeFallbackCalls() throws {
        // One mistake of three is allowed. Tier 1 can spend it on request 1, leaving request 2
        // for tier 2, which is wrong on it: one fallback call. Or tier 1 stops after request 0
        // and tier 2 answers both others (right on 1, the allowed mistake on 2): no fallback
        // call, but two requests pay for tier 2.
        let tiers = [
            TierCalibration.Tier(labels: ["a", "b", "b"], confidences: [0.9, 0.8, 0.1]),
            TierCalibration.Tier(labels: ["b", "a", "b"], confidences: [0.1, 0.9, 0.8], dollarsPer1000Calls: 3),
        ]
        let expensive = try TierCalibration(
            tiers: tiers, correctLabels: ["a", "a", "a"], target: .accuracy(2.0 / 3), fallbackDollarsPer1000: 1)
        #expect(expensive.chosen?.thresholds == [0.8, 1])
        #expect(expensive.chosen?.escalationRate == 1.0 / 3)
        #expect(abs((expensive.chosen?.dollarsPer1000Requests ?? 0) - 4.0 / 3) < 1e-12)
        #expect(expensive.chosen?.tiers[1].accuracy == nil)  // it answered nothing

        var free = tiers
        free[1].dollarsPer1000Calls = 0
        let cheap = try TierCalibration(
            tiers: free, correctLabels: ["a", "a", "a"], target: .accuracy(2.0 / 3), fallbackDollarsPer1000: 1)
        #expect(cheap.chosen?.thresholds == [0.9, 0])
        #expect(cheap.chosen?.escalationRate == 0)
        #expect(cheap.chosen?.tiers.map(\.answeredShare) == [1.0 / 3, 2.0 / 3])
        #expect(cheap.chosen?.escalatedAccuracy == nil)
    }

    @Test func manyTiersSearchQuantilesAndStillRouteAsReported() throws {
        var rng = SplitMix64(seed: 9)
        let instance = TierInstance.random(tiers: 3, count: 600, coarse: false, using: &rng)
        let calibration = try instance.calibrate(.accuracy(0.8))
        #expect(!calibration.exhaustive)  // 100 distinct confidences and the cap of 100 cuts a tier
        let chosen = try #require(calibration.chosen)
        let routed = Routed(instance, thresholds: chosen.thresholds)
        #expect(chosen.tiers.map(\.answeredShare) == routed.answered.map { Double($0) / 600 })
        #expect(Double(routed.totalCorrect) / 600 >= 0.8)
        // Two tiers of 5,000 requests: exact, and quick enough to run in a test.
        let large = TierInstance.random(tiers: 2, count: 5_000, coarse: false, using: &rng)
        let exact = try large.calibrate(.accuracy(0.85))
        #expect(exact.exhaustive)
        if let point = exact.chosen {
            let routedLarge = Routed(large, thresholds: point.thresholds)
            #expect(point.escalationRate == Double(routedLarge.escalated) / 5_000)
        }
    }

    @Test func encodesWithSnakeCaseKeysAndDecodesBack() throws {
        var rng = SplitMix64(seed: 1)
        let calibration = try TierInstance.random(tiers: 2, count: 20, coarse: true, using: &rng).calibrate(
            .escalationRate(0.5))
        let data = try JSONEncoder().encode(calibration)
        #expect(try JSONDecoder().decode(TierCalibration.self, from: data) == calibration)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "count", "tier_accuracies", "tier_dollars_per_1000_calls", "fallback_accuracy",
                "fallback_only_dollars_per_1000_requests", "chosen", "exhaustive",
            ])
        let chosen = try #require(object["chosen"] as? [String: Any])
        #expect(Set(chosen.keys).isSuperset(of: ["tiers", "escalation_rate", "accuracy", "dollars_per_1000_requests"]))
        let tier = try #require((chosen["tiers"] as? [[String: Any]])?.first)
        #expect(Set(tier.keys).isSuperset(of: ["threshold", "reached_share", "answered_share"]))
    }

    @Test func rejectsInputItCannotUse() throws {
        let tier = TierCalibration.Tier(labels: ["a", "b"], confidences: [0.9, 0.4])
        func calibrate(
            _ tiers: [TierCalibration.Tier], correct: [String] = ["a", "a"], fallback: [String]? = nil,
            target: ThresholdCalibration.Target = .accuracy(0.9), price: Double = 0
        ) throws {
            _ = try TierCalibration(
                tiers: tiers, correctLabels: correct, fallbackLabels: fallback, target: target,
                fallbackDollarsPer1000: price)
        }
        #expect(throws: Never.self) { try calibrate([tier, tier]) }
        #expect(throws: RoutingError.self) { try calibrate([]) }
        #expect(throws: RoutingError.self) {
            try calibrate([TierCalibration.Tier(labels: [], confidences: [])], correct: [])
        }
        #expect(throws: RoutingError.self) { try calibrate([tier], correct: ["a"]) }
        #expect(throws: RoutingError.self) {
            try calibrate([tier, TierCalibration.Tier(labels: ["a", "b"], confidences: [0.9])])
        }
        #expect(throws: RoutingError.self) { try calibrate([tier], fallback: ["a"]) }
        for bad in [Double.nan, .infinity] {
            #expect(throws: RoutingError.self) {
                try calibrate([tier, TierCalibration.Tier(labels: ["a", "b"], confidences: [bad, 0.4])])
            }
        }
        for target in [ThresholdCalibration.Target.accuracy(1.5), .accuracy(-0.1), .escalationRate(2)] {
            #expect(throws: RoutingError.self) { try calibrate([tier], target: target) }
        }
        #expect(throws: RoutingError.self) { try calibrate([tier], price: -1) }
        #expect(throws: RoutingError.self) { try calibrate([tier], price: .nan) }
        #expect(throws: RoutingError.self) {
            try calibrate([
                TierCalibration.Tier(labels: ["a", "b"], confidences: [0.9, 0.4], dollarsPer1000Calls: -0.5)
            ])
        }
    }
}
