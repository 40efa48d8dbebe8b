import Foundation
import SquireCore
import SquireEval
import Testing

/// Builds reports from (expected, predicted) pairs; `nil` predicted is a failed call.
func report(
    _ pairs: [(String, String?)], confidence: Double = 0.9, tags: [String] = [], latency: Double = 0.01,
    dollars: Double = 0, model: String = "candidate", suites: [SuiteResult] = []
) -> EvalReport {
    let predictions = pairs.enumerated().map { index, pair in
        Prediction(
            id: "\(index)", expected: pair.0, tags: tags,
            classification: pair.1.map {
                Classification(label: $0, confidence: confidence, usage: Usage(calls: 1, cost: Cost(dollars: dollars)))
            },
            failure: pair.1 == nil ? "timed out" : nil, latencySeconds: latency)
    }
    return EvalReport(model: model, dataset: "test", predictions: predictions, suites: suites)
}

/// `count` examples cycling through `labels`, the first `wrong` of them answered wrongly.
func pairs(_ count: Int, labels: [String] = ["a", "b", "c"], wrong: Int = 0) -> [(String, String?)] {
    (0..<count).map { i in
        let truth = labels[i % labels.count]
        return (truth, i < wrong ? labels[(i + 1) % labels.count] : truth)
    }
}

@Suite struct GateTests {
    @Test func minimumsAndMaximums() {
        let candidate = report(pairs(100, wrong: 10))
        let gate = Gate(minimums: [.accuracy: 0.85, .macroF1: 0.95], maximums: [.expectedCalibrationError: 0.05])
        let result = gate.evaluate(candidate)
        #expect(!result.shipped)
        #expect(
            result.checks.map(\.rule) == [
                "minimum_examples", "minimums.accuracy", "minimums.macro_f1", "maximums.expected_calibration_error",
            ])
        #expect(result.checks.map(\.passed) == [true, true, false, true])
        #expect(result.reasons == ["macro_f1 0.9000 < 0.9500"])
        #expect(Gate(minimums: [.accuracy: 0.9]).evaluate(candidate).shipped)  // exactly at the limit ships
    }

    @Test func perSliceMinimums() {
        var combined = report(pairs(30, wrong: 0), tags: ["easy"])
        let hard = report(pairs(30, wrong: 15), tags: ["hard"])
        let predictions =
            combined.predictions
            + hard.predictions.map { p in
                var p = p
                p.id = "h\(p.id)"
                return p
            }
        combined = EvalReport(model: "m", dataset: "d", predictions: predictions)
        let gate = Gate(sliceMinimums: ["easy": [.accuracy: 0.9], "hard": [.accuracy: 0.9], "absent": [.accuracy: 0.5]])
        let result = gate.evaluate(combined)
        #expect(
            result.checks.filter { !$0.passed }.map(\.rule) == [
                "slice_minimums.absent.accuracy", "slice_minimums.hard.accuracy",
            ])
        #expect(result.reasons[0].contains("no slice \"absent\""))
    }

    @Test func emptyDatasetDoesNotShip() {
        let result = Gate().evaluate(report([]))
        #expect(!result.shipped)
        #expect(result.reasons == ["only 0 answered examples (of 0); the gate needs at least 1"])
    }

    @Test func allFailuresDoNotShip() {
        let failing = report((0..<5).map { _ in ("a", nil) })
        let result = Gate(minimums: [.accuracy: 0.5], maximumFailureRate: 0.1).evaluate(failing)
        #expect(!result.shipped)
        #expect(
            result.checks.filter { !$0.passed }.map(\.rule) == [
                "minimum_examples", "minimums.accuracy", "maximum_failure_rate",
            ])
        // Without a failure limit the failures still show, as a passing note.
        let note = Gate(minimumExamples: 1).evaluate(report([("a", "a"), ("a", nil)]))
        #expect(note.shipped)
        #expect(note.checks.contains { $0.rule == "failures" && $0.detail.contains("1 of 2 calls failed") })
    }

    @Test func aGateNeverShipsOnNoExamples() {
        // minimum_examples 0 would pass a report whose every call failed.
        let result = Gate(minimumExamples: 0).evaluate(report((0..<5).map { _ in ("a", nil) }))
        #expect(!result.shipped)
        #expect(result.checks.contains { $0.rule == "gate" && $0.detail.contains("minimum_examples must be ≥ 1") })
    }

    @Test func oneClassDatasets() {
        let result = Gate(minimums: [.macroF1: 0.99]).evaluate(report(pairs(20, labels: ["only"])))
        #expect(result.shipped)
        #expect(result.checks.last?.observed == 1)
    }

    @Test func nonInferiorityAgainstABaseline() throws {
        let baseline = report(pairs(600, wrong: 60), model: "baseline")
        let gate = Gate(nonInferiority: .init(metric: .accuracy, margin: 0.02))
        // Same accuracy on the same examples: non-inferior.
        let same = gate.evaluate(report(pairs(600, wrong: 60)), baseline: baseline)
        #expect(same.shipped)
        let comparison = try #require(same.comparison)
        #expect(comparison.difference == 0)
        #expect(comparison.mcnemar.pValue == 1)
        // Eight points worse: the interval reaches far below the margin.
        let worse = gate.evaluate(report(pairs(600, wrong: 108)), baseline: baseline)
        #expect(!worse.shipped)
        #expect(worse.reasons[0].contains("McNemar: baseline-only correct 48, candidate-only correct 0"))
        #expect(try #require(worse.comparison).mcnemar.pValue < 1e-10)
        // One point worse on a tiny set: the interval is too wide to rule out more than the margin.
        let small = report(pairs(30, wrong: 3), model: "baseline")
        #expect(!gate.evaluate(report(pairs(30, wrong: 4)), baseline: small).shipped)
    }

    @Test func missingOrIncompatibleBaseline() {
        let gate = Gate(nonInferiority: .init(margin: 0.01))
        let missing = gate.evaluate(report(pairs(10)))
        #expect(!missing.shipped)
        #expect(missing.reasons == ["the gate compares against a baseline, but no baseline report was given"])
        var other = report(pairs(10))
        other.predictions = other.predictions.map { p in
            var p = p
            p.id = "other-\(p.id)"
            return p
        }
        #expect(gate.evaluate(report(pairs(10)), baseline: other).reasons[0].contains("share no example id"))
        var relabelled = report(pairs(10))
        relabelled.predictions[0].expected = "z"
        #expect(gate.evaluate(report(pairs(10)), baseline: relabelled).reasons[0].contains("different expected labels"))
    }

    @Test func latencyCostAndSuites() throws {
        let suite = SuiteResult(
            name: "smoke",
            outcomes: [
                .init(id: "s1", passed: true, predicted: "a", confidence: 0.9, reason: nil),
                .init(id: "s2", passed: false, predicted: "b", confidence: 0.9, reason: "expected \"a\", got \"b\""),
            ])
        let candidate = report(pairs(10), latency: 0.2, dollars: 0.002, suites: [suite])
        let gate = Gate(
            latency: .init(p50: 250, p95: 150), maximumDollarsPer1000Requests: 1.5, requiredSuites: ["smoke", "safety"])
        let result = gate.evaluate(candidate)
        let failing = result.checks.filter { !$0.passed }.map(\.rule)
        #expect(
            failing == [
                "latency_ms.p95", "maximum_dollars_per_1000_requests", "required_suites.smoke",
                "required_suites.safety",
            ])
        #expect(result.checks.first { $0.rule == "latency_ms.p50" }?.passed == true)
        #expect(result.reasons.contains("1 of 2 cases fail: s2"))
        #expect(result.description.contains("FAIL required_suites.safety"))
    }

    @Test func untimedAnswersCannotPassALatencyBudget() {
        let untimed = report(pairs(10), latency: 0)
        #expect(untimed.latency.calls == 0)
        let result = Gate(latency: .init(p95: 100)).evaluate(untimed)
        #expect(result.reasons == ["no calls were timed"])
    }

    @Test func metricsAModelCannotGiveFail() {
        // Label-only answers (a frontier model without probabilities) have no log loss.
        let result = Gate(minimums: [.outOfScopeAUROC: 0.9], maximums: [.logLoss: 0.5]).evaluate(report(pairs(10)))
        #expect(result.reasons.count == 2)
        #expect(result.reasons.allSatisfy { $0.contains("the report has no") })
    }

    @Test func gateFilesRoundTripAndRefuseMistakes() throws {
        let gate = Gate(
            name: "router", minimums: [.macroF1: 0.85], maximums: [.expectedCalibrationError: 0.05],
            sliceMinimums: ["billing": [.accuracy: 0.9]], nonInferiority: .init(metric: .macroF1, margin: 0.01),
            latency: .init(p95: 50), maximumDollarsPer1000Requests: 0.5, maximumFailureRate: 0.01,
            requiredSuites: ["smoke"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-gate-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("gate.json")
        try JSONEncoder().encode(gate).write(to: url)
        #expect(try Gate(contentsOf: url) == gate)

        func load(_ json: String) throws -> Gate {
            try json.write(to: url, atomically: true, encoding: .utf8)
            return try Gate(contentsOf: url)
        }
        #expect(try load("{}") == Gate())
        let mistakes: [(String, String)] = [
            ("{\"minimums\": {\"macro_f2\": 0.8}}", "minimums.macro_f2: unknown metric"),
            ("{\"minimums\": {\"log_loss\": 0.8}}", "lower is better"),
            ("{\"minimum\": {\"accuracy\": 0.8}}", "unknown field \"minimum\""),
            ("{\"minimums\": {\"accuracy\": \"high\"}}", "minimums.accuracy must be"),
            ("{\"non_inferiority\": {\"metric\": \"accuracy\"}}", "missing \"margin\""),
            ("{\"non_inferiority\": {\"metric\": \"log_loss\", \"margin\": 0.1}}", "cannot be compared pairwise"),
            ("{\"maximum_failure_rate\": 2}", "between 0 and 1"),
            ("{\"minimums\": {", "not valid JSON"),
        ]
        for (json, message) in mistakes {
            #expect(throws: EvalFileError.self, "\(json)") { try load(json) }
            do { _ = try load(json) } catch {
                #expect(String(describing: error).contains(message), "\(json) → \(error)")
            }
        }
    }

    @Test func swiftTestingOneLiner() {
        let gate = Gate(minimums: [.macroF1: 0.85])
        #expect(gate.evaluate(report(pairs(40))).shipped)
        #expect(!gate.evaluate(report(pairs(40, wrong: 20))).shipped)
    }
}
