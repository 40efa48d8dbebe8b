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
}
