import SquireTensor

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
    /// The first moment of every parameter, under the parameter's key.
    public internal(set) var firstMoments = NamedTensors()
    /// The second moment of every parameter, under the parameter's key.
    public internal(set) var secondMoments = NamedTensors()

    /// Creates an optimizer with torch's defaults.
    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Applies one update to `parameters` from `gradients` (the same keys in the same order,
    /// and the same shapes).
    ///
    /// - Parameters:
    ///   - learningRate: this step's rate, from a schedule.
    ///   - decays: whether a parameter, given its key, takes weight decay; biases and
    ///     layer-norm parameters usually do not.
    /// - Throws: ``NamedTensorsError`` naming the first key or shape in which the gradients
    ///   (or the moments of an earlier step) differ from the parameters.
    public mutating func update(
        _ parameters: inout NamedTensors, gradients: NamedTensors, learningRate: Float, decays: (String) -> Bool
    ) throws {
        try parameters.checkSameLayout(as: gradients)
        if firstMoments.isEmpty {
            firstMoments = try parameters.mapTensors { try Tensor.zeros($0.tensor.shape) }
            secondMoments = firstMoments
        }
        try parameters.checkSameLayout(as: firstMoments)
        try parameters.checkSameLayout(as: secondMoments)
        step += 1
        let correction1 = 1 - pow(beta1, Float(step))
        let correction2 = 1 - pow(beta2, Float(step))
        for index in parameters.indices {
            let decay = decays(parameters.keys[index]) ? learningRate * weightDecay : 0
            let (b1, b2, eps) = (beta1, beta2, epsilon)
            gradients.tensors[index].withUnsafeBufferPointer { g in
                firstMoments.tensors[index].withUnsafeMutableBufferPointer { m in
                    secondMoments.tensors[index].withUnsafeMutableBufferPointer { v in
                        parameters.tensors[index].withUnsafeMutableBufferPointer { p in
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
    mutating func restore(step: Int, firstMoments: NamedTensors, secondMoments: NamedTensors) {
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
