#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// The few distribution tails the drift tests need, from their textbook series.
enum SpecialFunctions {
    static func logGamma(_ x: Double) -> Double {
        let value: Double = lgamma(x)
        return value
    }

    /// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a).
    static func upperRegularizedGamma(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 1 }
        let prefix = exp(-x + a * log(x) - logGamma(a))
        if x < a + 1 {
            // P(a, x) by its power series; Q = 1 − P.
            var term = 1 / a
            var sum = term
            var n = 1.0
            while abs(term) > abs(sum) * 1e-16 && n < 10_000 {
                term *= x / (a + n)
                sum += term
                n += 1
            }
            return max(0, 1 - sum * prefix)
        }
        // Q(a, x) by its continued fraction, evaluated with the modified Lentz method.
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 10_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
            i += 1
        }
        return min(1, prefix * h)
    }

    /// P(χ²_k ≥ x).
    static func chiSquareSurvival(_ x: Double, degreesOfFreedom k: Int) -> Double {
        upperRegularizedGamma(Double(k) / 2, x / 2)
    }

    /// The Kolmogorov distribution's tail P(K ≥ λ) = 2 Σ (−1)^(j−1) e^(−2j²λ²).
    static func kolmogorovSurvival(_ lambda: Double) -> Double {
        guard lambda > 0 else { return 1 }
        if lambda < 0.2 { return 1 }  // the sum is 1 to double precision here and converges slowly
        var sum = 0.0
        var sign = 1.0
        for j in 1...100 {
            let term = exp(-2 * Double(j * j) * lambda * lambda)
            sum += sign * term
            if term < 1e-18 { break }
            sign = -sign
        }
        return min(1, max(0, 2 * sum))
    }
}
