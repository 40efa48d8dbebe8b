import Foundation

extension Gate {
    /// Judges `report`, against `baseline` when the gate has a non-inferiority rule.
    ///
    /// Never throws: a rule that cannot be checked (a missing baseline, a slice or suite
    /// the report lacks, a figure the model cannot give) fails with the reason.
    public func evaluate(_ report: EvalReport, baseline: EvalReport? = nil) -> GateResult {
        var checks: [GateResult.Check] = []
        func check(_ rule: String, _ passed: Bool, observed: Double? = nil, limit: Double? = nil, _ detail: String) {
            checks.append(.init(rule: rule, passed: passed, observed: observed, limit: limit, detail: detail))
        }
        func digits(_ value: Double) -> String { value.formatted(digits: 4) }

        for problem in problems { check("gate", false, "the gate is unsound: \(problem)") }

        let answered = report.metrics.count - report.metrics.failures
        check(
            "minimum_examples", answered >= minimumExamples, observed: Double(answered), limit: Double(minimumExamples),
            answered >= minimumExamples
                ? "\(answered) answered examples (of \(report.metrics.count))"
                : "only \(answered) answered examples (of \(report.metrics.count)); the gate needs at least \(minimumExamples)"
        )

        func threshold(_ rule: String, _ metric: Metric, _ limit: Double, slice: String?, minimum: Bool) {
            let scope = slice.map { "slice \"\($0)\": " } ?? ""
            if let slice, report.slices[slice] == nil {
                check(
                    rule, false, limit: limit,
                    "the report has no slice \"\(slice)\"; tag examples with it or drop the rule")
                return
            }
            guard let value = report.value(of: metric, slice: slice) else {
                check(
                    rule, false, limit: limit,
                    "\(scope)the report has no \(metric.rawValue) (the model gave no probabilities, or no out-of-scope label was set)"
                )
                return
            }
            let passed = minimum ? value >= limit : value <= limit
            check(
                rule, passed, observed: value, limit: limit,
                "\(scope)\(metric.rawValue) \(digits(value)) \(passed ? (minimum ? "≥" : "≤") : (minimum ? "<" : ">")) \(digits(limit))"
            )
        }
        for (metric, limit) in minimums.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            threshold("minimums.\(metric.rawValue)", metric, limit, slice: nil, minimum: true)
        }
        for (metric, limit) in maximums.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            threshold("maximums.\(metric.rawValue)", metric, limit, slice: nil, minimum: false)
        }
        for (slice, rules) in sliceMinimums.sorted(by: { $0.key < $1.key }) {
            for (metric, limit) in rules.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                threshold("slice_minimums.\(slice).\(metric.rawValue)", metric, limit, slice: slice, minimum: true)
            }
        }

        var comparison: PairedComparison?
        if let rule = nonInferiority {
            let name = "non_inferiority.\(rule.metric.rawValue)"
            if let baseline {
                do {
                    let result = try PairedComparison(
                        candidate: report, baseline: baseline, metric: rule.metric,
                        confidenceLevel: rule.confidenceLevel,
                        resamples: rule.resamples, seed: rule.seed)
                    comparison = result
                    let passed = result.lower >= -rule.margin
                    let level = Int((rule.confidenceLevel * 100).rounded())
                    let test = result.mcnemar
                    check(
                        name, passed, observed: result.lower, limit: -rule.margin,
                        "\(rule.metric.rawValue) \(digits(result.candidate)) vs baseline \(digits(result.baseline)) on \(result.pairedCount) paired examples; "
                            + "difference \(digits(result.difference)), \(level)% interval [\(digits(result.lower)), \(digits(result.upper))] "
                            + (passed ? "stays above" : "reaches below") + " −\(digits(rule.margin)); "
                            + "McNemar: baseline-only correct \(test.baselineOnlyCorrect), candidate-only correct \(test.candidateOnlyCorrect), p = \(test.pValue < 1e-4 ? String(format: "%.1e", test.pValue) : digits(test.pValue))"
                    )
                } catch {
                    check(name, false, "cannot compare with the baseline: \(error)")
                }
            } else {
                check(name, false, "the gate compares against a baseline, but no baseline report was given")
            }
        }

        if let budget = latency {
            for (label, limit, observed) in [
                ("p50", budget.p50, report.latency.p50), ("p95", budget.p95, report.latency.p95),
                ("p99", budget.p99, report.latency.p99),
            ] {
                guard let limit else { continue }
                let passed = report.latency.calls > 0 && observed <= limit
                check(
                    "latency_ms.\(label)", passed, observed: observed, limit: limit,
                    report.latency.calls == 0
                        ? "no calls were timed"
                        : "\(label) latency \(observed.formatted(digits: 2)) ms \(passed ? "≤" : ">") \(limit.formatted(digits: 2)) ms"
                )
            }
        }
        if let limit = maximumDollarsPer1000Requests {
            let observed = report.cost.dollarsPer1000Requests
            let passed = observed <= limit
            check(
                "maximum_dollars_per_1000_requests", passed, observed: observed, limit: limit,
                "$\(observed.formatted(digits: 4)) per 1,000 requests \(passed ? "≤" : ">") $\(limit.formatted(digits: 4))"
            )
        }
        if let limit = maximumFailureRate {
            let observed = report.failureRate
            let passed = observed <= limit
            check(
                "maximum_failure_rate", passed, observed: observed, limit: limit,
                "\(report.metrics.failures) of \(report.metrics.count) calls failed (\(digits(observed))) \(passed ? "≤" : ">") \(digits(limit))"
            )
        } else if report.metrics.failures > 0 {
            check(
                "failures", true, observed: report.failureRate,
                "\(report.metrics.failures) of \(report.metrics.count) calls failed; the gate sets no limit (maximum_failure_rate)"
            )
        }
        for name in requiredSuites {
            guard let suite = report.suites.first(where: { $0.name == name }) else {
                check(
                    "required_suites.\(name)", false,
                    "the report has no suite \"\(name)\"; run it with the evaluation (--suite)")
                continue
            }
            let failing = suite.failingIDs
            check(
                "required_suites.\(name)", failing.isEmpty, observed: Double(failing.count), limit: 0,
                failing.isEmpty
                    ? "all \(suite.outcomes.count) cases pass"
                    : "\(failing.count) of \(suite.outcomes.count) cases fail: \(failing.prefix(10).joined(separator: ", "))\(failing.count > 10 ? ", …" : "")"
            )
        }
        return GateResult(gate: name, checks: checks, comparison: comparison)
    }
}
