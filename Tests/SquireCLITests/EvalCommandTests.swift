import Foundation
import LoopbackHTTPServer
import Testing

/// `squire eval`, `squire gate` and `squire compare` end to end on small files.
@Suite final class EvalCommandTests {
    let folder: URL

    deinit { try? FileManager.default.removeItem(at: folder) }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-eval-cli-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let labels = ["refund", "card", "other"]
        var data = ""
        var good = ""
        var worse = ""
        for i in 0..<60 {
            let label = labels[i % 3]
            data +=
                "{\"id\": \"e\(i)\", \"text\": \"request \(i)\", \"label\": \"\(label)\", \"tags\": [\"\(i < 30 ? "early" : "late")\"]}\n"
            // The good model misses 3 of 60; the worse one 15.
            let goodAnswer = i < 3 ? labels[(i + 1) % 3] : label
            let worseAnswer = i < 15 ? labels[(i + 1) % 3] : label
            good +=
                "{\"id\": \"e\(i)\", \"text\": \"request \(i)\", \"label\": \"\(goodAnswer)\", \"confidence\": 0.9, \"latency_seconds\": 0.002}\n"
            worse +=
                "{\"id\": \"e\(i)\", \"label\": \"\(worseAnswer)\", \"confidence\": 0.8, \"usage\": {\"cost_dollars\": 0.001}}\n"
        }
        good += "{\"id\": \"s1\", \"label\": \"refund\", \"confidence\": 0.95}\n"
        try data.write(to: folder.appendingPathComponent("test.jsonl"), atomically: true, encoding: .utf8)
        try good.write(to: folder.appendingPathComponent("good.jsonl"), atomically: true, encoding: .utf8)
        try worse.write(to: folder.appendingPathComponent("worse.jsonl"), atomically: true, encoding: .utf8)
        try
            #"{"name": "smoke", "cases": [{"id": "s1", "text": "money back", "expected": "refund", "minimum_confidence": 0.9}]}"#
            .write(to: folder.appendingPathComponent("suite.json"), atomically: true, encoding: .utf8)
        try
            #"{"name": "ship", "minimums": {"macro_f1": 0.9}, "slice_minimums": {"early": {"accuracy": 0.85}}, "non_inferiority": {"metric": "accuracy", "margin": 0.05}, "required_suites": ["smoke"]}"#
            .write(to: folder.appendingPathComponent("gate.json"), atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func evaluate(_ answers: String, _ report: String, _ extra: [String] = []) throws -> (status: Int32, output: String)
    {
        try runSquire(
            ["eval", "--data", path("test.jsonl"), "--answers", path(answers), "--report", path(report)] + extra)
    }

    @Test func evalWritesReportsAndGateDecides() throws {
        let eval = try evaluate(
            "good.jsonl", "good.json",
            ["--suite", path("suite.json"), "--html", path("good.html"), "--markdown", path("good.md"), "--json"])
        #expect(eval.status == 0, "\(eval.output)")
        let headline = try #require(try JSONSerialization.jsonObject(with: Data(eval.output.utf8)) as? [String: Any])
        #expect(headline["accuracy"] as? Double == 57.0 / 60)
        #expect((headline["suites"] as? [String: Bool]) == ["smoke": true])
        #expect(FileManager.default.fileExists(atPath: path("good.html")))
        #expect(try String(contentsOfFile: path("good.md"), encoding: .utf8).contains("| accuracy | 0.9500 |"))
        #expect(try evaluate("worse.jsonl", "worse.json").status == 0)

        // The good model ships against the worse baseline.
        let ship = try runSquire([
            "gate", "--report", path("good.json"), "--baseline", path("worse.json"), "--gate", path("gate.json"),
        ])
        #expect(ship.status == 0, "\(ship.output)")
        #expect(ship.output.hasPrefix("ship: ship"))
        // The worse model fails its minimums, the suite it lacks, and non-inferiority.
        let hold = try runSquire([
            "gate", "--report", path("worse.json"), "--baseline", path("good.json"), "--gate", path("gate.json"),
            "--json",
        ])
        #expect(hold.status == 1, "\(hold.output)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(hold.output.utf8)) as? [String: Any])
        #expect(result["verdict"] as? String == "do_not_ship")
        let failing = (result["checks"] as? [[String: Any]] ?? []).filter { $0["passed"] as? Bool == false }.compactMap
        { $0["rule"] as? String }
        #expect(
            failing == [
                "minimums.macro_f1", "slice_minimums.early.accuracy", "non_inferiority.accuracy",
                "required_suites.smoke",
            ])
        // No baseline for a non-inferiority rule: do not ship, with the reason.
        let missing = try runSquire(["gate", "--report", path("good.json"), "--gate", path("gate.json")])
        #expect(missing.status == 1)
        #expect(missing.output.contains("no baseline report was given"))

        let compare = try runSquire([
            "compare", path("good.json"), path("worse.json"), "--monthly-volume", "100000", "--metric", "accuracy",
            "--tolerance", "0.5",
            "--fixed-monthly-cost", "good=50", "--json",
        ])
        #expect(compare.status == 0, "\(compare.output)")
        let matrix = try #require(try JSONSerialization.jsonObject(with: Data(compare.output.utf8)) as? [String: Any])
        // worse costs $1 per 1,000 requests: $100 a month at 100,000 against good's fixed $50.
        #expect(matrix["recommendation"] as? String == "good")
    }

    @Test func inputErrorsExitTwoAndSayWhere() throws {
        try "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\"}\n".write(
            to: folder.appendingPathComponent("bad.jsonl"), atomically: true, encoding: .utf8)
        let badData = try runSquire([
            "eval", "--data", path("bad.jsonl"), "--answers", path("good.jsonl"), "--report", path("r.json"),
        ])
        #expect(badData.status == 2)
        #expect(badData.output.contains("bad.jsonl:2: missing \"label\""))
        #expect(!FileManager.default.fileExists(atPath: path("r.json")))

        // Answers made for other texts are refused rather than scored.
        try "{\"id\": \"e0\", \"text\": \"something else\", \"label\": \"refund\"}\n".write(
            to: folder.appendingPathComponent("other.jsonl"), atomically: true, encoding: .utf8)
        let mismatch = try evaluate("other.jsonl", "r.json")
        #expect(mismatch.status == 2)
        #expect(mismatch.output.contains("was given for another text"))

        try "{\"minimums\": {\"acuracy\": 0.9}}".write(
            to: folder.appendingPathComponent("typo.json"), atomically: true, encoding: .utf8)
        #expect(try evaluate("good.jsonl", "good.json").status == 0)
        let typo = try runSquire(["gate", "--report", path("good.json"), "--gate", path("typo.json")])
        #expect(typo.status == 2)
        #expect(typo.output.contains("minimums.acuracy: unknown metric"))
        let noReport = try runSquire(["gate", "--report", path("missing.json"), "--gate", path("gate.json")])
        #expect(noReport.status == 2)
        let badPrice = try runSquire([
            "compare", path("good.json"), "--monthly-volume", "10", "--price-per-1000", "nobody=1",
        ])
        #expect(badPrice.status == 2)
        #expect(badPrice.output.contains("no candidate is named \"nobody\""))
    }
}

/// `squire eval --model` against a frontier model file served on loopback.
@Suite struct EvalFrontierCommandTests {
    @Test func evaluatesAFrontierModelFile() async throws {
        let server = LoopbackServer { request, _ in
            // Answer "card" for texts about cards and "refund" otherwise, as a chat completion.
            let messages = request.json["messages"] as? [[String: String]] ?? []
            let text = messages.last?["content"] ?? ""
            let label = text.contains("card") ? "card" : "refund"
            return .respond(
                status: 200,
                body:
                    #"{"choices":[{"message":{"content":"{\"label\":\"\#(label)\"}"}}],"usage":{"prompt_tokens":30,"completion_tokens":3}}"#
            )
        }
        let url = try await server.start()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-eval-frontier-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("test.jsonl")
        try """
        {"text": "my card is lost", "label": "card"}
        {"text": "money back please", "label": "refund"}
        {"text": "card declined", "label": "refund"}
        """.write(to: data, atomically: true, encoding: .utf8)
        let model = folder.appendingPathComponent("frontier.json")
        try
            #"{"provider": "openai", "base_url": "\#(url)", "model": "gpt-test", "api_key_variable": "SQUIRE_TEST_KEY", "price": {"input_dollars_per_million": 1000, "output_dollars_per_million": 0}}"#
            .write(to: model, atomically: true, encoding: .utf8)
        let report = folder.appendingPathComponent("report.json")

        let result = try runSquire(
            ["eval", "--data", data.path, "--model", model.path, "--report", report.path, "--json"],
            environment: ["SQUIRE_TEST_KEY": "sk-cli-secret"])
        await server.stop()
        #expect(result.status == 0, "\(result.output)")
        let headline = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(headline["accuracy"] as? Double == 2.0 / 3)
        #expect(server.requests.count == 3)
        #expect(server.requests.allSatisfy { $0.headers["authorization"] == "Bearer sk-cli-secret" })
        let written = try String(contentsOf: report, encoding: .utf8)
        #expect(!written.contains("sk-cli-secret"))
        #expect(written.contains("\"dollars_per_1000_requests\" : 30"))  // 30 tokens at $1,000 per million, per request

        let missing = try runSquire(
            ["eval", "--data", data.path, "--model", model.path, "--report", report.path],
            environment: ["SQUIRE_TEST_KEY": ""])
        #expect(missing.status == 2)
        #expect(missing.output.contains("SQUIRE_TEST_KEY holds no API key"))
    }
}
