import Foundation
import LoopbackHTTPServer
import Testing

/// `squire label`, `synthesize` and `verify` end to end, with the frontier model served on
/// loopback; `squire distill` with the real vocabulary.
@Suite struct DataCommandTests {
    static let environment = ["SQUIRE_TEST_KEY": "sk-data-secret"]

    static func modelFile(_ url: String, in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("frontier.json")
        try
            #"{"provider": "openai", "base_url": "\#(url)", "model": "gpt-test", "api_key_variable": "SQUIRE_TEST_KEY", "maximum_retries": 0, "price": {"input_dollars_per_million": 1000, "output_dollars_per_million": 0}}"#
            .write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    static func chat(_ content: String) -> LoopbackServer.Reply {
        let escaped = String(decoding: try! JSONSerialization.data(withJSONObject: [content]), as: UTF8.self)
            .dropFirst().dropLast()
        return .respond(
            status: 200,
            body:
                #"{"choices":[{"message":{"content":\#(escaped)},"finish_reason":"stop"}],"usage":{"prompt_tokens":30,"completion_tokens":3}}"#
        )
    }

    /// The text a chat request asks about: the last message.
    static func text(_ request: LoopbackServer.Request) -> String {
        (request.json["messages"] as? [[String: String]])?.last?["content"] ?? ""
    }

    /// A model-name typo (HTTP 400 "Invalid model name" on every request) sent every text of a
    /// run, each failing on its own. Now three identical refusals in a row stop the run with
    /// the server's message, and the journal keeps nothing to resume wrongly.
    @Test func aConfigurationErrorStopsTheRunInsteadOfFailingEveryText() async throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("traffic.jsonl")
        try (1...40).map { #"{"id": "r\#($0)", "text": "request \#($0)"}"# }.joined(separator: "\n")
            .write(to: input, atomically: true, encoding: .utf8)
        let typo = LoopbackServer { _, _ in
            .respond(
                status: 400,
                body:
                    #"{"error":{"message":"Invalid model name passed in model=gpt-tset","type":"invalid_request_error"}}"#
            )
        }
        let result = try runSquire(
            [
                "label", "--input", input.path, "--teacher", try Self.modelFile(try await typo.start(), in: folder),
                "--labels", "card,refund", "--output", folder.appendingPathComponent("labelled.jsonl").path,
                "--batch-size", "1", "--concurrency", "1",
            ],
            environment: Self.environment)
        await typo.stop()
        // An outage, not an input error: exit 3, so a script can tell the two apart.
        #expect(result.status == 3, "\(result.output)")
        #expect(result.output.contains("refused 3 requests in a row the same way"), "\(result.output)")
        #expect(result.output.contains("Invalid model name passed in model=gpt-tset"), "\(result.output)")
        #expect(typo.requests.count == 3)
    }

    /// `--concurrency` is what is sent at once: the model file's `maximum_concurrency` (1
    /// here) silently capped it before.
    @Test func labelConcurrencyIsNotCappedByTheModelFile() async throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("traffic.jsonl")
        try (1...8).map { #"{"id": "r\#($0)", "text": "refund \#($0)"}"# }.joined(separator: "\n")
            .write(to: input, atomically: true, encoding: .utf8)
        let slow = LoopbackServer { _, _ in
            let answer = Self.chat(#"{"label":"refund"}"#)
            guard case .respond(let status, let headers, let body, _) = answer else { return answer }
            return .respond(status: status, headers: headers, body: body, delay: .milliseconds(400))
        }
        let file = folder.appendingPathComponent("one-at-a-time.json")
        try
            #"{"provider": "openai", "base_url": "\#(try await slow.start())", "model": "gpt-test", "api_key_variable": "SQUIRE_TEST_KEY", "maximum_concurrency": 1}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try runSquire(
            [
                "label", "--input", input.path, "--teacher", file.path, "--labels", "card,refund", "--output",
                folder.appendingPathComponent("labelled.jsonl").path, "--concurrency", "4",
            ],
            environment: Self.environment)
        await slow.stop()
        #expect(result.status == 0, "\(result.output)")
        #expect(slow.requests.count == 8)
        #expect(slow.peakInFlight >= 2, "\(slow.peakInFlight)")
        #expect(slow.peakInFlight <= 4)
    }

    @Test func labelResumesAfterUnusableAnswersAndWritesADatasheet() async throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("traffic.jsonl")
        try (1...6).map { #"{"id": "r\#($0)", "text": "\#($0 % 2 == 0 ? "my card \($0)" : "refund \($0)")"}"# }.joined(
            separator: "\n"
        )
        .write(to: input, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("labelled.jsonl").path

        // The first server answers a label outside the set for "refund 3".
        let flaky = LoopbackServer { request, _ in
            let text = Self.text(request)
            return Self.chat(
                text == "refund 3"
                    ? #"{"label":"banana"}"# : #"{"label":"\#(text.contains("card") ? "card" : "refund")"}"#)
        }
        let first = try runSquire(
            [
                "label", "--input", input.path, "--teacher", try Self.modelFile(try await flaky.start(), in: folder),
                "--labels", "card,refund", "--output", output,
            ],
            environment: Self.environment)
        await flaky.stop()
        #expect(first.status == 1, "\(first.output)")
        #expect(first.output.contains("1 texts got unusable answers"))
        // The unusable answer was a call made and billed: 6 calls of 33 tokens at $1,000 per
        // million input tokens, where the five answered ones alone made $0.15.
        #expect(first.output.contains("failed calls included: 6 calls, 198 tokens, $0.180000"), "\(first.output)")
        #expect(try String(contentsOfFile: output + ".failures.jsonl", encoding: .utf8).contains("r3"))
        #expect(try CLIFixtures.jsonLines(URL(fileURLWithPath: output)).count == 5)
        #expect(FileManager.default.fileExists(atPath: output + ".journal"))

        // Resuming with another teacher (another label set) would mix two teachers in one file.
        let other = try runSquire(
            [
                "label", "--input", input.path, "--teacher", folder.appendingPathComponent("frontier.json").path,
                "--labels", "card,refund,address", "--output", output,
            ],
            environment: Self.environment)
        #expect(other.status == 2, "\(other.output)")
        #expect(other.output.contains("it was begun by the teacher openai gpt-test over 2 labels"), "\(other.output)")
        #expect(try CLIFixtures.jsonLines(URL(fileURLWithPath: output)).count == 5)

        let good = LoopbackServer { request, _ in
            Self.chat(#"{"label":"\#(Self.text(request).contains("card") ? "card" : "refund")"}"#)
        }
        let second = try runSquire(
            [
                "label", "--input", input.path, "--teacher", try Self.modelFile(try await good.start(), in: folder),
                "--labels", "card,refund", "--output", output, "--json",
            ],
            environment: Self.environment)
        await good.stop()
        #expect(second.status == 0, "\(second.output)")
        #expect(good.requests.map(Self.text) == ["refund 3"])
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(second.output.split(separator: "\n").last!.utf8))
                as? [String: Any])
        #expect(summary["resumed"] as? Int == 5)
        #expect(abs((summary["cost_dollars"] as? Double ?? 0) - 0.03) < 1e-9)
        let rows = try CLIFixtures.jsonLines(URL(fileURLWithPath: output))
        #expect(rows.map { $0["id"] as? String } == ["r1", "r2", "r3", "r4", "r5", "r6"])
        #expect(rows.map { $0["label"] as? String } == ["refund", "card", "refund", "card", "refund", "card"])
        #expect(!FileManager.default.fileExists(atPath: output + ".journal"))
        let sheet = try String(contentsOf: folder.appendingPathComponent("labelled.DATASHEET.md"), encoding: .utf8)
        #expect(sheet.contains("# Datasheet: labelled.jsonl"))
        #expect(sheet.contains("| card | 3 | 50.0% |"))
        #expect(!sheet.contains("sk-data-secret"))
        // The command that remakes the file names the label set: without it, it could not run.
        #expect(sheet.contains("--labels card,refund --output \(output)`"), "\(sheet)")
    }

    /// `OpenAIEmbedder` was reachable from no command: a model file's `embedder` entry now
    /// serves `squire embed --model frontier.json`, batch by batch, in input order.
    @Test func embedWithAFrontierModelFile() async throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("texts.txt")
        try (0..<5).map { "text \($0)" }.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        // Each vector is [n, 1] for "text n", returned in reverse order with its index.
        let server = LoopbackServer { request, _ in
            let texts = request.json["input"] as? [String] ?? []
            let items = texts.enumerated().reversed().map { index, text in
                #"{"object":"embedding","index":\#(index),"embedding":[\#(text.split(separator: " ").last!),1]}"#
            }
            return .respond(
                status: 200,
                body:
                    #"{"object":"list","data":[\#(items.joined(separator: ","))],"usage":{"prompt_tokens":\#(texts.count * 2),"total_tokens":\#(texts.count * 2)}}"#
            )
        }
        let file = folder.appendingPathComponent("frontier.json")
        try
            #"{"provider": "openai", "base_url": "\#(try await server.start())", "model": "chat", "api_key_variable": "SQUIRE_TEST_KEY", "embedder": {"model": "embed-test", "dimension": 2}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("vectors.jsonl")
        let result = try runSquire(
            ["embed", "--model", file.path, "--input", input.path, "--output", output.path, "--batch-size", "2"],
            environment: Self.environment)
        await server.stop()
        #expect(result.status == 0, "\(result.output)")
        #expect(server.requests.count == 3)
        #expect(
            server.requests.allSatisfy { $0.uri == "/v1/embeddings" && $0.json["model"] as? String == "embed-test" })
        let lines = try CLIFixtures.jsonLines(output)
        #expect(lines.map { $0["text"] as? String } == (0..<5).map { "text \($0)" })
        #expect(lines.map { $0["embedding"] as? [Double] } == (0..<5).map { [Double($0), 1] })
        #expect(result.output.contains("embedded 5 texts: 3 calls, 10 tokens"), "\(result.output)")
        #expect(!result.output.contains("sk-data-secret"))
    }

    @Test func synthesizeThenVerify() async throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let seeds = folder.appendingPathComponent("seeds.jsonl")
        try """
        {"text": "I lost my card", "label": "card"}
        {"text": "where is my refund", "label": "refund"}
        """.write(to: seeds, atomically: true, encoding: .utf8)
        let test = folder.appendingPathComponent("test.jsonl")
        try #"{"text": "refund for order 2 please", "label": "refund"}"#.write(
            to: test, atomically: true, encoding: .utf8)
        // The generator leaks a test text, repeats itself and mislabels one card request.
        let server = LoopbackServer { request, number in
            // The leaked line repeats in every refund answer; only its first copy survives generation.
            let refund = Self.text(request).contains("\"refund\"")
            return Self.chat(
                refund
                    ? "1. refund for order 2 please\n2. refund number \(number)\n3. my card was stolen \(number)"
                    : "- card gone \(number)\n- call me on +44 20 7946 0958 about card \(number)")
        }
        let url = try await server.start()
        let synthetic = folder.appendingPathComponent("synthetic.jsonl").path
        let made = try runSquireJSON(
            [
                "synthesize", "--seeds", seeds.path, "--generator", try Self.modelFile(url, in: folder), "--per-label",
                "4", "--examples-per-request", "2",
                "--output", synthetic, "--json",
            ],
            environment: Self.environment)
        await server.stop()
        #expect(made.status == 0, "\(made.errors)")
        #expect(made.object?["examples"] as? Int == 8)
        #expect(made.object?["shortfalls"] as? [String: Int] == [:])
        let rows = try CLIFixtures.jsonLines(URL(fileURLWithPath: synthetic))
        #expect(rows.count == 8)
        #expect(rows.allSatisfy { ($0["tags"] as? [String])?.first == "synthetic" })
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("synthetic.DATASHEET.md").path))

        let clean = folder.appendingPathComponent("clean.jsonl").path
        let checked = try runSquire([
            "verify", "--data", synthetic, "--output", clean, "--evaluation", test.path, "--no-embeddings", "--json",
        ])
        // "my card was stolen N" under refund is not caught without a verifier; the leak and the phone number are.
        #expect(checked.status == 0, "\(checked.output)")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(checked.output.split(separator: "\n").last!.utf8))
                as? [String: Any])
        let filters = try #require(summary["filters"] as? [[String: Any]])
        let leakage = try #require(filters.first { ($0["name"] as? String)?.hasPrefix("leakage") == true })
        #expect(leakage["removed"] as? Int == 1)
        let personal = try #require(filters.first { ($0["name"] as? String)?.hasPrefix("personal") == true })
        #expect(personal["modified"] as? Int == 2)
        let kept = try String(contentsOfFile: clean, encoding: .utf8)
        #expect(!kept.contains("7946"))
        #expect(kept.contains("[PHONE]"))
        let sheet = try String(contentsOf: folder.appendingPathComponent("clean.DATASHEET.md"), encoding: .utf8)
        #expect(sheet.contains("## Filters"))
        #expect(sheet.contains("same text as an evaluation example: 1"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("clean.removed.jsonl").path))
    }

    @Test func verifySendsConflictingLabelsToReviewAndExitsOne() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data.jsonl")
        try """
        {"id": "a", "text": "cancel my card", "label": "card"}
        {"id": "b", "text": "Cancel my card!", "label": "refund"}
        {"id": "c", "text": "refund me", "label": "refund"}
        """.write(to: data, atomically: true, encoding: .utf8)
        let clean = folder.appendingPathComponent("clean.jsonl").path
        let result = try runSquire(["verify", "--data", data.path, "--output", clean, "--no-embeddings"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("exact duplicates: removed 2 of 3 (2 to review)"))
        let review = try CLIFixtures.jsonLines(folder.appendingPathComponent("clean.review.jsonl"))
        #expect(review.compactMap { ($0["example"] as? [String: Any])?["id"] as? String } == ["a", "b"])
        let missing = try runSquire([
            "verify", "--data", folder.appendingPathComponent("nope.jsonl").path, "--output", clean, "--no-embeddings",
        ])
        #expect(missing.status == 2)
        #expect(missing.output.contains("cannot read the file"))
    }
}

/// `squire distill` on teacher labels with probabilities, with the real vocabulary.
@Suite(.enabled(if: CLIFixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct DistillCommandTests {
    @Test func distillsATinyTransformerAndReportsWhatItKeeps() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let labelled = folder.appendingPathComponent("labelled.jsonl")
        let rows = TrainCommandTests.examples.enumerated().map { index, row in
            let probabilities = [
                "card": row.1 == "card" ? 0.8 : 0.1, "refund": row.1 == "refund" ? 0.8 : 0.1,
                "address": row.1 == "address" ? 0.8 : 0.1,
            ]
            return String(
                decoding: try! JSONSerialization.data(
                    withJSONObject: ["id": "e\(index)", "text": row.0, "label": row.1, "probabilities": probabilities],
                    options: [.sortedKeys]), as: UTF8.self)
        }
        try (rows.joined(separator: "\n") + "\n").write(to: labelled, atomically: true, encoding: .utf8)
        let test = folder.appendingPathComponent("test.jsonl")
        try TrainCommandTests.write(TrainCommandTests.examples, to: test)
        let bundle = folder.appendingPathComponent("student").path
        let report = folder.appendingPathComponent("distill.json").path
        let result = try runSquire([
            "distill", "--data", labelled.path, "--output", bundle, "--epochs", "2", "--validation", test.path,
            "--evaluation", test.path,
            "--report", report, "--base", CLIFixtures.modelFolder,
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("wrote \(bundle)"))
        #expect(result.output.contains("student on test: accuracy"))
        let written = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any])
        #expect(written["student_accuracy"] is Double)

        try "{\"id\": \"1\", \"text\": \"x\", \"label\": \"a\", \"probabilities\": {\"a\": 0.2}}\n".write(
            to: labelled, atomically: true, encoding: .utf8)
        let bad = try runSquire([
            "distill", "--data", labelled.path, "--output", bundle, "--base", CLIFixtures.modelFolder,
        ])
        #expect(bad.status != 0)
        #expect(bad.output.contains("not a distribution"))
    }
}
