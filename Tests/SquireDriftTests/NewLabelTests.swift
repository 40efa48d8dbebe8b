import Foundation
import SquireDrift
import Testing

/// A true label the profile does not know is news about the traffic — a new intent — and the
/// monitor reports it as a reason; it is not an input error.
@Suite struct NewLabelTests {
    @Test func anUnknownTrueLabelIsReportedAsANewLabel() throws {
        var window = Traffic.make(200, seed: 80)
        for i in stride(from: 0, to: 200, by: 10) { window[i].trueLabel = "loans" }
        window[5].trueLabel = "crypto"
        var monitor = try DriftMonitor(profile: Traffic.profile)
        let decision = try #require(try monitor.consume(window).first)
        #expect(decision.window.newLabels == ["loans": 20, "crypto": 1])
        let reported = decision.findings.filter { if case .newLabel = $0 { true } else { false } }
        #expect(reported == [.newLabel(label: "loans", count: 20), .newLabel(label: "crypto", count: 1)])
        #expect(
            decision.reasons.contains(
                "new label: \"loans\" arrived as the true label 20 times, and the model does not know it; retrain with examples of it"
            ))
        // The model cannot answer a label it does not know: those requests count as errors.
        let right = window.filter { $0.trueLabel == $0.label }.count
        #expect(decision.window.realizedAccuracy == Double(right) / 200)

        // A predicted label the profile does not know still means a profile of another model.
        #expect(throws: DriftInputError.unknownLabel("loans", known: Traffic.labels)) {
            try monitor.observe(Observation(label: "loans", confidence: 0.8))
        }
    }
}
