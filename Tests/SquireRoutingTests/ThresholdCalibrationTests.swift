import SquireCore
import SquireEval
import SquireRouting
import Testing

@Suite struct ThresholdCalibrationTests {
    // Ten requests: confidences and whether the local model got them right.
    let confidences = [0.99, 0.95, 0.93, 0.9, 0.85, 0.8, 0.7, 0.6, 0.55, 0.5]
    let right = [true, true, true, true, true, false, true, false, false, false]

    func calibrate(_ target: ThresholdCalibration.Target, fallbackCorrect: [Bool]? = nil) throws -> ThresholdCalibration
    {
        try ThresholdCalibration(
            localLabels: right.map { $0 ? "a" : "b" }, localConfidences: confidences,
            correctLabels: Array(repeating: "a", count: 10),
            fallbackCorrect: fallbackCorrect, target: target, localDollarsPer1000: 0.01, fallbackDollarsPer1000: 2)
    }

    @Test func curveAndChosenThresholdByHand() throws {
        let calibration = try calibrate(.accuracy(0.9))
        #expect(calibration.localAccuracy == 0.6)
        #expect(calibration.fallbackAccuracy == 1)
        #expect(calibration.points.count == 11)
        // Escalating the 3 least confident (0.5, 0.55, 0.6), all wrong, gives 0.9 at 30%;
        // answers at 0.7 and above stay local.
        let chosen = try #require(calibration.chosen)
        #expect(chosen.escalationRate == 0.3)
        #expect(abs(chosen.accuracy - 0.9) < 1e-12)
        #expect(chosen.threshold == 0.7)
        #expect(abs(chosen.dollarsPer1000Requests - 0.61) < 1e-12)  // 0.01 + 0.3 × 2
        #expect(abs(try #require(calibration.savedDollarsPer1000Requests) - 1.39) < 1e-12)
        // PGR at each point: (acc − 0.6) / 0.4; the curve's area by trapezoids of width 0.1:
        // 0.0125 + 0.0375 + 0.0625 + 0.075 + 0.0875 + 5 × 0.1 = 0.775.
        let pgr = calibration.points.map { $0.gapRecovered! }
        #expect(zip(pgr, [0, 0.25, 0.5, 0.75, 0.75, 1, 1, 1, 1, 1, 1]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(abs(try #require(calibration.averageGapRecovered) - 0.775) < 1e-12)
        #expect(calibration.escalationRate(recoveringGap: 0.5) == 0.2)
        #expect(calibration.escalationRate(recoveringGap: 0.8) == 0.5)
        #expect(abs(calibration.randomRouterAccuracy(escalationRate: 0.4) - 0.76) < 1e-12)
    }

    @Test func everyThresholdReadsBackAsPrintedAndRoutesAsReported() throws {
        // Every confidence 0.5: escalating all needs a threshold above 0.5. It used to be
        // 0.5's next double, printed "0.5000", which given back to a cascade escalated nothing.
        let flat = try ThresholdCalibration(
            localLabels: Array(repeating: "b", count: 4), localConfidences: Array(repeating: 0.5, count: 4),
            correctLabels: Array(repeating: "a", count: 4), target: .accuracy(1), localDollarsPer1000: 0,
            fallbackDollarsPer1000: 1)
        #expect(flat.chosen?.escalationRate == 1)
        #expect(flat.chosen?.threshold == 1)
        for (calibration, confidences) in [
            (flat, Array(repeating: 0.5, count: 4)), (try calibrate(.accuracy(0.9)), confidences),
        ] {
            for point in calibration.points {
                let printed = try #require(Double("\(point.threshold)"))
                #expect(printed == point.threshold)
                let escalated = confidences.filter { $0 < printed }.count
                #expect(Double(escalated) / Double(confidences.count) == point.escalationRate)
            }
        }
        #expect(ThresholdCalibration.shortestDecimal(above: 0.123456, atMost: 0.1235) == 0.1235)
        #expect(ThresholdCalibration.shortestDecimal(above: 0.6, atMost: 0.7) == 0.7)
        #expect(ThresholdCalibration.shortestDecimal(above: 0.61, atMost: 0.69) == 0.69)
    }

    @Test func bestAccuracyWithinAnEscalationBudget() throws {
        let calibration = try calibrate(.escalationRate(0.35))
        #expect(calibration.chosen?.escalationRate == 0.3)
        #expect(abs((calibration.chosen?.accuracy ?? 0) - 0.9) < 1e-12)
    }

    @Test func anImperfectFallbackAndTies() throws {
        // The fallback misses the last request; ties at 0.9 move together.
        let calibration = try ThresholdCalibration(
            localLabels: ["a", "b", "a", "b"], localConfidences: [0.9, 0.9, 0.6, 0.5],
            correctLabels: ["a", "a", "a", "a"],
            fallbackCorrect: [true, true, true, false], target: .accuracy(1))
        #expect(calibration.points.map(\.escalationRate) == [0, 0.25, 0.5, 1])
        #expect(calibration.points.map(\.accuracy) == [0.5, 0.5, 0.5, 0.75])
        #expect(calibration.chosen == nil)  // unreachable: the fallback itself is at 0.75
    }

    @Test func fromEvalReports() throws {
        let predictions = zip(confidences, right).enumerated().map { i, pair in
            Prediction(
                id: "\(i)", expected: "a", classification: Classification(label: pair.1 ? "a" : "b", confidence: pair.0)
            )
        }
        let local = EvalReport(model: "local", dataset: "d", predictions: predictions)
        let calibration = try ThresholdCalibration(local: local, target: .accuracy(0.9))
        #expect(calibration.chosen?.escalationRate == 0.3)
        #expect(throws: RoutingError.self) {
            try ThresholdCalibration(localLabels: [], localConfidences: [], correctLabels: [], target: .accuracy(0.9))
        }
        #expect(throws: RoutingError.self) {
            try ThresholdCalibration(
                localLabels: ["a"], localConfidences: [.nan], correctLabels: ["a"], target: .accuracy(0.9))
        }
    }
}
