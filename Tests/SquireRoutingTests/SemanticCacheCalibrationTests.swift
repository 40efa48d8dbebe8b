import Foundation
import SquireRouting
import Testing

@Suite struct SemanticCacheCalibrationTests {
    // Five "same" pairs and ten "different" ones, similarities chosen by hand.
    let same = [0.99, 0.97, 0.95, 0.9, 0.8]
    let different = [0.96, 0.85, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0]
    var similarities: [Double] { same + different }
    var labels: [Bool] { same.map { _ in true } + different.map { _ in false } }

    @Test func theLowestThresholdWithinTheTargetByHand() throws {
        // One false hit in ten allowed: lowering the threshold past 0.96 costs it, past 0.85 a
        // second; so every pair down to 0.9 answers — 4 of 5 same pairs.
        let calibration = try SemanticCacheCalibration(
            similarities: similarities, same: labels, targetFalseHitRate: 0.1)
        #expect(calibration.threshold == 0.9)
        #expect(calibration.chosen.hits == 4 && calibration.chosen.falseHits == 1)
        #expect(calibration.chosen.hitRate == 0.8 && calibration.chosen.falseHitRate == 0.1)
        #expect(calibration.chosen.samePairs == 5 && calibration.chosen.differentPairs == 10)
        #expect(calibration.chosen.wrongShareOfAnswers == 0.2)

        // No false hit allowed: only the pairs above 0.96 answer; the threshold is the shortest
        // decimal above 0.96 that keeps 0.97, and it reads back as printed.
        let strict = try SemanticCacheCalibration(similarities: similarities, same: labels, targetFalseHitRate: 0)
        #expect(strict.threshold == 0.97)
        #expect(strict.chosen.hits == 2 && strict.chosen.falseHits == 0)
        for calibration in [calibration, strict] {
            #expect(Double("\(calibration.threshold)") == calibration.threshold)
        }

        // Any threshold in (0.9, 0.9234] gives the same answers; the shortest is chosen.
        let shifted = try SemanticCacheCalibration(
            similarities: [0.9234, 0.9, 0.86, 0.1], same: [true, false, true, false], targetFalseHitRate: 0)
        #expect(shifted.threshold == 0.92)
        let tight = try SemanticCacheCalibration(
            similarities: [0.9234, 0.92331, 0.86, 0.1], same: [true, false, true, false], targetFalseHitRate: 0)
        #expect(tight.threshold == 0.9234)
    }

    @Test func theEvaluationCountsPairsAtOrAboveTheThreshold() throws {
        let evaluation = try SemanticCacheEvaluation(similarities: similarities, same: labels, threshold: 0.85)
        #expect(evaluation.hits == 4 && evaluation.falseHits == 2)
        #expect(evaluation.hitRate == 0.8 && evaluation.falseHitRate == 0.2)
        let none = try SemanticCacheEvaluation(similarities: similarities, same: labels, threshold: 1)
        #expect(none.hits == 0 && none.falseHits == 0 && none.wrongShareOfAnswers == nil)
    }

    @Test func aTargetNoThresholdReachesIsAnError() throws {
        // The most similar pair is "different", tied with a "same" one: no threshold separates them.
        let error = #expect(throws: RoutingError.self) {
            try SemanticCacheCalibration(
                similarities: [0.9, 0.9, 0.5], same: [true, false, true], targetFalseHitRate: 0)
        }
        guard case .targetUnreachable = error else {
            Issue.record("expected targetUnreachable, got \(String(describing: error))")
            return
        }
    }

    @Test func badPairsAreRefused() {
        let cases: [(similarities: [Double], same: [Bool], target: Double)] = [
            ([], [], 0.01),  // empty
            ([0.5, 0.6], [true], 0.01),  // not parallel
            ([0.5, .nan], [true, false], 0.01),  // NaN
            ([0.5, .infinity], [true, false], 0.01),  // not finite
            ([0.5, 0.6], [true, true], 0.01),  // one label only
            ([0.5, 0.6], [true, false], 1),  // target out of range
            ([0.5, 0.6], [true, false], -0.1),
            ([0.5, 0.6], [true, false], .nan),
        ]
        for (similarities, same, target) in cases {
            let error = #expect(throws: RoutingError.self) {
                try SemanticCacheCalibration(similarities: similarities, same: same, targetFalseHitRate: target)
            }
            guard case .invalidSetting = error else {
                Issue.record("expected invalidSetting for \(similarities), got \(String(describing: error))")
                continue
            }
        }
        #expect(throws: RoutingError.self) {
            try SemanticCacheEvaluation(similarities: [0.5, 0.6], same: [true, false], threshold: .nan)
        }
    }

    @Test func reportsEncodeWithSnakeCaseKeys() throws {
        let calibration = try SemanticCacheCalibration(
            similarities: similarities, same: labels, targetFalseHitRate: 0.1)
        let json = String(decoding: try JSONEncoder().encode(calibration), as: UTF8.self)
        #expect(json.contains("\"target_false_hit_rate\"") && json.contains("\"false_hit_rate\""))
        #expect(try JSONDecoder().decode(SemanticCacheCalibration.self, from: Data(json.utf8)) == calibration)
    }
}
