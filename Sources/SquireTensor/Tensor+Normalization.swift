extension Tensor {
    /// Softmax over the last axis, computed as exp(x − max) / Σ exp(x − max) so that
    /// large inputs cannot overflow. A row of all −∞ (fully masked) gives NaN, as in torch.
    public func softmax() throws -> Tensor {
        try rowwise(for: "softmax") { row, output, width in
            let peak = rowMax(row, count: width)
            let shift = SIMD8<Float>(repeating: peak)
            mapVectors(row, output, count: width) { VectorMath.exp($0 - shift) }
            let scale = SIMD8<Float>(repeating: 1 / rowSum(output, count: width))
            mapVectors(output, output, count: width) { $0 * scale }
        }
    }

    /// Log-softmax over the last axis: x − max − log Σ exp(x − max), stable for any input.
    public func logSoftmax() throws -> Tensor {
        try rowwise(for: "logSoftmax") { row, output, width in
            let peak = rowMax(row, count: width)
            let shift = SIMD8<Float>(repeating: peak)
            mapVectors(row, output, count: width) { VectorMath.exp($0 - shift) }
            let logSum = VectorMath.log(SIMD8<Float>(repeating: rowSum(output, count: width)))[0]
            let offset = SIMD8<Float>(repeating: peak + logSum)
            mapVectors(row, output, count: width) { $0 - offset }
        }
    }

    /// Layer normalization over the last axis: (x − mean) / sqrt(variance + ε) · gamma + beta,
    /// with the biased variance, as BERT and torch's `LayerNorm` compute it.
    ///
    /// - Parameters:
    ///   - gamma: the scale, shape `[D]` for a `[…, D]` tensor.
    ///   - beta: the shift, shape `[D]`.
    ///   - epsilon: added to the variance; BERT uses 1e-12.
    public func layerNormalized(gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5) throws -> Tensor {
        let width = try lastAxisExtent(for: "layerNormalized")
        guard gamma.shape == [width] else {
            throw TensorError.shapeMismatch("layerNormalized (input vs gamma)", shape, gamma.shape)
        }
        guard beta.shape == [width] else {
            throw TensorError.shapeMismatch("layerNormalized (input vs beta)", shape, beta.shape)
        }
        return try gamma.scalars.withUnsafeBufferPointer { g in
            try beta.scalars.withUnsafeBufferPointer { b in
                try rowwise(for: "layerNormalized") { row, output, width in
                    let mean = rowSum(row, count: width) / Float(width)
                    let centre = SIMD8<Float>(repeating: mean)
                    // Two passes (mean, then squared deviations) keep the variance accurate
                    // when the mean is large compared with the spread.
                    mapVectors(row, output, count: width) { ($0 - centre) * ($0 - centre) }
                    let variance = rowSum(output, count: width) / Float(width)
                    let scale = SIMD8<Float>(repeating: 1 / (variance + epsilon).squareRoot())
                    var i = 0
                    while i + 8 <= width {
                        let x = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self)
                        let gv = UnsafeRawPointer(g.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                        let bv = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(output + i).storeBytes(
                            of: (x - centre) * scale * gv + bv, as: SIMD8<Float>.self)
                        i += 8
                    }
                    if i < width {
                        var x = SIMD8<Float>()
                        var gv = SIMD8<Float>()
                        var bv = SIMD8<Float>()
                        for lane in 0..<(width - i) {
                            x[lane] = row[i + lane]
                            gv[lane] = g[i + lane]
                            bv[lane] = b[i + lane]
                        }
                        let y = (x - centre) * scale * gv + bv
                        for lane in 0..<(width - i) { output[i + lane] = y[lane] }
                    }
                }
            }
        }
    }

    /// Each row of the last axis divided by its Euclidean norm, or by `epsilon` when the
    /// norm is smaller (torch's `F.normalize`), so a zero row stays zero.
    public func l2Normalized(epsilon: Float = 1e-12) throws -> Tensor {
        try rowwise(for: "l2Normalized") { row, output, width in
            mapVectors(row, output, count: width) { $0 * $0 }
            let norm = Swift.max(rowSum(output, count: width).squareRoot(), epsilon)
            let scale = SIMD8<Float>(repeating: 1 / norm)
            mapVectors(row, output, count: width) { $0 * scale }
        }
    }

    /// Runs `body(row, output, width)` for every row of the last axis.
    @inline(__always)
    private func rowwise(
        for operation: String,
        _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) throws -> Void
    ) throws -> Tensor {
        let width = try lastAxisExtent(for: operation)
        let total = count
        let result = try [Float](unsafeUninitializedCapacity: total) { output, initialized in
            defer { initialized = total }
            guard total > 0, width > 0 else { return }
            try scalars.withUnsafeBufferPointer { input in
                let (source, target) = (input.baseAddress!, output.baseAddress!)
                for row in 0..<(total / width) {
                    try body(source + row * width, target + row * width, width)
                }
            }
        }
        return Tensor(unchecked: shape, scalars: result)
    }
}

/// Softmax of each of `rows` rows of `width` into `output`, as ``Tensor/softmax()`` computes
/// it, and each row's log-sum-exp `max + log Σ exp(x − max)` into `logSumExp`: a
/// cross-entropy's probabilities and log-likelihoods (`x_y − logSumExp`) from one exponential
/// per element, where softmax and log-softmax apart take two.
package func softmaxRows(
    _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
    rows: Int, width: Int
) {
    // Eight rows at a time, so their eight logarithms are one vector's.
    for first in stride(from: 0, to: rows, by: 8) {
        var sums = SIMD8<Float>(repeating: 1)
        var peaks = SIMD8<Float>()
        for lane in 0..<min(8, rows - first) {
            let (source, target) = (input + (first + lane) * width, output + (first + lane) * width)
            let peak = rowMax(source, count: width)
            let shift = SIMD8<Float>(repeating: peak)
            mapVectors(source, target, count: width) { VectorMath.exp($0 - shift) }
            peaks[lane] = peak
            sums[lane] = rowSum(target, count: width)
        }
        let logs = VectorMath.log(sums)
        for lane in 0..<min(8, rows - first) {
            let target = output + (first + lane) * width
            logSumExp[first + lane] = peaks[lane] + logs[lane]
            let scale = SIMD8<Float>(repeating: 1 / sums[lane])
            mapVectors(target, target, count: width) { $0 * scale }
        }
    }
}

/// The largest of `count` contiguous floats; NaN if any is NaN.
@inline(__always)
func rowMax(_ start: UnsafePointer<Float>, count: Int) -> Float {
    var peak = -Float.infinity
    var sawNaN = false
    var lanes = SIMD8<Float>(repeating: -.infinity)
    var i = 0
    while i + 8 <= count {
        let v = UnsafeRawPointer(start + i).loadUnaligned(as: SIMD8<Float>.self)
        sawNaN = sawNaN || any(v .!= v)
        lanes.replace(with: v, where: v .> lanes)  // not pointwiseMax: a call per vector, not an instruction
        i += 8
    }
    peak = lanes.max()
    while i < count {
        sawNaN = sawNaN || start[i].isNaN
        peak = Swift.max(peak, start[i])
        i += 1
    }
    return sawNaN ? .nan : peak
}

extension Tensor {
    /// Backward of ``l2Normalized(epsilon:)`` for rows whose norm exceeds `epsilon`:
    /// `∂L/∂x = (∂L/∂y − y · (y · ∂L/∂y)) / ‖x‖`, given the forward input `x`.
    public func l2NormalizedBackward(_ outputGradient: Tensor, epsilon: Float = 1e-12) throws -> Tensor {
        try requireSameShape(as: outputGradient, for: "l2NormalizedBackward")
        let width = try lastAxisExtent(for: "l2NormalizedBackward")
        var result = [Float](repeating: 0, count: count)
        for row in 0..<(count / Swift.max(width, 1)) {
            let base = row * width
            var squared: Float = 0
            for j in 0..<width { squared += scalars[base + j] * scalars[base + j] }
            let norm = Swift.max(squared.squareRoot(), epsilon)
            var dot: Float = 0
            for j in 0..<width { dot += scalars[base + j] / norm * outputGradient.scalars[base + j] }
            for j in 0..<width {
                // Below epsilon the forward divided by the constant epsilon: a plain scale.
                result[base + j] =
                    norm == epsilon
                    ? outputGradient.scalars[base + j] / epsilon
                    : (outputGradient.scalars[base + j] - scalars[base + j] / norm * dot) / norm
            }
        }
        return Tensor(unchecked: shape, scalars: result)
    }
}
