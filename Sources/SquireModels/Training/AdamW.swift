public import SquireTensor

/// Adam with decoupled weight decay (Loshchilov and Hutter, 2019), as torch's `AdamW`
/// computes it: `p ← p − lr·λ·p`, then the bias-corrected Adam step.
public struct AdamW: Sendable, Hashable {
    /// The exponential decay of the first moment.
    public var beta1: Float
    /// The exponential decay of the second moment.
    public var beta2: Float
    /// Added to the root of the second moment.
    public var epsilon: Float
    /// The decoupled weight decay λ.
    public var weightDecay: Float
    /// Updates taken so far; the bias correction uses it.
    public internal(set) var step = 0
    /// The first moment of every parameter, in parameter order.
    public internal(set) var firstMoments: [Tensor] = []
    /// The second moment of every parameter, in parameter order.
    public internal(set) var secondMoments: [Tensor] = []

    /// Creates an optimizer with torch's defaults.
    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Applies one update to `parameters` from `gradients` (same order and shapes).
    ///
    /// - Parameters:
    ///   - learningRate: this step's rate, from a schedule.
    ///   - decays: which parameters take weight decay; biases and layer-norm parameters
    ///     usually do not.
    public mutating func update(_ parameters: inout [Tensor], gradients: [Tensor], learningRate: Float, decays: [Bool])
        throws
    {
        guard gradients.count == parameters.count, decays.count == parameters.count else {
            throw TrainingError.shapeMismatch(
                "AdamW got \(gradients.count) gradients for \(parameters.count) parameters")
        }
        if firstMoments.isEmpty {
            firstMoments = try parameters.map { try Tensor.zeros($0.shape) }
            secondMoments = firstMoments
        }
        step += 1
        let correction1 = 1 - pow(beta1, Float(step))
        let correction2 = 1 - pow(beta2, Float(step))
        for index in parameters.indices {
            guard gradients[index].shape == parameters[index].shape else {
                throw TensorError.shapeMismatch(
                    "AdamW (parameter \(index) vs its gradient)", parameters[index].shape, gradients[index].shape)
            }
            let decay = decays[index] ? learningRate * weightDecay : 0
            let (b1, b2, eps) = (beta1, beta2, epsilon)
            gradients[index].withUnsafeBufferPointer { g in
                firstMoments[index].withUnsafeMutableBufferPointer { m in
                    secondMoments[index].withUnsafeMutableBufferPointer { v in
                        parameters[index].withUnsafeMutableBufferPointer { p in
                            for i in p.indices {
                                m[i] = b1 * m[i] + (1 - b1) * g[i]
                                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                let mHat = m[i] / correction1
                                let vHat = v[i] / correction2
                                p[i] -= decay * p[i]
                                p[i] -= learningRate * mHat / (vHat.squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Restores the state saved from an earlier run (for resuming from a checkpoint).
    mutating func restore(step: Int, firstMoments: [Tensor], secondMoments: [Tensor]) {
        self.step = step
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
    }
}

private func pow(_ base: Float, _ exponent: Float) -> Float {
    var result: Float = 1
    var remaining = Int(exponent)
    var factor = base
    // Integer powers by squaring: exact enough, and no libm needed.
    while remaining > 0 {
        if remaining & 1 == 1 { result *= factor }
        factor *= factor
        remaining >>= 1
    }
    return result
}
