import Foundation
import Testing

/// `squire route` end to end on a small hand-checked file.
@Suite final class RouteCommandTests {
    let folder: URL

    deinit { try? FileManager.default.removeItem(at: folder) }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-route-cli-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Ten answers; the three least confident are the wrong ones, plus the one at 0.8.
        let confidences = [0.99, 0.95, 0.93, 0.9, 0.85, 0.8, 0.7, 0.6, 0.55, 0.5]
        let right = [true, true, true, true, true, false, true, false, false, false]
        try zip(confidences, right).map { "{\"label\": \"\($1 ? "a" : "b")\", \"confidence\": \($0)}" }.joined(
            separator: "\n"
        )
        .write(to: folder.appendingPathComponent("local.jsonl"), atomically: true, encoding: .utf8)
        try Array(repeating: "{\"label\": \"a\"}", count: 10).joined(separator: "\n")
            .write(to: folder.appendingPathComponent("labels.jsonl"), atomically: true, encoding: .utf8)
        // A cheaper tier in front: sure and right on the first four, unsure and wrong on the rest.
        try (0..<10).map {
            $0 < 4 ? "{\"label\": \"a\", \"confidence\": 0.9}" : "{\"label\": \"b\", \"confidence\": 0.4}"
        }
        .joined(separator: "\n")
        .write(to: folder.appendingPathComponent("static.jsonl"), atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    @Test func choosesTheThresholdAndReportsTheCurve() throws {
        let result = try runSquire([
            "route", "--predictions", path("local.jsonl"), "--reference", path("labels.jsonl"), "--target-accuracy",
            "0.9",
            "--fallback-cost-per-1000", "2", "--json",
        ])
        #expect(result.status == 0, "\(result.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let chosen = try #require(json["chosen"] as? [String: Any])
        #expect(chosen["threshold"] as? Double == 0.7)
        #expect(chosen["escalation_rate"] as? Double == 0.3)
        #expect((json["points"] as? [Any])?.count == 11)
        #expect(abs((json["apgr"] as? Double ?? 0) - 0.775) < 1e-12)

        let text = try runSquire([
            "route", "--predictions", path("local.jsonl"), "--reference", path("labels.jsonl"), "--target-accuracy",
            "0.9",
        ])
        #expect(text.output.contains("threshold 0.7: escalate 30.0% of requests, accuracy 0.9000"))
    }

    @Test func unreachableTargetsAndBadInput() throws {
        // The fallback misses everything the local model misses: 0.95 is out of reach.
        try Array(repeating: "{\"label\": \"b\"}", count: 10).joined(separator: "\n")
            .write(to: folder.appendingPathComponent("bad-fallback.jsonl"), atomically: true, encoding: .utf8)
        let unreachable = try runSquire([
            "route", "--predictions", path("local.jsonl"), "--reference", path("labels.jsonl"), "--fallback",
            path("bad-fallback.jsonl"),
            "--target-accuracy", "0.95",
        ])
        #expect(unreachable.status == 1)
        #expect(unreachable.output.contains("no threshold reaches the target"))

        try "{\"label\": \"a\"}\n{\"label\": \"a\", \"confidence\": 2}\n".write(
            to: folder.appendingPathComponent("bad.jsonl"), atomically: true, encoding: .utf8)
        let bad = try runSquire([
            "route", "--predictions", path("bad.jsonl"), "--reference", path("labels.jsonl"), "--target-accuracy",
            "0.9",
        ])
        #expect(bad.status == 2)
        #expect(bad.output.contains("bad.jsonl:1: needs a \"confidence\""))
        let both = try runSquire(["route", "--predictions", path("local.jsonl"), "--reference", path("labels.jsonl")])
        #expect(both.status == 2)
        #expect(both.output.contains("exactly one of --target-accuracy and --target-escalation-rate"))
    }

    @Test func twoLocalTiersGetOneThresholdEach() throws {
        // Nine right answers of ten are needed. The static tier takes its four sure ones; of
        // the six left, the encoder takes 0.85, 0.8 (its one allowed mistake) and 0.7; the
        // fallback the other three. The encoder alone would need three fallback calls too, but
        // the static tier is cheaper and so comes first.
        let arguments = [
            "route", "--predictions", path("static.jsonl"), "--predictions", path("local.jsonl"), "--reference",
            path("labels.jsonl"), "--target-accuracy", "0.9", "--local-cost-per-1000", "0.01", "--local-cost-per-1000",
            "0.1", "--fallback-cost-per-1000", "2",
        ]
        let result = try runSquire(arguments + ["--json"])
        #expect(result.status == 0, "\(result.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(json["tier_accuracies"] as? [Double] == [0.4, 0.6])
        #expect(json["exhaustive"] as? Bool == true)
        let chosen = try #require(json["chosen"] as? [String: Any])
        let tiers = try #require(chosen["tiers"] as? [[String: Any]])
        #expect(tiers.map { $0["threshold"] as? Double } == [0.9, 0.7])
        #expect(tiers.map { $0["answered_share"] as? Double } == [0.4, 0.3])
        #expect(chosen["escalation_rate"] as? Double == 0.3)
        // 0.01 for every request, 0.1 for the 60% reaching the encoder, 2 for the 30% escalated.
        #expect(abs((chosen["dollars_per_1000_requests"] as? Double ?? 0) - 0.67) < 1e-12)

        let text = try runSquire(arguments)
        #expect(text.status == 0, "\(text.output)")
        #expect(text.output.contains("10 requests through 2 local tiers, then the fallback"))
        #expect(text.output.contains("tier 1 (static.jsonl): accuracy alone 0.4000, $0.0100 per 1,000 calls"))
        #expect(text.output.contains("1          0.9         100.0%    40.0%      1.0000"))
        #expect(text.output.contains("2          0.7         60.0%     30.0%      0.6667"))
        #expect(text.output.contains("fallback               30.0%     30.0%      1.0000"))
        #expect(text.output.contains("cascade accuracy 0.9000, escalating 30.0% of requests"))
        #expect(text.output.contains("cost $0.6700 per 1,000 requests against $2.0000 all-fallback: $1.3300 saved"))
    }

    @Test func tiersWithBadCostsOrFilesOrNoReachableTarget() throws {
        let tiers = ["route", "--predictions", path("static.jsonl"), "--predictions", path("local.jsonl")]
        // One price for both tiers.
        let shared = try runSquire(
            tiers + ["--reference", path("labels.jsonl"), "--target-accuracy", "0.9", "--local-cost-per-1000", "1"])
        #expect(shared.status == 0, "\(shared.output)")
        #expect(shared.output.contains("tier 2 (local.jsonl): accuracy alone 0.6000, $1.0000 per 1,000 calls"))

        let costs = try runSquire(
            tiers + [
                "--predictions", path("local.jsonl"), "--reference", path("labels.jsonl"), "--target-accuracy", "0.9",
                "--local-cost-per-1000", "1", "--local-cost-per-1000", "2",
            ])
        #expect(costs.status == 2)
        #expect(costs.output.contains("once per --predictions (3)"))

        try "{\"label\": \"a\", \"confidence\": 0.5}\n".write(
            to: folder.appendingPathComponent("short.jsonl"), atomically: true, encoding: .utf8)
        let short = try runSquire(
            tiers + [
                "--predictions", path("short.jsonl"), "--reference", path("labels.jsonl"), "--target-accuracy", "0.9",
            ])
        #expect(short.status == 2)
        #expect(short.output.contains("has 10 lines for 1 predictions in \(path("short.jsonl"))"))

        try Array(repeating: "{\"label\": \"b\"}", count: 10).joined(separator: "\n")
            .write(to: folder.appendingPathComponent("wrong-fallback.jsonl"), atomically: true, encoding: .utf8)
        let unreachable = try runSquire(
            tiers + [
                "--reference", path("labels.jsonl"), "--fallback", path("wrong-fallback.jsonl"), "--target-accuracy",
                "0.95",
            ])
        #expect(unreachable.status == 1)
        #expect(unreachable.output.contains("no combination of thresholds reaches the target"))
    }
}
