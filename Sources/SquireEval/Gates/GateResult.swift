/// A gate's verdict on a report, with every check behind it.
public struct GateResult: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Ship or not.
    public enum Verdict: String, Sendable, Hashable, Codable {
        /// Every check passed.
        case ship
        /// At least one check failed.
        case doNotShip = "do_not_ship"
    }

    /// One rule applied to the report.
    public struct Check: Sendable, Hashable, Codable {
        /// The rule, as named in the gate file (`minimums.macro_f1`, `latency_ms.p95`).
        public var rule: String
        /// Whether the report met it.
        public var passed: Bool
        /// The report's figure, when there is one.
        public var observed: Double?
        /// The rule's limit, when there is one.
        public var limit: Double?
        /// One sentence a reader can act on.
        public var detail: String
    }

    /// The gate's name.
    public var gate: String
    /// Every check, in a fixed order.
    public var checks: [Check]
    /// The candidate-versus-baseline evidence, when the gate compared them.
    public var comparison: PairedComparison?

    /// `.ship` when every check passed.
    public var verdict: Verdict { checks.allSatisfy(\.passed) ? .ship : .doNotShip }

    /// Whether the report may ship: `#expect(gate.evaluate(report).shipped)` in a test.
    public var shipped: Bool { verdict == .ship }

    /// The failing checks' sentences.
    public var reasons: [String] { checks.filter { !$0.passed }.map(\.detail) }

    /// The verdict, then one line per check, failing ones marked.
    public var description: String {
        (["\(gate): \(verdict == .ship ? "ship" : "do not ship")"]
            + checks.map { "  \($0.passed ? "pass" : "FAIL") \($0.rule): \($0.detail)" })
            .joined(separator: "\n")
    }

    private enum CodingKeys: String, CodingKey {
        case gate, checks, comparison, verdict
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gate, forKey: .gate)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(checks, forKey: .checks)
        try container.encodeIfPresent(comparison, forKey: .comparison)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        gate = try container.decode(String.self, forKey: .gate)
        checks = try container.decode([Check].self, forKey: .checks)
        comparison = try container.decodeIfPresent(PairedComparison.self, forKey: .comparison)
    }

    init(gate: String, checks: [Check], comparison: PairedComparison?) {
        self.gate = gate
        self.checks = checks
        self.comparison = comparison
    }
}
