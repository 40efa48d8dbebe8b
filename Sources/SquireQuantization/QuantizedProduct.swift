internal import CSquireQuantKernels
import Foundation
import SquireTensor

/// Which implementation multiplies activations by a ``QuantizedMatrix``.
package enum QuantizedKernel: Sendable, CaseIterable {
    /// AVX-512 VNNI integer kernels (`vpdpbusd` on 256-bit vectors; the C target); needs
    /// AVX2, AVX512-VNNI and AVX512-VL (Intel Ice Lake and later, AMD Zen 4 and later).
    case vnni
    /// AVX2 integer kernels (the C target); needs an x86-64 CPU with AVX2 and FMA.
    case vector
    /// Swift SIMD integer kernels, for every CPU.
    case portable
    /// Dequantize both sides, then multiply in double precision: what the integer kernels
    /// must agree with.
    case reference

    /// The kernel quantized layers run: the one `SQUIRE_QUANTIZED_KERNEL` names (`vnni`, `avx2`
    /// or `swift`) when this CPU runs it, else the fastest this CPU runs.
    package static let best: QuantizedKernel = chosen(by: ProcessInfo.processInfo.environment[environmentVariable])

    /// The environment variable that chooses the kernel, so that CPUs with VNNI can reproduce
    /// what AVX2-only ones compute.
    package static let environmentVariable = "SQUIRE_QUANTIZED_KERNEL"

    /// The fastest kernel this CPU runs.
    package static let fastest: QuantizedKernel =
        squire_quant_has_vnni() != 0 ? .vnni : squire_quant_has_avx2() != 0 ? .vector : .portable

    /// The kernel `name` chooses, or ``fastest`` when `name` is nil, unknown, or a kernel this
    /// CPU does not run.
    package static func chosen(by name: String?) -> QuantizedKernel {
        guard let name, let kernel = allCases.first(where: { $0.name == name && $0 != .reference }), kernel.isAvailable
        else {
            return fastest
        }
        return kernel
    }

    /// The kernel's value of `SQUIRE_QUANTIZED_KERNEL`.
    package var name: String {
        switch self {
        case .vnni: "vnni"
        case .vector: "avx2"
        case .portable: "swift"
        case .reference: "reference"
        }
    }

    /// How activations `width` values long are quantized before a product with `format`
    /// weights: to integers in `-levels...levels`, one scale per `block` values. int4 weights
    /// take 8-bit activations in blocks of 32 everywhere; int8 weights take 8 bits with one
    /// scale per row, except on the AVX2 kernel, whose `vpmaddubsw` would saturate its int16
    /// pair sums on 8-bit activations: 7 bits there, in blocks of 64 (when 64 divides the row)
    /// so that a row's outlier dimensions cost only their own block its precision.
    package func activationQuantization(for format: QuantizationFormat, width: Int) -> (levels: Int, block: Int) {
        switch format {
        case .int4: (127, 32)
        case .int8 where self == .vector: (63, width.isMultiple(of: 64) ? 64 : width)
        case .int8: (127, width)
        }
    }

    /// What the kernel runs on, for reports such as `squire doctor`'s.
    package var summary: String {
        switch self {
        case .vnni: "AVX-512 VNNI (vpdpbusd)"
        case .vector: "AVX2 (int8: 7-bit activations in blocks of 64)"
        case .portable: "Swift SIMD"
        case .reference: "dequantized reference"
        }
    }

    /// Whether this CPU runs the kernel.
    package var isAvailable: Bool {
        switch self {
        case .vnni: squire_quant_has_vnni() != 0
        case .vector: squire_quant_has_avx2() != 0
        case .portable, .reference: true
        }
    }
}

/// Activations quantized to int8 in blocks along each row, the left side of every
/// quantized product: one scale per row for int8 weights, one per 32 values for int4 weights
/// (as llama.cpp pairs Q4_0 weights with Q8_0 activations), since a row's outlier
/// dimensions would otherwise cost the other values most of their precision.
/// ``QuantizedKernel/activationQuantization(for:width:)`` sets their range and blocks.
struct QuantizedRows {
    var values: [Int8]
    /// `[rows, width / block]`.
    var scales: [Float]
    var block: Int

    /// Quantizes `rows` rows of `width` floats in blocks of `block` (which divides `width`) to
    /// integers in `-levels...levels`: `scale = max|block| / levels`.
    init(_ x: UnsafeBufferPointer<Float>, rows: Int, width: Int, block: Int, levels: Int, kernel: QuantizedKernel)
        throws
    {
        let blocks = rows * width / block
        var values = [Int8](repeating: 0, count: rows * width)
        var scales = [Float](repeating: 0, count: blocks)
        if kernel == .vector || kernel == .vnni {
            values.withUnsafeMutableBufferPointer { q in
                scales.withUnsafeMutableBufferPointer { s in
                    // Blocks are contiguous, so they are the rows of a [blocks, block] matrix.
                    squire_quantize_rows_q8_avx2(
                        x.baseAddress, blocks, block, Int32(levels), q.baseAddress, s.baseAddress)
                }
            }
        } else {
            let levels = Float(levels)
            for index in 0..<blocks {
                let slice = x[(index * block)..<((index + 1) * block)]
                // A NaN would slip through `max`, so a non-finite value marks the block itself.
                let scale =
                    slice.contains { !$0.isFinite } ? .nan : slice.reduce(Float(0)) { Swift.max($0, abs($1)) } / levels
                scales[index] = scale
                guard scale.isFinite else { break }
                let inverse: Float = scale > 0 ? 1 / scale : 0
                for (offset, value) in slice.enumerated() {
                    values[index * block + offset] = Int8(
                        Swift.min(Swift.max((value * inverse).rounded(.toNearestOrEven), -levels), levels))
                }
            }
        }
        // max|block| is NaN or infinite exactly when the block holds NaN or infinity;
        // checking the scales costs one pass over them instead of the whole input.
        if let index = scales.firstIndex(where: { !$0.isFinite }) {
            throw QuantizationError.nonFiniteInput("row \(index / (width / block)) of the input holds NaN or infinity")
        }
        self.values = values
        self.scales = scales
        self.block = block
    }

    /// The float value a stored integer stands for.
    func value(row: Int, column: Int, width: Int) -> Double {
        Double(values[row * width + column]) * Double(scales[(row * width + column) / block])
    }
}

extension QuantizedMatrix {
    /// `out[i, j] += Σ_l x[i, l] · W[j, l]` for `x` of shape `[m, columns]` and `out` of
    /// shape `[m, rows]`, with `x` quantized to int8 first (see ``QuantizedRows``) as
    /// `activationsLike` quantizes them, by default `kernel` itself; only the reference takes
    /// another kernel's activations (others throw ``QuantizationError/unsupportedFormat(_:)``).
    package func accumulateProduct(
        _ x: UnsafeBufferPointer<Float>, rows m: Int, into out: UnsafeMutableBufferPointer<Float>,
        kernel: QuantizedKernel,
        activationsLike: QuantizedKernel? = nil
    ) throws {
        guard x.count == m * columns, out.count == m * rows else {
            throw TensorError.shapeMismatch(
                "QuantizedMatrix.accumulateProduct (input, output vs weight)", [x.count, out.count], [rows, columns])
        }
        guard activationsLike == nil || activationsLike == kernel || kernel == .reference else {
            throw QuantizationError.unsupportedFormat(
                "only the reference kernel quantizes activations as another kernel does")
        }
        guard m > 0 else { return }
        let (levels, block) = (activationsLike ?? kernel).activationQuantization(for: format, width: columns)
        let a = try QuantizedRows(
            x, rows: m, width: columns, block: block, levels: levels, kernel: kernel == .reference ? .portable : kernel)
        switch kernel {
        case .reference: try accumulateReference(a, rows: m, into: out)
        case .vector: accumulateVector(a, rows: m, into: out, vnni: false)
        case .vnni: accumulateVector(a, rows: m, into: out, vnni: true)
        case .portable: accumulatePortable(a, rows: m, into: out)
        }
    }

    private func accumulateReference(_ a: QuantizedRows, rows m: Int, into out: UnsafeMutableBufferPointer<Float>)
        throws
    {
        let w = try dequantized().scalars
        for i in 0..<m {
            for j in 0..<rows {
                var sum = 0.0
                for l in 0..<columns {
                    sum += a.value(row: i, column: l, width: columns) * Double(w[j * columns + l])
                }
                out[i * rows + j] += Float(sum)
            }
        }
    }

    private func accumulateVector(
        _ a: QuantizedRows, rows m: Int, into out: UnsafeMutableBufferPointer<Float>, vnni: Bool
    ) {
        let k = columns
        let n = rows
        let block = a.block
        a.values.withUnsafeBufferPointer { av in
            a.scales.withUnsafeBufferPointer { sa in
                values.withUnsafeBufferPointer { wv in
                    scales.withUnsafeBufferPointer { sw in
                        // Addresses, not buffers, cross into the workers: each writes only
                        // its own columns of `out`, and all finish before this returns.
                        nonisolated(unsafe) let c = out.baseAddress!
                        nonisolated(unsafe) let av = av.baseAddress!
                        nonisolated(unsafe) let sa = sa.baseAddress!
                        nonisolated(unsafe) let wv = wv.baseAddress!
                        nonisolated(unsafe) let sw = sw.baseAddress!
                        let format = format
                        Self.splitColumns(n, work: m * n * k) { j0, j1 in
                            switch format {
                            case .int8:
                                wv.withMemoryRebound(to: Int8.self, capacity: n * k) { w in
                                    if vnni {
                                        squire_gemm_q8_vnni(av, sa, m, w, sw, k, j0, j1, c, n)
                                    } else {
                                        squire_gemm_q8_avx2(av, sa, m, w, sw, k, block, j0, j1, c, n)
                                    }
                                }
                            case .int4(let groupSize):
                                if vnni {
                                    squire_gemm_q4_vnni(av, sa, m, wv, sw, k, groupSize, j0, j1, c, n)
                                } else {
                                    squire_gemm_q4_avx2(av, sa, m, wv, sw, k, groupSize, j0, j1, c, n)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private func accumulatePortable(_ a: QuantizedRows, rows m: Int, into out: UnsafeMutableBufferPointer<Float>) {
        let k = columns
        let n = rows
        a.values.withUnsafeBufferPointer { av in
            values.withUnsafeBufferPointer { wv in
                nonisolated(unsafe) let c = out.baseAddress!
                nonisolated(unsafe) let av = UnsafeRawPointer(av.baseAddress!)
                nonisolated(unsafe) let wv = UnsafeRawPointer(wv.baseAddress!)
                let format = format
                let scales = scales
                let sa = a.scales
                Self.splitColumns(n, work: m * n * k) { j0, j1 in
                    for i in 0..<m {
                        let row = av + i * k
                        for j in j0..<j1 {
                            let sum: Float
                            switch format {
                            case .int8:
                                sum = Float(Self.portableDot8(row, wv + j * k, count: k)) * scales[j] * sa[i]
                            case .int4(let groupSize):
                                let groups = k / groupSize
                                var total: Float = 0
                                for g in 0..<groups {
                                    var group: Float = 0
                                    for block in stride(from: g * groupSize, to: (g + 1) * groupSize, by: 32) {
                                        group +=
                                            Float(Self.portableDot4(row + block, wv + j * (k / 2) + block / 2))
                                            * sa[i * (k / 32) + block / 32]
                                    }
                                    total += group * scales[j * groups + g]
                                }
                                sum = total
                            }
                            c[i * n + j] += sum
                        }
                    }
                }
            }
        }
    }

    private static func portableDot8(_ a: UnsafeRawPointer, _ w: UnsafeRawPointer, count: Int) -> Int32 {
        var acc = SIMD16<Int32>()
        var l = 0
        while l + 16 <= count {
            let x = SIMD16<Int16>(truncatingIfNeeded: a.loadUnaligned(fromByteOffset: l, as: SIMD16<Int8>.self))
            let y = SIMD16<Int16>(truncatingIfNeeded: w.loadUnaligned(fromByteOffset: l, as: SIMD16<Int8>.self))
            acc &+= SIMD16<Int32>(truncatingIfNeeded: x &* y)
            l += 16
        }
        var sum = acc.wrappedSum()
        while l < count {
            sum &+= Int32(a.load(fromByteOffset: l, as: Int8.self)) * Int32(w.load(fromByteOffset: l, as: Int8.self))
            l += 1
        }
        return sum
    }

    /// 32 int8 activations against one 16-byte block of 4-bit weights.
    private static func portableDot4(_ a: UnsafeRawPointer, _ w: UnsafeRawPointer) -> Int32 {
        let bytes = w.loadUnaligned(as: SIMD16<UInt8>.self)
        let eight = SIMD16<Int16>(repeating: 8)
        let low = SIMD16<Int16>(truncatingIfNeeded: bytes & 0x0F) &- eight
        let high = SIMD16<Int16>(truncatingIfNeeded: bytes &>> 4) &- eight
        let x0 = SIMD16<Int16>(truncatingIfNeeded: a.loadUnaligned(as: SIMD16<Int8>.self))
        let x1 = SIMD16<Int16>(truncatingIfNeeded: a.loadUnaligned(fromByteOffset: 16, as: SIMD16<Int8>.self))
        return (SIMD16<Int32>(truncatingIfNeeded: x0 &* low) &+ SIMD16<Int32>(truncatingIfNeeded: x1 &* high))
            .wrappedSum()
    }

    /// Runs `body` on column ranges that cover `0..<n`, one per core when the product is
    /// large enough to repay the hand-off, each a multiple of 4 wide but the last.
    private static func splitColumns(_ n: Int, work: Int, _ body: @Sendable (Int, Int) -> Void) {
        let cores = ParallelParts.cores
        guard cores > 1, work >= 1 << 18, n >= 8, !ParallelParts.isInsidePart else {
            body(0, n)
            return
        }
        let chunk = (n / cores + 3) / 4 * 4
        ParallelParts.run(cores) { index in
            let start = index * chunk
            if start < n { body(start, Swift.min(start + chunk, n)) }
        }
    }
}
