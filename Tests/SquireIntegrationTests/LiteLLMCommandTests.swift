import Foundation
import Testing

/// `squire label`, `eval`, `synthesize`, `verify` and `embed` against the LiteLLM proxy.
extension LiteLLMTests {
    @Suite(.serialized) struct LiteLLMCommandTests {
        static let price = #", "price": {"input_dollars_per_million": 1, "output_dollars_per_million": 2}"#

        static func scratch() throws -> URL {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent(
                "squire-litellm-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }

        /// Runs the built `squire` with the proxy's key in the environment; standard error is
        /// kept apart from standard output, which `--json` commands fill with one object.
        static func squire(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
            let process = Process()
            let bundle =
                Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL
                ?? URL(fileURLWithPath: CommandLine.arguments[0])
            process.executableURL = bundle.deletingLastPathComponent().appendingPathComponent("squire")
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging([
                "SQUIRE_PROXY_KEY": try LiteLLMProxy.running.key
            ]) { $1 }
            let errors = FileManager.default.temporaryDirectory.appendingPathComponent("squire-stderr-\(UUID())")
            guard FileManager.default.createFile(atPath: errors.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown)
            }
            defer { try? FileManager.default.removeItem(at: errors) }
            let errorHandle = try FileHandle(forWritingTo: errors)
            let output = Pipe()
            process.standardOutput = output
            process.standardError = errorHandle
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            try errorHandle.close()
            let result = (
                process.terminationStatus, String(decoding: data, as: UTF8.self),
                (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            )
            let key = try LiteLLMProxy.running.key
            #expect(!result.1.contains(key) && !result.2.contains(key), "the key leaked into the output")
            return result
        }

        static func json(_ text: String) -> [String: Any] {
            let line = text.split(separator: "\n").last.map(String.init) ?? ""
            return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        }

        static func texts(_ count: Int, in folder: URL) throws -> String {
            let path = folder.appendingPathComponent("texts.jsonl")
            try (0..<count).map { #"{"id": "t\#($0)", "text": "why was I charged twice, case \#($0)"}"# }
                .joined(separator: "\n").write(to: path, atomically: true, encoding: .utf8)
            return path.path
        }

        /// A route that answers the bare label labels every text.
        @Test func labelReadsBareLabels() throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let teacher = try LiteLLMProxy.running.modelFile("label-bare", extra: Self.price, in: folder)
            let output = folder.appendingPathComponent("labelled.jsonl").path
            let result = try Self.squire([
                "label", "--input", try Self.texts(6, in: folder), "--teacher", teacher, "--labels", "billing,shipping",
                "--output", output, "--json",
            ])
            #expect(result.status == 0, "\(result.errors)")
            let summary = Self.json(result.output)
            #expect(summary["labeled"] as? Int == 6)
            #expect(summary["calls"] as? Int == 6)
            #expect((summary["cost_dollars"] as? Double ?? 0) > 0)
        }

        /// A model-name typo ends the run after three requests with the server's message, exit 3.
        @Test func labelStopsOnAConfigurationError() async throws {
            let proxy = try LiteLLMProxy.running
            try await proxy.resetUpstream()
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let result = try Self.squire([
                "label", "--input", try Self.texts(20, in: folder), "--teacher",
                try proxy.modelFile("upstream-typo", in: folder), "--labels", "billing,shipping", "--output",
                folder.appendingPathComponent("labelled.jsonl").path, "--concurrency", "1",
            ])
            #expect(result.status == 3, "\(result.errors)")
            #expect(result.errors.contains("Invalid model name"), "\(result.errors)")
            #expect(try await proxy.upstreamRequests("label-jsn") == 3)
        }

        /// `squire eval --model` scores the gateway's model on a labelled set.
        @Test func evalScoresAModelBehindTheGateway() throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let data = folder.appendingPathComponent("test.jsonl")
            try """
            {"id": "a", "text": "charged twice", "label": "billing"}
            {"id": "b", "text": "refund my fee", "label": "billing"}
            {"id": "c", "text": "where is my parcel", "label": "shipping"}
            {"id": "d", "text": "the box never came", "label": "shipping"}
            """.write(to: data, atomically: true, encoding: .utf8)
            let report = folder.appendingPathComponent("report.json")
            let result = try Self.squire([
                "eval", "--data", data.path, "--model",
                try LiteLLMProxy.running.modelFile("label-fenced", extra: Self.price, in: folder), "--report",
                report.path,
                "--json",
            ])
            #expect(result.status == 0, "\(result.errors)")
            // The mock always answers billing: two of four right.
            let written = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any]
            let metrics = written?["metrics"] as? [String: Any]
            #expect(metrics?["accuracy"] as? Double == 0.5, "\(String(describing: metrics))")
        }

        /// Every request is cut off at the token limit: no examples, each failed request counted
        /// and charged (they reported $0 before), exit 1 for the shortfall.
        @Test func synthesizeCountsAndChargesFailedRequests() throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let seeds = folder.appendingPathComponent("seeds.jsonl")
            try #"{"text": "I was charged twice", "label": "billing"}"#.write(
                to: seeds, atomically: true, encoding: .utf8)
            let result = try Self.squire([
                "synthesize", "--seeds", seeds.path, "--generator",
                try LiteLLMProxy.running.modelFile("truncated", extra: Self.price, in: folder), "--per-label", "4",
                "--examples-per-request", "2", "--output", folder.appendingPathComponent("synthetic.jsonl").path,
                "--json",
            ])
            #expect(result.status == 1, "\(result.errors)")
            struct Summary: Decodable {
                var requests: Int
                var failed_requests: Int
                var calls: Int
                var cost_dollars: Double
            }
            let summary = try JSONDecoder().decode(Summary.self, from: Data(result.output.utf8))
            #expect(summary.requests > 0)
            #expect(summary.failed_requests == summary.requests)
            #expect(summary.calls == summary.requests)
            #expect(summary.cost_dollars > 0)
        }

        /// A verifier whose answers are garbage sends the examples to review; the run goes on.
        @Test func verifySendsUnusableVerifierAnswersToReview() throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let data = folder.appendingPathComponent("data.jsonl")
            try """
            {"id": "a", "text": "charged twice this month", "label": "billing"}
            {"id": "b", "text": "where is my parcel today", "label": "shipping"}
            """.write(to: data, atomically: true, encoding: .utf8)
            let result = try Self.squire([
                "verify", "--data", data.path, "--output", folder.appendingPathComponent("kept.jsonl").path,
                "--no-embeddings", "--verifier", try LiteLLMProxy.running.modelFile("garbage", in: folder), "--json",
            ])
            #expect(result.status == 1, "\(result.errors)")
            let review = try String(
                contentsOf: folder.appendingPathComponent("kept.review.jsonl"), encoding: .utf8)
            #expect(review.split(separator: "\n").count == 2)
            #expect(review.contains("could not be used"))
        }

        /// `squire embed --model` with the file's embedder entry.
        @Test func embedThroughTheGateway() throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let input = folder.appendingPathComponent("texts.txt")
            try "one\ntwo\nthree".write(to: input, atomically: true, encoding: .utf8)
            let output = folder.appendingPathComponent("vectors.jsonl")
            let result = try Self.squire([
                "embed", "--model",
                try LiteLLMProxy.running.modelFile(
                    "label-json", extra: #", "embedder": {"model": "upstream-embed", "dimension": 8}"#, in: folder),
                "--input", input.path, "--output", output.path, "--batch-size", "2",
            ])
            #expect(result.status == 0, "\(result.errors)")
            let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 3)
            #expect(result.errors.contains("embedded 3 texts: 2 calls"), "\(result.errors)")
        }
    }
}
