#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// McNemar's exact test on paired right/wrong outcomes of two models.
///
/// Only the discordant pairs matter: `b` examples only the baseline gets right, `c` only
/// the candidate. Under "the models are equally accurate" each discordant pair is a fair
/// coin, so the two-sided p-value is `min(1, 2 · P[Binomial(b + c, ½) ≤ min(b, c)])`,
/// as `scipy.stats.binomtest(min(b, c), b + c, 0.5)` computes it.
public struct McNemarTest: Sendable, Hashable, Codable {
    /// Examples only the baseline answered correctly.
    public var baselineOnlyCorrect: Int
    /// Examples only the candidate answered correctly.
    public var candidateOnlyCorrect: Int
    /// Two-sided exact p-value; 1 when there are no discordant pairs.
    public var pValue: Double

    /// Counts that cannot be counts.
    public struct NegativeCount: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String { "McNemar's test needs counts of zero or more" }
    }

    /// Runs the test on discordant counts; throws ``NegativeCount`` for a negative one.
    public init(baselineOnlyCorrect b: Int, candidateOnlyCorrect c: Int) throws {
        guard b >= 0, c >= 0 else { throw NegativeCount() }
        baselineOnlyCorrect = b
        candidateOnlyCorrect = c
        let n = b + c
        guard n > 0 else {
            pValue = 1
            return
        }
        // Sum the lower tail in log space so large n neither overflows nor underflows early.
        let logHalf = log(0.5) * Double(n)
        func logFactorial(_ k: Int) -> Double {
            let value: Double = lgamma(Double(k) + 1)
            return value
        }
        var tail = 0.0
        for i in 0...min(b, c) {
            tail += exp(logFactorial(n) - logFactorial(i) - logFactorial(n - i) + logHalf)
        }
        pValue = min(1, 2 * tail)
    }

    private enum CodingKeys: String, CodingKey {
        case baselineOnlyCorrect = "baseline_only_correct"
        case candidateOnlyCorrect = "candidate_only_correct"
        case pValue = "p_value"
    }
}
