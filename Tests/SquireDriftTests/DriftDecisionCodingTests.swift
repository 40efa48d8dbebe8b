import Foundation
import SquireDrift
import Testing

/// `drift.json` and `squire drift --json` stay readable across the move to typed reasons.
@Suite struct DriftDecisionCodingTests {
    func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    @Test func aDecisionSavedBeforeFindingsReadsAsItDid() throws {
        // Written by the monitor before typed reasons existed: a rollback, sentences only.
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/drift_decision_before_findings.json")
        let decision = try decoder().decode(DriftDecision.self, from: Data(contentsOf: url))
        #expect(decision.action == .rollback)
        #expect(decision.findings.isEmpty)
        #expect(
            decision.reasons == [
                "accuracy fell by 32.5% right after the switch to v2, and the previous version scores 100.0% on this window against 58.0%: roll back",
                "accuracy 58.0% (realized on 200 labels) vs shipped 89.8%: a drop of 31.8%, beyond the allowed 5.0%",
            ])
        // Saved again, it keeps its sentences.
        let again = try decoder().decode(DriftDecision.self, from: encoder().encode(decision))
        #expect(again == decision)
    }

    @Test func aNewDecisionCarriesItsFindingsAndTheirSentences() throws {
        var monitor = try DriftMonitor(profile: Traffic.profile)
        var decision: DriftDecision?
        for o in Traffic.make(200, seed: 451, length: 80...200) { decision = try monitor.observe(o) ?? decision }
        let shifted = try #require(decision)
        #expect(shifted.reasons == shifted.findings.map(\.description))
        #expect(
            shifted.findings.contains { if case .signalExceeded("text_length", _, _, _) = $0 { true } else { false } })

        let data = try encoder().encode(shifted)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        // Readers that know only the sentences find them where they were.
        #expect(json["reasons"] as? [String] == shifted.reasons)
        #expect((json["findings"] as? [Any])?.count == shifted.findings.count)
        #expect(String(decoding: data, as: UTF8.self).contains(#"{"signal_exceeded":{"allowed":0.1,"band":"#))
        #expect(try decoder().decode(DriftDecision.self, from: data) == shifted)
    }
}
