import Foundation
import SquireCore
import SquireRouting
import SquireTesting
import Testing

@Suite struct ShadowAndCanaryTests {
    @Test func shadowLeavesAnswersAloneAndLogsDisagreements() async throws {
        let log = ShadowLog()
        let shadow = Shadow(live: frontierModel, candidate: Slow(localModel, delay: .milliseconds(20)), log: log)
        let answers = try await shadow.classify(["my card", "hello", "refund please"])
        #expect(answers.map(\.label) == ["lost_card", "other", "other"])  // the live model's
        await log.drain()
        let entries = await log.entries
        #expect(entries.map(\.candidateLabel) == ["card", "other", "refund"])
        #expect(await log.agreementRate == 1.0 / 3.0)
        #expect(await log.disagreements.map(\.text) == ["my card", "refund please"])

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("shadow-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try await log.writeLabelledData(to: file, disagreementsOnly: true)
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains("\"label\":\"lost_card\""))
        #expect(lines[0].contains("\"candidate_label\":\"card\""))
    }

    @Test func aFailingCandidateNeverReachesTheCaller() async throws {
        let log = ShadowLog()
        let shadow = Shadow(live: frontierModel, candidate: Failing(localModel), log: log)
        let answers = try await shadow.classify(["hello"])
        #expect(answers.map(\.label) == ["other"])
        await log.drain()
        #expect(await log.entries.first?.candidateError?.contains("scripted failure") == true)
    }

    @Test func canarySplitIsDeterministicAndNearItsShare() async throws {
        let split = try CanarySplit(
            stable: Recording(frontierModel), candidate: Recording(localModel), share: 0.2, salt: "exp-7")
        let texts = (0..<5000).map { "request \($0)" }
        let routed = texts.filter(split.routesToCandidate)
        // 5,000 draws at 20%: the standard deviation is 0.57 points; allow four of them.
        #expect(abs(Double(routed.count) / 5000 - 0.2) < 0.023)
        #expect(texts.filter(split.routesToCandidate) == routed)
        let other = try CanarySplit(stable: frontierModel, candidate: localModel, share: 0.2, salt: "exp-8")
        #expect(texts.filter(other.routesToCandidate) != routed)

        let answers = try await split.classify(["card a", "refund b", "hello c", "card d"])
        #expect(answers.count == 4)
        for (text, answer) in zip(["card a", "refund b", "hello c", "card d"], answers) {
            let expected =
                split.routesToCandidate(text)
                ? try await localModel.classify(text) : try await frontierModel.classify(text)
            #expect(answer == expected)
        }
        #expect(throws: RoutingError.self) { try CanarySplit(stable: frontierModel, candidate: localModel, share: 1.5) }
        #expect(try CanarySplit(stable: frontierModel, candidate: localModel, share: 0).routesToCandidate("x") == false)
        #expect(try CanarySplit(stable: frontierModel, candidate: localModel, share: 1).routesToCandidate("x") == true)
    }
}
