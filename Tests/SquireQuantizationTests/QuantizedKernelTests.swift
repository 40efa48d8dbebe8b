import SquireModels
import SquireQuantization
import SquireTensor
import Testing

/// The integer kernels against the dequantize-then-multiply reference, which computes the
/// same sums in double precision: they differ only by float rounding.
@Suite struct QuantizedKernelTests {
    static let formats: [QuantizationFormat] = [
        .int8, .int4(groupSize: 32), .int4(groupSize: 64), .int4(groupSize: 128),
    ]
    static let fastKernels = QuantizedKernel.allCases.filter { $0 != .reference && $0.isAvailable }

    static func layer(outputs: Int, inputs: Int, format: QuantizationFormat, seed: UInt64) throws -> QuantizedLinear {
        var generator = SeededGenerator(seed: seed)
        let linear = try Linear(
            weight: Tensor.normal([outputs, inputs], standardDeviation: 0.05, using: &generator),
            bias: Tensor.normal([outputs], using: &generator))
        return try QuantizedLinear(quantizing: linear, format: format)
    }

    /// Checks `kernel` against the reference, given the same activations, within float
    /// rounding of the sum's terms.
    static func expectAgreement(_ layer: QuantizedLinear, _ x: Tensor, kernel: QuantizedKernel, _ comment: String)
        throws
    {
        let fast = try layer.forward(x, adding: nil, kernel: kernel).scalars
        let reference = try layer.forward(x, adding: nil, kernel: .reference, activationsLike: kernel).scalars
        // The terms' magnitudes bound the rounding: Σ |x| · max|w| per row, plus the bias.
        let w = try layer.weight.dequantized().scalars.map(abs).max() ?? 0
        let k = layer.inputDimension
        let n = layer.outputDimension
        for i in 0..<(fast.count / n) {
            let magnitude = x.scalars[(i * k)..<((i + 1) * k)].reduce(0) { $0 + abs($1) } * w + 1
            for j in 0..<n {
                #expect(
                    abs(fast[i * n + j] - reference[i * n + j]) <= 2e-6 * magnitude, "\(comment) \(kernel) [\(i), \(j)]"
                )
            }
        }
    }

    // Odd block counts, partial tiles of rows and columns, and (90 × 1536) more rows than
    // the int4 kernel keeps in one band.
    @Test(arguments: [(1, 1, 32), (3, 5, 32), (2, 4, 64), (5, 9, 96), (17, 13, 128), (4, 8, 384), (90, 21, 1536)])
    func oddShapesAgreeWithTheReference(rows: Int, outputs: Int, inputs: Int) throws {
        for format in Self.formats where inputs % (format.groupSize ?? 1) == 0 {
            let layer = try Self.layer(
                outputs: outputs, inputs: inputs, format: format, seed: UInt64(rows * 1000 + inputs))
            var generator = SeededGenerator(seed: UInt64(outputs))
            let x = try Tensor.normal([rows, inputs], using: &generator)
            for kernel in Self.fastKernels {
                try Self.expectAgreement(layer, x, kernel: kernel, "\(format) \(rows)×\(inputs)→\(outputs)")
            }
        }
    }

    @Test(arguments: [1, 7, 31, 33, 45, 100])
    func int8RowLengthsThatAreNotMultiplesOf32(inputs: Int) throws {
        let layer = try Self.layer(outputs: 11, inputs: inputs, format: .int8, seed: UInt64(inputs))
        var generator = SeededGenerator(seed: 9)
        // 9 rows: the VNNI kernel takes 8 or more (fewer go to the AVX2 one).
        let x = try Tensor.normal([9, inputs], using: &generator)
        for kernel in Self.fastKernels {
            try Self.expectAgreement(layer, x, kernel: kernel, "int8 k=\(inputs)")
        }
    }

    @Test func largeProductsSplitAcrossCoresAgree() throws {
        for format in [QuantizationFormat.int8, .int4(groupSize: 32)] {
            let layer = try Self.layer(outputs: 390, inputs: 384, format: format, seed: 11)
            var generator = SeededGenerator(seed: 12)
            let x = try Tensor.normal([67, 384], using: &generator)
            for kernel in Self.fastKernels {
                try Self.expectAgreement(layer, x, kernel: kernel, "\(format) large")
            }
        }
    }

    // 3 rows take VNNI's kernel for few rows, 9 its tiled one (AVX2 tiles both).
    @Test(arguments: [3, 9])
    func extremeValues(rows: Int) throws {
        for format in Self.formats {
            // All-zero weights and inputs give exactly the bias.
            let zero = try QuantizedLinear(
                quantizing: Linear(
                    weight: Tensor.zeros([6, 128]), bias: Tensor(shape: [6], scalars: [1, 2, 3, 4, 5, 6])),
                format: format)
            for kernel in QuantizedKernel.allCases where kernel.isAvailable {
                #expect(
                    try zero.forward(Tensor.zeros([rows, 128]), adding: nil, kernel: kernel).scalars
                        == Array(repeating: [1, 2, 3, 4, 5, 6], count: rows).flatMap { $0 })
            }
            // One huge outlier per group in the weights and one per row in the input, at the
            // ends of the integer range, where an int16 pair sum would overflow if the kernel
            // let -128 through.
            var weights = [Float](repeating: 0.01, count: 6 * 128)
            for row in 0..<6 {
                for group in stride(from: 0, to: 128, by: 32) {
                    weights[row * 128 + group + row] = row.isMultiple(of: 2) ? 1e4 : -1e4
                }
            }
            let outlier = try QuantizedLinear(
                quantizing: Linear(weight: Tensor(shape: [6, 128], scalars: weights), bias: Tensor.zeros([6])),
                format: format)
            var input = [Float](repeating: -0.5, count: rows * 128)
            for row in 0..<rows { input[row * 128 + row] = -3e3 }
            let x = try Tensor(shape: [rows, 128], scalars: input)
            for kernel in Self.fastKernels {
                try Self.expectAgreement(outlier, x, kernel: kernel, "\(format) outliers")
            }
        }
    }

    /// Every activation and every weight at the top of its integer range: the AVX2 int8
    /// kernel's int16 pair sums reach 2 · 127 · 127, just short of saturating. 3 rows take
    /// VNNI's kernel for few rows, 9 its tiled one (AVX2 tiles both).
    @Test(arguments: [3, 9])
    func fullRangeProductsDoNotSaturate(rows: Int) throws {
        for sign: Float in [1, -1] {
            let linear = try Linear(
                weight: Tensor(shape: [8, 128], scalars: Array(repeating: sign, count: 8 * 128)),
                bias: Tensor.zeros([8]))
            let layer = try QuantizedLinear(quantizing: linear, format: .int8)
            let x = try Tensor(shape: [rows, 128], scalars: Array(repeating: 1, count: rows * 128))
            for kernel in Self.fastKernels {
                let y = try layer.forward(x, adding: nil, kernel: kernel).scalars
                #expect(y.allSatisfy { abs($0 - 128 * sign) <= 1e-3 }, "\(kernel) \(sign): \(y.prefix(8))")
            }
        }
    }

    @Test func environmentChoosesAKernelThisCPURuns() {
        #expect(QuantizedKernel.chosen(by: nil) == .fastest)
        #expect(QuantizedKernel.chosen(by: "swift") == .portable)
        #expect(QuantizedKernel.chosen(by: "avx2") == (QuantizedKernel.vector.isAvailable ? .vector : .fastest))
        #expect(QuantizedKernel.chosen(by: "vnni") == (QuantizedKernel.vnni.isAvailable ? .vnni : .fastest))
        for name in ["reference", "AVX2", "", "neon"] {
            #expect(QuantizedKernel.chosen(by: name) == .fastest, "\(name)")
        }
    }

    /// The AVX2 int8 kernel's activations carry 7 bits in blocks of 64; the other kernels'
    /// 8 bits, per row for int8 weights and per 32 values for int4.
    @Test func activationQuantizationPerKernel() {
        #expect(QuantizedKernel.vector.activationQuantization(for: .int8, width: 384) == (63, 64))
        #expect(QuantizedKernel.vector.activationQuantization(for: .int8, width: 96) == (63, 96))
        for kernel in QuantizedKernel.allCases {
            #expect(kernel.activationQuantization(for: .int4(groupSize: 64), width: 384) == (127, 32))
            if kernel != .vector { #expect(kernel.activationQuantization(for: .int8, width: 384) == (127, 384)) }
        }
    }

    @Test func residualIsAddedAndNonFiniteInputRefused() throws {
        let layer = try Self.layer(outputs: 8, inputs: 64, format: .int8, seed: 13)
        var generator = SeededGenerator(seed: 14)
        let x = try Tensor.normal([2, 64], using: &generator)
        let residual = try Tensor.normal([2, 8], using: &generator)
        let plain = try layer.forward(x)
        let added = try layer.forward(x, adding: residual)
        #expect(throws: QuantizationError.self) {
            try layer.forward(x, adding: nil, kernel: .portable, activationsLike: .vector)
        }
        for (index, value) in added.scalars.enumerated() {
            #expect(abs(value - plain.scalars[index] - residual.scalars[index]) <= 1e-5)
        }
        var scalars = x.scalars
        scalars[70] = .infinity
        for kernel in QuantizedKernel.allCases where kernel.isAvailable {
            #expect(throws: QuantizationError.nonFiniteInput("row 1 of the input holds NaN or infinity")) {
                try layer.forward(Tensor(shape: [2, 64], scalars: scalars), adding: nil, kernel: kernel)
            }
        }
        #expect(throws: TensorError.self) { try layer.forward(Tensor.zeros([2, 63])) }
        #expect(throws: TensorError.self) { try layer.forward(x, adding: Tensor.zeros([2, 7])) }
    }

    /// Quantization costs little on realistic layers: random weights of the scale
    /// all-MiniLM-L6-v2's hold, inputs of unit scale, 384 inputs.
    @Test func quantizedOutputsStayCloseToTheFloatLayer() throws {
        var generator = SeededGenerator(seed: 15)
        let linear = try Linear(
            weight: Tensor.normal([256, 384], standardDeviation: 0.05, using: &generator), bias: Tensor.zeros([256]))
        let x = try Tensor.normal([32, 384], using: &generator)
        let exact = try linear.forward(x).scalars
        for format in [QuantizationFormat.int8, .int4(groupSize: 32)] {
            for kernel in Self.fastKernels {
                // 1 − cosine grows with the square of the activations' step: measured 5.6e-5
                // with 8-bit activations per row, 9.8e-5 with the AVX2 kernel's 7 bits per 64.
                let minimumCosine =
                    format == .int8
                    ? (kernel.activationQuantization(for: format, width: 384).levels == 127 ? 0.9999 : 0.9998) : 0.99
                let approximate = try QuantizedLinear(quantizing: linear, format: format).forward(
                    x, adding: nil, kernel: kernel
                ).scalars
                let dot = zip(exact, approximate).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                let norms =
                    (exact.reduce(0.0) { $0 + Double($1 * $1) } * approximate.reduce(0.0) { $0 + Double($1 * $1) })
                    .squareRoot()
                #expect(dot / norms >= minimumCosine, "\(format) \(kernel): cosine \(dot / norms)")
            }
        }
    }

    @Test func backwardFlowsThroughTheDequantizedWeight() throws {
        let layer = try Self.layer(outputs: 8, inputs: 64, format: .int4(groupSize: 32), seed: 16)
        var generator = SeededGenerator(seed: 17)
        let x = try Tensor.normal([3, 64], using: &generator)
        let gradient = try Tensor.normal([3, 8], using: &generator)
        let (input, parameters) = try layer.backward(
            gradient, cache: LinearLayerCache(input: x), parametersWhere: { _ in true })
        let float = try layer.dequantized().backward(gradient, input: x)
        #expect(parameters.keys == ["bias"] && parameters["bias"] == float.bias)
        for (a, b) in zip(input.scalars, float.input.scalars) { #expect(abs(a - b) <= 1e-5) }
        #expect(
            try layer.backward(gradient, cache: LinearLayerCache(input: x), parametersWhere: { _ in false }).parameters
                .isEmpty)
        #expect(layer.parameters.map(\.key) == ["bias"])
    }
}
