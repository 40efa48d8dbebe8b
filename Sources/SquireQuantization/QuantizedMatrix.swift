public import SquireTensor

/// A `[rows, columns]` float matrix stored as 8- or 4-bit integers with float scales.
///
/// Quantization is symmetric. ``QuantizationFormat/int8`` keeps `round(x / s)` with
/// `s = max|row| / 127` per row. ``QuantizationFormat/int4(groupSize:)`` follows llama.cpp's
/// Q4_0 per group: `q = round(x / s)` clamped to [-8, 7] and stored plus 8, with a binary16
/// scale `s = m / -d` for the value `m` of largest magnitude, where Q4_0's `d = 8` is one of
/// the candidates tried and the one losing least is kept; in every 32 values, byte `t`
/// holds value `t` in its low nibble and value `t + 16` in its high nibble.
public struct QuantizedMatrix: Sendable, Hashable {
    /// The storage format.
    public let format: QuantizationFormat
    /// Rows (a linear layer's output channels).
    public let rows: Int
    /// Columns (a linear layer's input width).
    public let columns: Int
    /// The integers, row-major: one signed byte each for int8 (as bit patterns), two per
    /// byte for int4.
    public let values: [UInt8]
    /// One scale per row for int8; `[rows, columns / groupSize]` for int4, each a value
    /// binary16 represents (checkpoints store them as `F16`).
    public let scales: [Float]

    /// Quantizes a rank-2 float matrix.
    ///
    /// - Throws: ``QuantizationError`` when the format is unsupported, the row length is not
    ///   a multiple of the int4 group size, or the matrix holds NaN or infinity.
    public init(quantizing matrix: Tensor, format: QuantizationFormat) throws {
        try format.validate()
        guard matrix.rank == 2 else {
            throw QuantizationError.incompatibleShape("a matrix has rank 2, not shape \(matrix.shape)")
        }
        let rows = matrix.shape[0]
        let columns = matrix.shape[1]
        try Self.checkShape(format: format, columns: columns)
        let (values, scales) = try matrix.withUnsafeBufferPointer { x -> ([UInt8], [Float]) in
            guard x.allSatisfy(\.isFinite) else {
                throw QuantizationError.nonFiniteInput("the matrix to quantize holds NaN or infinity")
            }
            switch format {
            case .int8: return Self.quantizeInt8(x, rows: rows, columns: columns)
            case .int4(let groupSize): return Self.quantizeInt4(x, rows: rows, columns: columns, groupSize: groupSize)
            }
        }
        self.format = format
        self.rows = rows
        self.columns = columns
        self.values = values
        self.scales = scales
    }

    /// A matrix from stored integers and scales, as a checkpoint holds them.
    ///
    /// - Throws: ``QuantizationError/invalidData(_:)`` when a count disagrees with the
    ///   shape, a scale is not finite (or, for int8, negative), or an int8 value is -128,
    ///   which the kernels do not allow.
    public init(format: QuantizationFormat, rows: Int, columns: Int, values: [UInt8], scales: [Float]) throws {
        try format.validate()
        guard rows > 0, columns > 0 else {
            throw QuantizationError.incompatibleShape("\(rows) × \(columns) matrix")
        }
        try Self.checkShape(format: format, columns: columns)
        let expectedValues = format.bits == 8 ? rows * columns : rows * columns / 2
        let expectedScales = format.groupSize.map { rows * (columns / $0) } ?? rows
        guard values.count == expectedValues else {
            throw QuantizationError.invalidData(
                "\(values.count) stored values for a \(rows) × \(columns) \(format) matrix, expected \(expectedValues)")
        }
        guard scales.count == expectedScales else {
            throw QuantizationError.invalidData(
                "\(scales.count) scales for a \(rows) × \(columns) \(format) matrix, expected \(expectedScales)")
        }
        if let index = scales.firstIndex(where: {
            !$0.isFinite || (format == .int8 && $0 < 0) || (format != .int8 && HalfPrecision.rounded($0) != $0)
        }) {
            throw QuantizationError.invalidData(
                "scale \(index) is \(scales[index])\(format == .int8 ? "" : ", which binary16 does not hold")")
        }
        if format == .int8, let index = values.firstIndex(of: 0x80) {
            throw QuantizationError.invalidData("value \(index) is -128; int8 values lie in [-127, 127]")
        }
        self.format = format
        self.rows = rows
        self.columns = columns
        self.values = values
        self.scales = scales
    }

    /// Bytes of integers and scales together.
    public var byteCount: Int {
        values.count + scales.count * MemoryLayout<Float>.size
    }

    /// The float matrix the integers and scales stand for.
    public func dequantized() throws -> Tensor {
        var out = [Float](repeating: 0, count: rows * columns)
        switch format {
        case .int8:
            for row in 0..<rows {
                let scale = scales[row]
                for column in 0..<columns {
                    out[row * columns + column] = Float(Int8(bitPattern: values[row * columns + column])) * scale
                }
            }
        case .int4(let groupSize):
            let groups = columns / groupSize
            for row in 0..<rows {
                for column in 0..<columns {
                    let scale = scales[row * groups + column / groupSize]
                    out[row * columns + column] = Float(int4Value(row: row, column: column)) * scale
                }
            }
        }
        return try Tensor(shape: [rows, columns], scalars: out)
    }

    /// The stored 4-bit integer at a position, in [-8, 7].
    func int4Value(row: Int, column: Int) -> Int {
        let block = column / 32
        let offset = column % 32
        let byte = values[row * columns / 2 + block * 16 + offset % 16]
        let nibble = offset < 16 ? byte & 0x0F : byte >> 4
        return Int(nibble) - 8
    }

    private static func checkShape(format: QuantizationFormat, columns: Int) throws {
        if let groupSize = format.groupSize, columns % groupSize != 0 {
            throw QuantizationError.incompatibleShape(
                "rows of \(columns) values do not split into groups of \(groupSize)")
        }
    }

    private static func quantizeInt8(_ x: UnsafeBufferPointer<Float>, rows: Int, columns: Int) -> ([UInt8], [Float]) {
        var values = [UInt8](repeating: 0, count: rows * columns)
        var scales = [Float](repeating: 0, count: rows)
        for row in 0..<rows {
            let slice = x[(row * columns)..<((row + 1) * columns)]
            let largest = slice.reduce(Float(0)) { Swift.max($0, abs($1)) }
            let scale = largest / 127
            scales[row] = scale
            guard scale > 0 else { continue }
            for (offset, value) in slice.enumerated() {
                let q = Swift.min(Swift.max((value / scale).rounded(.toNearestOrEven), -127), 127)
                values[row * columns + offset] = UInt8(bitPattern: Int8(q))
            }
        }
        return (values, scales)
    }

    /// The scale whose rounding loses least (sum of squared errors) among `extreme / -d`
    /// for d from 6 to 10 in steps of 1/8, each rounded to binary16. Q4_0 takes d = 8,
    /// which puts the extreme value exactly on -8; a larger d clips it a little and
    /// resolves the other values finer. Zero wins only when nothing else does better (an
    /// all-zero group, or one too small for binary16).
    private static func bestInt4Scale(_ group: Slice<UnsafeBufferPointer<Float>>, extreme: Float) -> Float {
        var best: (scale: Float, error: Float) = (0, group.reduce(0) { $0 + $1 * $1 })
        for step in 48...80 {
            // Scales are stored in binary16, so the candidates are what it holds.
            let scale = HalfPrecision.rounded(extreme / (-Float(step) / 8))
            guard scale != 0, scale.isFinite else { continue }
            let inverse = 1 / scale
            var error: Float = 0
            for value in group {
                let q = Swift.min(Swift.max((value * inverse).rounded(.toNearestOrEven), -8), 7)
                let difference = value - q * scale
                error += difference * difference
            }
            if error < best.error { best = (scale, error) }
        }
        return best.scale
    }

    private static func quantizeInt4(_ x: UnsafeBufferPointer<Float>, rows: Int, columns: Int, groupSize: Int) -> (
        [UInt8], [Float]
    ) {
        let groups = columns / groupSize
        var values = [UInt8](repeating: 0, count: rows * columns / 2)
        var scales = [Float](repeating: 0, count: rows * groups)
        var levels = [UInt8](repeating: 8, count: columns)
        for row in 0..<rows {
            for group in 0..<groups {
                let start = row * columns + group * groupSize
                var extreme: Float = 0
                for value in x[start..<(start + groupSize)] where abs(value) > abs(extreme) {
                    extreme = value
                }
                let scale = bestInt4Scale(x[start..<(start + groupSize)], extreme: extreme)
                scales[row * groups + group] = scale
                let inverse: Float = scale != 0 ? 1 / scale : 0
                for offset in 0..<groupSize {
                    let q = Swift.min(Swift.max((x[start + offset] * inverse).rounded(.toNearestOrEven), -8), 7)
                    levels[group * groupSize + offset] = UInt8(Int(q) + 8)
                }
            }
            for block in 0..<(columns / 32) {
                for t in 0..<16 {
                    values[row * columns / 2 + block * 16 + t] =
                        levels[block * 32 + t] | (levels[block * 32 + t + 16] << 4)
                }
            }
        }
        return (values, scales)
    }
}
