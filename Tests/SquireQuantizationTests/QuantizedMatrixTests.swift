import SquireModels
import SquireQuantization
import SquireTensor
import Testing

@Suite struct QuantizedMatrixTests {
    static func random(_ shape: [Int], seed: UInt64) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return try Tensor.normal(shape, using: &generator)
    }

    @Test func int8KeepsEveryValueWithinHalfAStep() throws {
        let w = try Self.random([7, 45], seed: 1)
        let q = try QuantizedMatrix(quantizing: w, format: .int8)
        #expect(q.values.count == 7 * 45 && q.scales.count == 7)
        let back = try q.dequantized().scalars
        let original = w.scalars
        for row in 0..<7 {
            let largest = original[(row * 45)..<((row + 1) * 45)].map(abs).max()!
            #expect(abs(q.scales[row] - largest / 127) <= 1e-7)
            for column in 0..<45 {
                #expect(abs(back[row * 45 + column] - original[row * 45 + column]) <= q.scales[row] / 2 * 1.0001)
            }
            // The largest value is on the grid's end, so it comes back exactly.
            #expect(back[(row * 45)..<((row + 1) * 45)].map(abs).max()! == largest)
        }
        #expect(!q.values.contains(0x80))
    }

    @Test func int4LayoutIsQ4_0s() throws {
        // Byte t of a 32-value block holds value t in its low nibble and value t + 16 in its
        // high one, each stored plus 8.
        let values = (0..<16).map { t in UInt8(t) | (UInt8(15 - t) << 4) }
        let q = try QuantizedMatrix(format: .int4(groupSize: 32), rows: 1, columns: 32, values: values, scales: [0.5])
        let low: [Float] = (0..<16).map { Float($0 - 8) * 0.5 }
        let high: [Float] = (0..<16).map { Float(7 - $0) * 0.5 }
        let expected = low + high
        #expect(try q.dequantized().scalars == expected)
    }

    @Test(arguments: [32, 64, 128])
    func int4RoundsNoWorseThanQ4_0(groupSize: Int) throws {
        let w = try Self.random([5, 256], seed: 2)
        let q = try QuantizedMatrix(quantizing: w, format: .int4(groupSize: groupSize))
        let groups = 256 / groupSize
        #expect(q.values.count == 5 * 128 && q.scales.count == 5 * groups)
        let back = try q.dequantized().scalars
        let original = w.scalars
        for row in 0..<5 {
            for group in 0..<groups {
                let range = (row * 256 + group * groupSize)..<(row * 256 + (group + 1) * groupSize)
                let step = abs(q.scales[row * groups + group])
                // Values inside the grid round to the nearest level.
                for index in range where abs(original[index]) <= 7.5 * step {
                    #expect(abs(back[index] - original[index]) <= step / 2 * 1.0001)
                }
                // Q4_0's own scale (the extreme value on -8, in binary16) is among those
                // tried, so the chosen one loses no more.
                let extreme = original[range].max { abs($0) < abs($1) }!
                let q4_0 = HalfPrecision.rounded(extreme / -8)
                let q4_0Error = original[range].reduce(Float(0)) { sum, x in
                    let level = min(max((x / q4_0).rounded(.toNearestOrEven), -8), 7)
                    return sum + (x - level * q4_0) * (x - level * q4_0)
                }
                let error = range.reduce(Float(0)) { $0 + (back[$1] - original[$1]) * (back[$1] - original[$1]) }
                #expect(error <= q4_0Error * 1.0001, "row \(row) group \(group)")
            }
        }
    }

    @Test func zerosAndASingleOutlierPerGroup() throws {
        var scalars = [Float](repeating: 0, count: 2 * 64)
        scalars[64 + 5] = 1000
        scalars[64 + 40] = -0.001
        let w = try Tensor(shape: [2, 64], scalars: scalars)
        for format in [QuantizationFormat.int8, .int4(groupSize: 32)] {
            let q = try QuantizedMatrix(quantizing: w, format: format)
            let back = try q.dequantized().scalars
            #expect(back[0..<64].allSatisfy { $0 == 0 }, "\(format): a zero row stays zero")
            #expect(abs(back[64 + 5] - 1000) <= (format == .int8 ? 0 : 1000 / 8 / 2), "\(format): the outlier survives")
            #expect(back.allSatisfy { $0.isFinite })
        }
        // In int4 the outlier's group absorbs the small value; the other group keeps it.
        let q4 = try QuantizedMatrix(quantizing: w, format: .int4(groupSize: 32))
        #expect(abs(try q4.dequantized().scalars[64 + 40] + 0.001) < 1e-6)
    }

    @Test func badInputIsRefusedWithATypedError() throws {
        let w = try Self.random([2, 48], seed: 3)
        #expect(throws: QuantizationError.incompatibleShape("rows of 48 values do not split into groups of 32")) {
            try QuantizedMatrix(quantizing: w, format: .int4(groupSize: 32))
        }
        #expect(throws: QuantizationError.unsupportedFormat("int4 group size 48; use 32, 64 or 128")) {
            try QuantizedMatrix(quantizing: w, format: .int4(groupSize: 48))
        }
        var scalars = w.scalars
        scalars[7] = .nan
        #expect(throws: QuantizationError.self) {
            try QuantizedMatrix(quantizing: Tensor(shape: [2, 48], scalars: scalars), format: .int8)
        }
        #expect(throws: QuantizationError.self) {
            try QuantizedMatrix(quantizing: Tensor(shape: [96], scalars: scalars), format: .int8)
        }
    }

    @Test func loadingValidatesCountsScalesAndValues() throws {
        let q = try QuantizedMatrix(quantizing: Self.random([3, 64], seed: 4), format: .int8)
        let same = try QuantizedMatrix(format: .int8, rows: 3, columns: 64, values: q.values, scales: q.scales)
        #expect(same == q)
        #expect(throws: QuantizationError.self) {
            try QuantizedMatrix(
                format: .int8, rows: 3, columns: 64, values: Array(q.values.dropLast()), scales: q.scales)
        }
        #expect(throws: QuantizationError.self) {
            try QuantizedMatrix(format: .int8, rows: 3, columns: 64, values: q.values, scales: [1, .nan, 1])
        }
        #expect(throws: QuantizationError.self) {
            try QuantizedMatrix(format: .int8, rows: 3, columns: 64, values: q.values, scales: [1, -1, 1])
        }
        var values = q.values
        values[10] = 0x80
        #expect(throws: QuantizationError.self) {
            try QuantizedMatrix(format: .int8, rows: 3, columns: 64, values: values, scales: q.scales)
        }
        let q4 = try QuantizedMatrix(quantizing: Self.random([3, 64], seed: 5), format: .int4(groupSize: 32))
        #expect(
            try QuantizedMatrix(
                format: .int4(groupSize: 32), rows: 3, columns: 64, values: q4.values, scales: q4.scales) == q4)
        #expect(throws: QuantizationError.self) {
            try QuantizedMatrix(
                format: .int4(groupSize: 32), rows: 3, columns: 64, values: q4.values,
                scales: Array(q4.scales.dropLast()))
        }
        var offGrid = q4.scales
        offGrid[0] = 0.1  // binary16 has no 0.1
        #expect(throws: QuantizationError.self) {
            try QuantizedMatrix(format: .int4(groupSize: 32), rows: 3, columns: 64, values: q4.values, scales: offGrid)
        }
    }

    @Test func halfPrecisionRoundsToNearestEven() throws {
        // Every finite half survives the trip through float and back.
        for bits in UInt16.min...UInt16.max where bits & 0x7C00 != 0x7C00 {
            #expect(HalfPrecision.bits(SafetensorsFile.float(fromHalf: bits)) == bits)
        }
        // Between neighbours, the nearer wins; a tie goes to the even one.
        let one = SafetensorsFile.float(fromHalf: 0x3C00)
        let next = SafetensorsFile.float(fromHalf: 0x3C01)
        #expect(HalfPrecision.bits(one + (next - one) * 0.4) == 0x3C00)
        #expect(HalfPrecision.bits(one + (next - one) * 0.6) == 0x3C01)
        #expect(HalfPrecision.bits(one + (next - one) * 0.5) == 0x3C00)
        #expect(HalfPrecision.bits(1e-8) == 0x0000)
        #expect(HalfPrecision.bits(-1e6) == 0xFC00)
        #expect(HalfPrecision.bits(6e-8) == 0x0001)
    }
}
