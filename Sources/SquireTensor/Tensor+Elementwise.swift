internal import CSquireTensorKernels

extension Tensor {
    /// A tensor of this shape with `kernel` applied to every element, eight at a time.
    @inline(__always)
    func mapped(_ kernel: (SIMD8<Float>) -> SIMD8<Float>) -> Tensor {
        let total = count
        let result = [Float](unsafeUninitializedCapacity: total) { output, initialized in
            scalars.withUnsafeBufferPointer { input in
                if let source = input.baseAddress, let target = output.baseAddress {
                    ParallelChunks.run(count: total) { range in
                        mapVectors(source + range.lowerBound, target + range.lowerBound, count: range.count, kernel)
                    }
                }
            }
            initialized = total
        }
        return Tensor(unchecked: shape, scalars: result)
    }

    /// e raised to each element.
    public func exp() -> Tensor { mapped(VectorMath.exp) }

    /// The natural logarithm of each element (−∞ at 0, NaN below 0).
    public func log() -> Tensor { mapped(VectorMath.log) }

    /// The hyperbolic tangent of each element.
    public func tanh() -> Tensor { mapped(VectorMath.tanh) }

    /// The logistic sigmoid 1 / (1 + e^−x) of each element.
    public func sigmoid() -> Tensor { mapped(VectorMath.sigmoid) }

    /// max(x, 0) for each element.
    public func relu() -> Tensor { mapped { $0.replacing(with: 0, where: $0 .< 0) } }

    /// GELU in the exact form BERT uses, x · Φ(x) = ½·x·(1 + erf(x/√2)), for each element.
    public func gelu() -> Tensor { gelu(vectorUnits: TensorKernels.hasAVX2) }

    /// Whether this CPU runs the AVX2 kernels that the `vectorUnits: true` variants call.
    package static var vectorUnitsAvailable: Bool { TensorKernels.hasAVX2 }

    /// ``gelu()`` by the AVX2 kernel or by the portable Swift one, for tests that compare them.
    package func gelu(vectorUnits: Bool) -> Tensor {
        vectorUnits ? mappedByNativeKernel(squire_gelu_avx2) : mapped(VectorMath.gelu)
    }

    /// ``geluDerivative()`` by the AVX2 kernel or by the portable Swift one.
    package func geluDerivative(vectorUnits: Bool) -> Tensor {
        vectorUnits ? mappedByNativeKernel(squire_gelu_derivative_avx2) : mapped(VectorMath.geluDerivative)
    }

    /// A tensor of this shape with a C kernel applied to every element, split across cores.
    private func mappedByNativeKernel(_ kernel: (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void)
        -> Tensor
    {
        let total = count
        let result = [Float](unsafeUninitializedCapacity: total) { output, initialized in
            scalars.withUnsafeBufferPointer { input in
                if let source = input.baseAddress, let target = output.baseAddress {
                    ParallelChunks.run(count: total) { range in
                        kernel(source + range.lowerBound, target + range.lowerBound, range.count)
                    }
                }
            }
            initialized = total
        }
        return Tensor(unchecked: shape, scalars: result)
    }

    /// GELU's derivative `Φ(x) + x·φ(x)` elementwise, for the backward pass.
    public func geluDerivative() -> Tensor { geluDerivative(vectorUnits: TensorKernels.hasAVX2) }

    /// Each element squared.
    public func squared() -> Tensor { mapped { $0 * $0 } }

    /// The square root of each element.
    public func squareRoot() -> Tensor { mapped { $0.squareRoot() } }

    /// Whether every element is finite (no NaN, no ±∞).
    public var isFinite: Bool {
        scalars.withUnsafeBufferPointer { buffer in
            // x − x is 0 for finite x and NaN for ±∞ and NaN, so one sum tells.
            var accumulator = SIMD8<Float>()
            var i = 0
            while i + 8 <= buffer.count {
                let v = UnsafeRawPointer(buffer.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                accumulator += v - v
                i += 8
            }
            var tail: Float = 0
            while i < buffer.count {
                tail += buffer[i] - buffer[i]
                i += 1
            }
            return accumulator.sum() + tail == 0
        }
    }
}

/// Which of the C kernels this CPU runs, checked once.
enum TensorKernels {
    /// AVX2 and FMA: Swift builds its SIMD types for baseline x86-64 without them.
    static let hasAVX2 = squire_tensor_has_avx2() != 0
}
