/// The line search of Moré and Thuente (1994), as MINPACK-2's `dcsrch` states it and as
/// L-BFGS-B (scipy's `L-BFGS-B`, hence scikit-learn's `lbfgs`) uses it.
///
/// It looks for a step `α > 0` along a descent direction that satisfies the strong Wolfe
/// conditions: `φ(α) ≤ φ(0) + ftol · α · φ'(0)` and `|φ'(α)| ≤ gtol · |φ'(0)|`. It is a
/// state machine: the caller evaluates `φ` and `φ'` at ``step`` and hands them to
/// ``advance(value:derivative:)`` until it answers ``Outcome/converged`` or gives up.
struct MoreThuenteLineSearch {
    /// What the search asks for next.
    enum Outcome: Equatable {
        /// Evaluate the function at ``MoreThuenteLineSearch/step`` and call `advance` again.
        case evaluate
        /// The current step satisfies both Wolfe conditions.
        case converged
        /// The search cannot make progress (rounding, interval too small, step at a bound);
        /// the current step is the best found.
        case stalled(String)
    }

    /// The step to evaluate next.
    private(set) var step: Double

    private let ftol: Double
    private let gtol: Double
    private let xtol: Double
    private let minimumStep: Double
    private let maximumStep: Double

    private let initialValue: Double
    private let initialDerivative: Double
    private let sufficientDecreaseSlope: Double
    private var bracketed = false
    private var stage = 1
    private var width: Double
    private var previousWidth: Double
    // Best step so far (x) and the other end of the interval (y), with their values and slopes.
    private var stx = 0.0, fx: Double, gx: Double
    private var sty = 0.0, fy: Double, gy: Double
    private var lower = 0.0, upper: Double

    /// Starts a search at `initialStep` from a point whose value is `value` and whose
    /// directional derivative (`∇f · d`) is `derivative`, which must be negative.
    init(
        value: Double, derivative: Double, initialStep: Double,
        ftol: Double = 1e-3, gtol: Double = 0.9, xtol: Double = 0.1,
        minimumStep: Double = 0, maximumStep: Double = 1e10
    ) {
        self.ftol = ftol
        self.gtol = gtol
        self.xtol = xtol
        self.minimumStep = minimumStep
        self.maximumStep = maximumStep
        step = min(max(initialStep, minimumStep), maximumStep)
        initialValue = value
        initialDerivative = derivative
        sufficientDecreaseSlope = ftol * derivative
        width = maximumStep - minimumStep
        previousWidth = 2 * width
        fx = value
        gx = derivative
        fy = value
        gy = derivative
        upper = step + 4 * step
    }

    /// Takes `φ(step)` and `φ'(step)` and decides: done, or which step to try next.
    mutating func advance(value f: Double, derivative g: Double) -> Outcome {
        let ftest = initialValue + step * sufficientDecreaseSlope
        if stage == 1, f <= ftest, g >= 0 { stage = 2 }

        if bracketed, step <= lower || step >= upper { return .stalled("rounding errors prevent progress") }
        if bracketed, upper - lower <= xtol * upper { return .stalled("the interval of uncertainty is below xtol") }
        if step == maximumStep, f <= ftest, g <= sufficientDecreaseSlope {
            return .stalled("the step is at its upper bound")
        }
        if step == minimumStep, f > ftest || g >= sufficientDecreaseSlope {
            return .stalled("the step is at its lower bound")
        }
        if f <= ftest, abs(g) <= gtol * -initialDerivative { return .converged }

        if stage == 1, f <= fx, f > ftest {
            // Until a step with sufficient decrease and non-negative slope is seen, work on
            // the auxiliary function ψ(α) = φ(α) − φ(0) − ftol·α·φ'(0), as the paper does.
            let s = sufficientDecreaseSlope
            var (x, fxm, gxm) = (stx, fx - stx * s, gx - s)
            var (y, fym, gym) = (sty, fy - sty * s, gy - s)
            takeSafeguardedStep(&x, &fxm, &gxm, &y, &fym, &gym, f - step * s, g - s)
            (stx, sty) = (x, y)
            fx = fxm + stx * s
            fy = fym + sty * s
            gx = gxm + s
            gy = gym + s
        } else {
            var (x, fxl, gxl, y, fyl, gyl) = (stx, fx, gx, sty, fy, gy)
            takeSafeguardedStep(&x, &fxl, &gxl, &y, &fyl, &gyl, f, g)
            (stx, fx, gx, sty, fy, gy) = (x, fxl, gxl, y, fyl, gyl)
        }

        if bracketed {
            // Force enough shrinkage of the interval: bisect if two steps did not halve it.
            if abs(sty - stx) >= 0.66 * previousWidth { step = stx + 0.5 * (sty - stx) }
            previousWidth = width
            width = abs(sty - stx)
            lower = min(stx, sty)
            upper = max(stx, sty)
        } else {
            lower = step + 1.1 * (step - stx)
            upper = step + 4 * (step - stx)
        }
        step = min(max(step, minimumStep), maximumStep)
        if bracketed, step <= lower || step >= upper || upper - lower <= xtol * upper { step = stx }
        return .evaluate
    }

    /// One safeguarded step (MINPACK-2's `dcstep`): a cubic or quadratic interpolation
    /// chosen by which of four cases holds, then the interval update.
    private mutating func takeSafeguardedStep(
        _ stx: inout Double, _ fx: inout Double, _ dx: inout Double,
        _ sty: inout Double, _ fy: inout Double, _ dy: inout Double,
        _ fp: Double, _ dp: Double
    ) {
        let stp = step
        let sameSign = dp * (dx / abs(dx))
        let next: Double
        if fp > fx {
            // Higher value: the minimum is bracketed. Take the cubic step if it is closer to
            // stx, else the average of the cubic and quadratic steps.
            let theta = 3 * (fx - fp) / (stp - stx) + dx + dp
            let s = max(abs(theta), abs(dx), abs(dp))
            var gamma = s * ((theta / s) * (theta / s) - (dx / s) * (dp / s)).squareRoot()
            if stp < stx { gamma = -gamma }
            let p = (gamma - dx) + theta
            let q = ((gamma - dx) + gamma) + dp
            let cubic = stx + (p / q) * (stp - stx)
            let quadratic = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2) * (stp - stx)
            next = abs(cubic - stx) < abs(quadratic - stx) ? cubic : cubic + (quadratic - cubic) / 2
            bracketed = true
        } else if sameSign < 0 {
            // Slopes of opposite sign: bracketed; take whichever of the cubic and secant steps
            // is farther from stp.
            let theta = 3 * (fx - fp) / (stp - stx) + dx + dp
            let s = max(abs(theta), abs(dx), abs(dp))
            var gamma = s * ((theta / s) * (theta / s) - (dx / s) * (dp / s)).squareRoot()
            if stp > stx { gamma = -gamma }
            let p = (gamma - dp) + theta
            let q = ((gamma - dp) + gamma) + dx
            let cubic = stp + (p / q) * (stx - stp)
            let secant = stp + (dp / (dp - dx)) * (stx - stp)
            next = abs(cubic - stp) > abs(secant - stp) ? cubic : secant
            bracketed = true
        } else if abs(dp) < abs(dx) {
            // Same sign, slope shrinking: the cubic may not have a minimizer in the direction
            // of interest, so it is used only when it does, and extrapolation is bounded.
            let theta = 3 * (fx - fp) / (stp - stx) + dx + dp
            let s = max(abs(theta), abs(dx), abs(dp))
            var gamma = s * max(0, (theta / s) * (theta / s) - (dx / s) * (dp / s)).squareRoot()
            if stp > stx { gamma = -gamma }
            let p = (gamma - dp) + theta
            let q = (gamma + (dx - dp)) + gamma
            let r = p / q
            let cubic: Double
            if r < 0, gamma != 0 {
                cubic = stp + r * (stx - stp)
            } else {
                cubic = stp > stx ? upper : lower
            }
            let secant = stp + (dp / (dp - dx)) * (stx - stp)
            if bracketed {
                let chosen = abs(cubic - stp) < abs(secant - stp) ? cubic : secant
                next = stp > stx ? min(stp + 0.66 * (sty - stp), chosen) : max(stp + 0.66 * (sty - stp), chosen)
            } else {
                let chosen = abs(cubic - stp) > abs(secant - stp) ? cubic : secant
                next = max(lower, min(upper, chosen))
            }
        } else {
            // Same sign, slope not shrinking: step to the far end, or interpolate inside the bracket.
            if bracketed {
                let theta = 3 * (fp - fy) / (sty - stp) + dy + dp
                let s = max(abs(theta), abs(dy), abs(dp))
                var gamma = s * ((theta / s) * (theta / s) - (dy / s) * (dp / s)).squareRoot()
                if stp > sty { gamma = -gamma }
                let p = (gamma - dp) + theta
                let q = ((gamma - dp) + gamma) + dy
                next = stp + (p / q) * (sty - stp)
            } else {
                next = stp > stx ? upper : lower
            }
        }

        if fp > fx {
            sty = stp
            fy = fp
            dy = dp
        } else {
            if sameSign < 0 {
                sty = stx
                fy = fx
                dy = dx
            }
            stx = stp
            fx = fp
            dx = dp
        }
        step = next
    }
}
