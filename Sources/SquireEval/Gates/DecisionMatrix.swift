/// Build vs buy vs prompt, decided from measured reports: quality, p95 latency, monthly
/// cost at a given volume, break-even volumes, and a recommendation with its reasons.
public struct DecisionMatrix: Sendable, Hashable, Codable {
    /// One option: an evaluated model and what running it costs beyond its measured calls.
    public struct Candidate: Sendable, Hashable {
        /// A name for the table (`"gpt prompt"`, `"local logistic"`).
        public var name: String
        /// Its evaluation on the shared test set.
        public var report: EvalReport
        /// Fixed monthly cost: hosting, maintenance, retraining (dollars).
        public var fixedMonthlyDollars: Double
        /// Per-request price to use instead of the report's measured cost, in dollars per 1,000.
        public var dollarsPer1000Requests: Double?

        /// Creates a candidate.
        public init(
            name: String, report: EvalReport, fixedMonthlyDollars: Double = 0, dollarsPer1000Requests: Double? = nil
        ) {
            self.name = name
            self.report = report
            self.fixedMonthlyDollars = fixedMonthlyDollars
            self.dollarsPer1000Requests = dollarsPer1000Requests
        }
    }

    /// One candidate's figures.
    public struct Row: Sendable, Hashable, Codable {
        /// The candidate's name.
        public var name: String
        /// The compared metric's value; `nil` when the report cannot give it.
        public var quality: Double?
        /// 95th-percentile call latency in milliseconds.
        public var p95Milliseconds: Double
        /// Variable cost per 1,000 requests.
        public var dollarsPer1000Requests: Double
        /// Fixed monthly cost.
        public var fixedMonthlyDollars: Double
        /// Fixed plus variable cost at the matrix's monthly volume.
        public var monthlyDollars: Double
        /// Whether it meets the quality bar and the latency budget.
        public var eligible: Bool
        /// Monthly requests at which this candidate and the recommended one cost the same;
        /// `nil` when their cost lines never cross.
        public var breakEvenVolume: Double?

        private enum CodingKeys: String, CodingKey {
            case name, quality, eligible
            case p95Milliseconds = "p95_ms"
            case dollarsPer1000Requests = "dollars_per_1000_requests"
            case fixedMonthlyDollars = "fixed_monthly_dollars"
            case monthlyDollars = "monthly_dollars"
            case breakEvenVolume = "break_even_requests_per_month"
        }
    }

    /// The metric compared.
    public var metric: Metric
    /// Requests per month the costs are computed for.
    public var monthlyVolume: Double
    /// The quality a candidate needs to be eligible.
    public var qualityBar: Double?
    /// The p95 latency a candidate must stay within, in milliseconds.
    public var latencyBudget: Double?
    /// One per candidate, in the order given.
    public var rows: [Row]
    /// The cheapest eligible candidate at this volume; `nil` when none is eligible.
    public var recommendation: String?
    /// Why, one sentence per candidate.
    public var reasons: [String]

    /// Builds the matrix.
    ///
    /// - Parameters:
    ///   - minimumQuality: the bar; without one, a candidate is eligible when it is within
    ///     `qualityTolerance` of the best candidate.
    ///   - p95Budget: the latency budget in milliseconds, if any.
    public init(
        candidates: [Candidate], monthlyVolume: Double, metric: Metric = .macroF1,
        minimumQuality: Double? = nil, qualityTolerance: Double = 0.01, p95Budget: Double? = nil
    ) {
        self.metric = metric
        self.monthlyVolume = monthlyVolume
        latencyBudget = p95Budget
        let better: (Double, Double) -> Bool = metric.higherIsBetter ? { $0 > $1 } : { $0 < $1 }
        let qualities = candidates.map { $0.report.value(of: metric) }
        let best = qualities.compactMap { $0 }.reduce(nil as Double?) { current, value in
            current.map { better(value, $0) ? value : $0 } ?? value
        }
        let bar = minimumQuality ?? best.map { metric.higherIsBetter ? $0 - qualityTolerance : $0 + qualityTolerance }
        qualityBar = bar

        var rows: [Row] = []
        var reasons: [String] = []
        for (candidate, quality) in zip(candidates, qualities) {
            let per1000 = candidate.dollarsPer1000Requests ?? candidate.report.cost.dollarsPer1000Requests
            let p95 = candidate.report.latency.p95
            var why: [String] = []
            var eligible = true
            if let quality, let bar {
                let meets = metric.higherIsBetter ? quality >= bar : quality <= bar
                if !meets { eligible = false }
                why.append(
                    "\(metric.rawValue) \(quality.formatted(digits: 4)) \(meets ? "meets" : "misses") the bar \(bar.formatted(digits: 4))"
                )
            } else {
                eligible = false
                why.append("its report has no \(metric.rawValue)")
            }
            if let budget = p95Budget {
                let meets = candidate.report.latency.calls > 0 && p95 <= budget
                if !meets { eligible = false }
                why.append(
                    "p95 \(p95.formatted(digits: 1)) ms \(meets ? "within" : "over") the \(budget.formatted(digits: 1)) ms budget"
                )
            }
            let monthly = candidate.fixedMonthlyDollars + monthlyVolume * per1000 / 1000
            why.append("$\(monthly.formatted(digits: 2)) a month at \(Int(monthlyVolume)) requests")
            rows.append(
                Row(
                    name: candidate.name, quality: quality, p95Milliseconds: p95, dollarsPer1000Requests: per1000,
                    fixedMonthlyDollars: candidate.fixedMonthlyDollars, monthlyDollars: monthly, eligible: eligible,
                    breakEvenVolume: nil))
            reasons.append("\(candidate.name): " + why.joined(separator: "; "))
        }
        let chosen = rows.indices.filter { rows[$0].eligible }.min { a, b in
            if rows[a].monthlyDollars != rows[b].monthlyDollars {
                return rows[a].monthlyDollars < rows[b].monthlyDollars
            }
            return better(rows[a].quality ?? 0, rows[b].quality ?? 0)
        }
        if let chosen {
            let pick = rows[chosen]
            for index in rows.indices where index != chosen {
                // fixed_a + v·c_a = fixed_b + v·c_b  ⇒  v = (fixed_a − fixed_b) / (c_b − c_a), per request.
                let slope = (pick.dollarsPer1000Requests - rows[index].dollarsPer1000Requests) / 1000
                guard slope != 0 else { continue }
                let volume = (rows[index].fixedMonthlyDollars - pick.fixedMonthlyDollars) / slope
                if volume > 0 { rows[index].breakEvenVolume = volume }
            }
            recommendation = pick.name
            reasons.insert(
                "recommend \(pick.name): the cheapest candidate that meets the quality bar\(p95Budget == nil ? "" : " and the latency budget") at this volume",
                at: 0)
        } else {
            recommendation = nil
            reasons.insert(
                "no candidate meets the quality bar\(p95Budget == nil ? "" : " and the latency budget"); improve a model or relax the bar",
                at: 0)
        }
        self.rows = rows
        self.reasons = reasons
    }

    private enum CodingKeys: String, CodingKey {
        case metric, rows, recommendation, reasons
        case monthlyVolume = "monthly_requests"
        case qualityBar = "quality_bar"
        case latencyBudget = "p95_budget_ms"
    }

    /// The matrix as a Markdown table followed by the reasons.
    public var markdown: String {
        var lines = [
            "| candidate | \(metric.rawValue) | p95 ms | $ / 1,000 | fixed $ / month | $ / month | eligible | break-even requests / month |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in rows {
            let name =
                row.name == recommendation
                ? "**\(EvalReport.escapeMarkdown(row.name))**" : EvalReport.escapeMarkdown(row.name)
            lines.append(
                "| \(name) | \(row.quality.map { $0.formatted(digits: 4) } ?? "—") | \(row.p95Milliseconds.formatted(digits: 1)) | \(row.dollarsPer1000Requests.formatted(digits: 4)) | "
                    + "\(row.fixedMonthlyDollars.formatted(digits: 2)) | \(row.monthlyDollars.formatted(digits: 2)) | \(row.eligible ? "yes" : "no") | \(row.breakEvenVolume.map { String(Int($0.rounded())) } ?? "—") |"
            )
        }
        return (lines + [""] + reasons.map { "- \($0)" }).joined(separator: "\n")
    }
}
