import Foundation
import Testing

/// `squire demo` end to end on the built-in routing dataset with the real encoder.
@Suite(.enabled(if: CLIFixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct DemoCommandTests {
    @Test func walksTheWholeLoopAndWritesItsReports() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("demo").path
        let result = try runSquire(["demo", "--output", output])
        #expect(result.status == 0, "\(result.output)")
        for step in ["1 train", "2 evaluate", "3 gate", "4 quantize", "5 cascade", "6 drift", "done in"] {
            #expect(result.output.contains(step), "missing \(step)")
        }
        #expect(result.output.contains("int8") && result.output.contains("int4-32"))
        // The three tiers: a share for each, adding up to every request.
        let shares = ["static head ", "encoder head", "frontier    "].compactMap { tier in
            result.output.split(separator: "\n").first { $0.contains(tier) && $0.contains("answers") }
                .flatMap { line in
                    line.split(separator: " ").drop { $0 != "answers" }.dropFirst().first
                        .flatMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: "%:"))) }
                }
        }
        #expect(shares.count == 3, "\(result.output)")
        #expect(abs(shares.reduce(0, +) - 100) < 0.2, "\(shares)")
        for file in [
            "model/config.json", "report.json", "report.html", "report-int8.json", "report-int4-32.json", "gate.json",
            "profile.json", "drift.json", "static-model/config.json", "model-static/config.json", "report-static.json",
        ] {
            #expect(FileManager.default.fileExists(atPath: output + "/" + file), "\(file)")
        }
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/report.json")))
                as? [String: Any])
        let accuracy = try #require((report["metrics"] as? [String: Any])?["accuracy"] as? Double)
        // Six routes, 84 test requests: well above the keyword rules, below perfect.
        #expect(accuracy > 0.7 && accuracy < 1)
        let decisions = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/drift.json")))
                as? [[String: Any]])
        #expect(decisions.count >= 4)
        #expect(decisions.first?["action"] as? String == "hold")
    }

    @Test func refusesAMissingDataset() throws {
        let result = try runSquire([
            "demo", "--data", "/nonexistent/train.jsonl", "--output", NSTemporaryDirectory() + "squire-demo-missing",
        ])
        #expect(result.status == 2)
        #expect(result.output.contains("cannot read the file"))
    }
}
