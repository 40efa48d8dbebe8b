import Foundation
import SquireCore
import SquireEval
import Testing

@Suite struct ReportTests {
    func sample() throws -> EvalReport {
        let reference = try #require(EvalReference.shared.cases.first { $0.name == "out_of_scope" })
        var predictions = try reference.predictions()
        for i in predictions.indices where i % 4 == 0 { predictions[i].tags = ["<short>"] }
        predictions[5].classification = nil
        predictions[5].failure = "timed out"
        return EvalReport(
            model: "router <v2>", dataset: "snips & friends", predictions: predictions, outOfScopeLabel: "oos")
    }

    @Test func jsonRoundTripsAndRefusesOtherSchemaVersions() throws {
        let report = try sample()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-report-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("report.json")
        try report.write(to: url)
        let read = try EvalReport(contentsOf: url)
        #expect(read.metrics == report.metrics)
        #expect(read.predictions == report.predictions)
        #expect(read.slices == report.slices)
        #expect(try read.jsonData() == report.jsonData())

        let json = try #require(String(data: try report.jsonData(), encoding: .utf8))
        for key in [
            "\"schema_version\" : 1", "\"macro\"", "\"expected_calibration_error\"", "\"fpr_at_95_tpr\"", "\"p95_ms\"",
            "\"dollars_per_1000_requests\"",
        ] {
            #expect(json.contains(key), "\(key)")
        }
        try json.replacingOccurrences(of: "\"schema_version\" : 1", with: "\"schema_version\" : 99").write(
            to: url, atomically: true, encoding: .utf8)
        #expect { try EvalReport(contentsOf: url) } throws: { String(describing: $0).contains("schema_version 99") }
        try "{\"schema_version\": 1}".write(to: url, atomically: true, encoding: .utf8)
        #expect { try EvalReport(contentsOf: url) } throws: { String(describing: $0).contains("missing") }
    }

    @Test func markdownCarriesTheVerdictAndTheFigures() throws {
        let report = try sample()
        let result = Gate(minimums: [.accuracy: 0.99]).evaluate(report)
        let markdown = report.markdown(gate: result)
        #expect(markdown.contains("**Gate gate: do not ship ❌**"))
        #expect(markdown.contains("| accuracy | \(String(format: "%.4f", report.metrics.accuracy)) |"))
        #expect(markdown.contains("(1 failed)"))
        #expect(markdown.contains("### Weakest labels"))
        #expect(markdown.contains("| <short> |"))
    }

    @Test func htmlIsSelfContainedAndEscaped() throws {
        let report = try sample()
        let html = report.html(gate: Gate().evaluate(report))
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 4)
        for label in ["confusion matrix", "reliability diagram", "risk-coverage curve", "F1 per label"] {
            #expect(html.contains("aria-label=\"\(label)\""))
        }
        #expect(!html.lowercased().contains("<script"))
        #expect(
            !html.contains("http://")
                || html.components(separatedBy: "http://").dropFirst().allSatisfy {
                    $0.hasPrefix("www.w3.org/2000/svg")
                })
        #expect(!html.contains("https://"))
        #expect(html.contains("router &lt;v2&gt; on snips &amp; friends"))
        #expect(!html.contains("<short>"))
    }
}
