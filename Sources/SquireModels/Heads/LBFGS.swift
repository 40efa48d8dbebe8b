/// Limited-memory BFGS for smooth unconstrained minimization, with the line search and the
/// stopping tests of L-BFGS-B as scikit-learn's `lbfgs` solver configures it.
///
/// The defaults reproduce `scipy.optimize.minimize(method="L-BFGS-B")` with scikit-learn's
/// options: ten correction pairs, the Moré–Thuente line search (`ftol = 1e-3`, `gtol = 0.9`,
/// `xtol = 0.1`, at most 50 evaluations), a first step of `1/‖d‖`, and a stop when the
/// largest gradient component is at most ``gradientTolerance`` or the relative decrease of
/// the objective is at most ``relativeDecreaseTolerance``.
public struct LBFGS: Sendable, Hashable {
    /// Stop once `max |∇f| ≤ gradientTolerance` (scikit-learn's `tol`, scipy's `gtol`).
    public var gradientTolerance: Double
    /// Stop once `(f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1)` is at most this (scipy's `ftol`).
    public var relativeDecreaseTolerance: Double
    /// The most iterations (scikit-learn's `max_iter`).
    public var maximumIterations: Int
    /// The most function evaluations one line search may take (scipy's `maxls`).
    public var maximumLineSearchSteps: Int
    /// How many correction pairs approximate the inverse Hessian (scipy's `maxcor`).
    public var memory: Int

    /// Creates a minimizer; the defaults are scikit-learn's for `LogisticRegression`.
    public init(
        gradientTolerance: Double = 1e-4,
        relativeDecreaseTolerance: Double = 64 * Double.ulpOfOne,
        maximumIterations: Int = 100,
        maximumLineSearchSteps: Int = 50,
        memory: Int = 10
    ) {
        self.gradientTolerance = gradientTolerance
        self.relativeDecreaseTolerance = relativeDecreaseTolerance
        self.maximumIterations = maximumIterations
        self.maximumLineSearchSteps = maximumLineSearchSteps
        self.memory = memory
    }

    /// Why the minimizer stopped.
    public enum Termination: String, Sendable, Hashable, Codable {
        /// The largest gradient component fell to the tolerance.
        case gradientTolerance = "gradient_tolerance"
        /// The objective stopped decreasing, relative to its size.
        case relativeDecrease = "relative_decrease"
        /// ``LBFGS/maximumIterations`` ran out before either test passed.
        case iterationLimit = "iteration_limit"
        /// The line search failed twice in a row, the second time from steepest descent.
        case lineSearchFailure = "line_search_failure"
        /// The progress callback asked to stop.
        case stopped
    }

    /// The minimizer's answer.
    public struct Result: Sendable, Hashable {
        /// The best point found.
        public var point: [Double]
        /// The objective there.
        public var value: Double
        /// The largest gradient component there.
        public var gradientNorm: Double
        /// Iterations taken (scipy's `nit`).
        public var iterations: Int
        /// Objective evaluations, line-search trials included (scipy's `nfev`).
        public var evaluations: Int
        /// Why it stopped.
        public var termination: Termination
    }

    /// Minimizes `objective` from `start`.
    ///
    /// - Parameters:
    ///   - objective: returns `f(x)` and writes `∇f(x)` into its second argument, which has
    ///     `x`'s length. A non-finite value or gradient is thrown as
    ///     ``TrainingError/nonFiniteLoss(step:value:)`` naming the iteration.
    ///   - progress: called after every iteration with the iteration number and objective;
    ///     answering ``TrainingAction/stop`` ends the run with ``Termination/stopped``.
    public func minimize(
        from start: [Double],
        objective: (_ point: [Double], _ gradient: inout [Double]) throws -> Double,
        progress: (_ iteration: Int, _ value: Double) -> TrainingAction = { _, _ in .proceed }
    ) throws -> Result {
        let n = start.count
        var x = start
        var gradient = [Double](repeating: 0, count: n)
        var evaluations = 1
        var value = try objective(x, &gradient)
        try Self.requireFinite(value, gradient, iteration: 0)

        var steps: [[Double]] = []  // s_k = x_{k+1} − x_k
        var changes: [[Double]] = []  // y_k = g_{k+1} − g_k
        var curvatures: [Double] = []  // 1 / (y_k · s_k)
        var iteration = 0
        var failedOnSteepestDescent = false

        func result(_ termination: Termination) -> Result {
            Result(
                point: x, value: value, gradientNorm: Self.maximumMagnitude(gradient), iterations: iteration,
                evaluations: evaluations, termination: termination)
        }
        if Self.maximumMagnitude(gradient) <= gradientTolerance { return result(.gradientTolerance) }

        while true {
            if iteration >= maximumIterations { return result(.iterationLimit) }
            var direction = twoLoopDirection(gradient, steps, changes, curvatures)
            var slope = dot(gradient, direction)
            if !(slope < 0) {
                // Not a descent direction (the curvature pairs went stale): restart from −∇f.
                steps.removeAll()
                changes.removeAll()
                curvatures.removeAll()
                direction = gradient.map { -$0 }
                slope = dot(gradient, direction)
            }
            let fromSteepestDescent = steps.isEmpty
            let directionNorm = dot(direction, direction).squareRoot()
            let initialStep = fromSteepestDescent ? min(1 / directionNorm, 1e10) : 1

            var search = MoreThuenteLineSearch(value: value, derivative: slope, initialStep: initialStep)
            var trial = x
            var trialGradient = gradient
            var trialValue = value
            var succeeded = false
            for _ in 0..<maximumLineSearchSteps {
                for i in 0..<n { trial[i] = x[i] + search.step * direction[i] }
                trialValue = try objective(trial, &trialGradient)
                evaluations += 1
                try Self.requireFinite(trialValue, trialGradient, iteration: iteration + 1)
                let outcome = search.advance(value: trialValue, derivative: dot(trialGradient, direction))
                if outcome == .converged {
                    succeeded = true
                    break
                }
                if case .stalled = outcome {
                    // L-BFGS-B keeps a stalled search's last point as it is; this keeps it only
                    // when it lowered f, and otherwise restarts from steepest descent, so the
                    // objective never goes up.
                    succeeded = trialValue < value
                    break
                }
            }
            guard succeeded else {
                if fromSteepestDescent || failedOnSteepestDescent { return result(.lineSearchFailure) }
                steps.removeAll()
                changes.removeAll()
                curvatures.removeAll()
                failedOnSteepestDescent = true
                continue
            }
            failedOnSteepestDescent = false
            iteration += 1

            var s = [Double](repeating: 0, count: n)
            var y = [Double](repeating: 0, count: n)
            for i in 0..<n {
                s[i] = trial[i] - x[i]
                y[i] = trialGradient[i] - gradient[i]
            }
            let previousValue = value
            x = trial
            gradient = trialGradient
            value = trialValue
            let sy = dot(s, y)
            // Skip pairs without enough positive curvature, as L-BFGS-B does, to keep H positive definite.
            if sy > Double.ulpOfOne * dot(y, y) {
                if steps.count == memory {
                    steps.removeFirst()
                    changes.removeFirst()
                    curvatures.removeFirst()
                }
                steps.append(s)
                changes.append(y)
                curvatures.append(1 / sy)
            }

            if progress(iteration, value) == .stop { return result(.stopped) }
            if Self.maximumMagnitude(gradient) <= gradientTolerance { return result(.gradientTolerance) }
            let scale = max(abs(previousValue), abs(value), 1)
            if previousValue - value <= relativeDecreaseTolerance * scale { return result(.relativeDecrease) }
        }
    }

    /// `−H·∇f` by the two-loop recursion, with `H₀ = (s·y / y·y) I` from the newest pair.
    private func twoLoopDirection(
        _ gradient: [Double], _ steps: [[Double]], _ changes: [[Double]], _ curvatures: [Double]
    ) -> [Double] {
        var q = gradient
        var alphas = [Double](repeating: 0, count: steps.count)
        for k in steps.indices.reversed() {
            let alpha = curvatures[k] * dot(steps[k], q)
            alphas[k] = alpha
            axpy(-alpha, changes[k], &q)
        }
        if let s = steps.last, let y = changes.last {
            let gamma = dot(s, y) / dot(y, y)
            for i in q.indices { q[i] *= gamma }
        }
        for k in steps.indices {
            let beta = curvatures[k] * dot(changes[k], q)
            axpy(alphas[k] - beta, steps[k], &q)
        }
        for i in q.indices { q[i] = -q[i] }
        return q
    }

    private static func requireFinite(_ value: Double, _ gradient: [Double], iteration: Int) throws {
        guard value.isFinite, gradient.allSatisfy(\.isFinite) else {
            throw TrainingError.nonFiniteLoss(step: iteration, value: value)
        }
    }

    private static func maximumMagnitude(_ values: [Double]) -> Double {
        values.reduce(0) { max($0, abs($1)) }
    }
}

/// `a · b` over four interleaved partial sums: one running sum waits on every add, which made
/// the two-loop recursion 5% of a logistic fit.
private func dot(_ a: [Double], _ b: [Double]) -> Double {
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            var sums = SIMD4<Double>()
            var i = 0
            while i + 4 <= a.count {
                let x = UnsafeRawPointer(a.baseAddress! + i).loadUnaligned(as: SIMD4<Double>.self)
                let y = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: SIMD4<Double>.self)
                sums += x * y
                i += 4
            }
            var sum = sums.sum()
            while i < a.count {
                sum += a[i] * b[i]
                i += 1
            }
            return sum
        }
    }
}

private func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    x.withUnsafeBufferPointer { x in
        y.withUnsafeMutableBufferPointer { y in
            for i in 0..<y.count { y[i] += alpha * x[i] }
        }
    }
}
