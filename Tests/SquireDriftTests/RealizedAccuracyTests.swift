import Foundation
import SquireDrift
import Testing

/// With enough delayed labels, the realized accuracy decides whether a window alarms; the
/// label-free signals are reported beside it but cannot spend the budget.
@Suite struct RealizedAccuracyTests {
    /// Traffic that looks nothing like the reference — mostly refunds, long texts, low
    /// confidence — yet is answered as well as at ship time.
    static func different(_ w: Int, labelled: Bool) -> [Observation] {
        Traffic.make(
            200, seed: 40 + UInt64(w), mix: [0.1, 0.1, 0.8], accuracy: 0.9, confidence: 0.8, length: 80...200,
            labelled: labelled)
    }

    @Test func realizedAccuracyInItsBandOverrulesTheSignals() throws {
        var monitor = try DriftMonitor(profile: Traffic.profile)
        let decisions = try monitor.consume((0..<5).flatMap { Self.different($0, labelled: true) })
        #expect(decisions.map(\.action) == [.hold, .hold, .hold, .hold, .hold])
        for decision in decisions {
            let window = decision.window
            #expect(window.judgedOnLabels && !window.alarming)
            #expect(window.drifted, "the signals still report the shift")
            let realized = try #require(window.signals.first { $0.name == "realized_accuracy" })
            #expect(!realized.exceeded && realized.allowed == 0.05)
            #expect(decision.findings.contains(.signalsOverruledByLabels(labels: 200)))
        }
        // The same traffic without labels: the signals decide, and the budget is spent.
        var blind = try DriftMonitor(profile: Traffic.profile)
        let unlabelled = try blind.consume((0..<5).flatMap { Self.different($0, labelled: false) })
        #expect(unlabelled.contains { $0.action == .retrain })
    }

    @Test func realizedAccuracyBeyondItsBandAlarms() throws {
        // Windows of 400: the realized drop's band narrows with the labels behind it.
        var monitor = try DriftMonitor(profile: Traffic.profile, windowing: .count(400))
        // Looks like the reference in every signal, but a tenth fewer answers are right.
        let worse = (0..<4).flatMap { Traffic.make(400, seed: 50 + UInt64($0), accuracy: 0.8) }
        let decisions = try monitor.consume(worse)
        #expect(decisions.map(\.window.alarming) == [true, true, true, true])
        #expect(decisions.map(\.action) == [.hold, .hold, .retrain, .retrain])
        let realized = try #require(decisions[0].window.signals.first { $0.name == "realized_accuracy" })
        #expect(realized.exceeded && realized.value > realized.band && realized.band < 0.05)
    }
}
