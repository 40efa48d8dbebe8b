extension EvalReport {
    /// The `generator` tag in every HTML page's head: it tells Squire the file is one it wrote
    /// and may replace.
    public static let htmlMark = "<meta name=\"generator\" content=\"Squire\">"

    /// A self-contained page: headline figures, the gate's verdict when given, and the
    /// confusion-matrix heatmap, reliability diagram, risk–coverage curve and per-label F1
    /// bars as inline SVG. No script, no fonts or images fetched.
    public func html(gate result: GateResult? = nil) -> String {
        let e = SVGChart.escape
        func figure(_ value: Double?) -> String { value.map { $0.formatted(digits: 4) } ?? "—" }
        let m = metrics
        var rows: [(String, String)] = [
            ("examples", "\(m.count) (\(m.failures) failed)"),
            ("accuracy", figure(m.accuracy)),
            ("macro F1", figure(m.macro.f1)),
            ("weighted F1", figure(m.weighted.f1)),
            ("log loss", figure(m.logLoss)),
            ("Brier score", figure(m.brierScore)),
            ("expected calibration error", figure(m.expectedCalibrationError)),
            ("area under risk–coverage", figure(m.areaUnderRiskCoverage)),
        ]
        if let oos = m.outOfScope {
            rows.append(("out-of-scope AUROC", figure(oos.auroc)))
            rows.append(("out-of-scope FPR at 95% TPR", figure(oos.falsePositiveRateAt95Recall)))
        }
        rows.append(
            (
                "latency p50 / p95 / p99",
                "\(latency.p50.formatted(digits: 1)) / \(latency.p95.formatted(digits: 1)) / \(latency.p99.formatted(digits: 1)) ms"
            ))
        rows.append(("cost per 1,000 requests", "$\(cost.dollarsPer1000Requests.formatted(digits: 4))"))

        var body = "<h1>\(e(model)) on \(e(dataset))</h1>"
        if let result {
            body +=
                "<div class=\"verdict \(result.shipped ? "ship" : "hold")\">Gate \(e(result.gate)): \(result.shipped ? "ship" : "do not ship")</div><ul class=\"checks\">"
            for check in result.checks {
                body +=
                    "<li class=\"\(check.passed ? "pass" : "fail")\"><code>\(e(check.rule))</code> \(e(check.detail))</li>"
            }
            body += "</ul>"
        }
        body +=
            "<table class=\"figures\">" + rows.map { "<tr><th>\(e($0.0))</th><td>\(e($0.1))</td></tr>" }.joined()
            + "</table>"
        body += "<div class=\"charts\">"
        body +=
            "<figure><figcaption>Reliability: accuracy per confidence bin (bars), mean confidence (red), perfect calibration (dashed)</figcaption>\(SVGChart.reliabilityDiagram(m.reliability))</figure>"
        body +=
            "<figure><figcaption>Risk–coverage: error rate of the answers kept when only the most confident are kept</figcaption>\(SVGChart.riskCoverage(m.selective))</figure>"
        body += "</div>"
        body +=
            "<figure><figcaption>Confusion matrix: rows expected, columns predicted; green diagonal, red confusions (shade = share of the row)</figcaption>\(SVGChart.confusionHeatmap(m.confusionMatrix))</figure>"
        body +=
            "<figure><figcaption>F1 per label, weakest first</figcaption>\(SVGChart.f1Bars(m.perClass.filter { $0.support > 0 }))</figure>"
        if !slices.isEmpty {
            body += "<h2>Slices</h2><table><tr><th>slice</th><th>examples</th><th>accuracy</th><th>macro F1</th></tr>"
            for (name, slice) in slices.sorted(by: { $0.key < $1.key }) {
                body +=
                    "<tr><td>\(e(name))</td><td>\(slice.count)</td><td>\(figure(slice.accuracy))</td><td>\(figure(slice.macro.f1))</td></tr>"
            }
            body += "</table>"
        }
        for suite in suites {
            body +=
                "<h2>Suite \(e(suite.name)): \(suite.outcomes.filter(\.passed).count)/\(suite.outcomes.count) pass</h2><ul class=\"checks\">"
            for outcome in suite.outcomes where !outcome.passed {
                body += "<li class=\"fail\"><code>\(e(outcome.id))</code> \(e(outcome.reason ?? "failed"))</li>"
            }
            body += "</ul>"
        }
        let style = """
            body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;padding:0 1.5em;max-width:1100px;color:#222}
            table{border-collapse:collapse;margin:1em 0}th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}
            .figures th{font-weight:normal;color:#555}.charts{display:flex;flex-wrap:wrap;gap:2em}.charts figure{max-width:420px}
            figure{margin:1.5em 0}figcaption{color:#555;margin-bottom:.4em}
            .verdict{font-size:1.3em;font-weight:600;padding:.4em .8em;display:inline-block;border-radius:4px}
            .ship{background:#dff3e3;color:#1d6b32}.hold{background:#fbe0e0;color:#9b1c1c}
            .checks{list-style:none;padding:0}.checks li::before{content:"✔ ";color:#1d6b32}.checks li.fail::before{content:"✘ ";color:#9b1c1c}
            """
        return
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\(Self.htmlMark)<title>\(e(model)) on \(e(dataset))</title><style>\(style)</style></head><body>\(body)</body></html>\n"
    }
}
