import Foundation
import SquireTensor
import Testing

@Suite struct ArithmeticTests {
    let m = try! Tensor(rows: [[1, 2, 3], [4, 5, 6]])

    @Test func combinesEqualShapes() throws {
        #expect(try (m + m).scalars == [2, 4, 6, 8, 10, 12])
        #expect(try (m - m).scalars == [0, 0, 0, 0, 0, 0])
        #expect(try (m * m).scalars == [1, 4, 9, 16, 25, 36])
        #expect(try (m / m).scalars == [1, 1, 1, 1, 1, 1])
    }

    @Test func broadcastsARowToEveryRow() throws {
        let bias = Tensor([10, 20, 30])
        #expect(try (m + bias).scalars == [11, 22, 33, 14, 25, 36])
        let longRows = try Tensor(shape: [2, 19], scalars: (0..<38).map(Float.init))
        let row = Tensor((0..<19).map { Float($0) * 100 })
        let sum = try longRows + row
        for r in 0..<2 { for c in 0..<19 { #expect(sum[r, c] == longRows[r, c] + row[c]) } }
    }

    @Test func broadcastsAColumnAcrossEachRow() throws {
        let perRow = try Tensor(shape: [2, 1], scalars: [10, 100])
        #expect(try (m * perRow).scalars == [10, 20, 30, 400, 500, 600])
        let batched = try Tensor(shape: [2, 2, 3], scalars: (0..<12).map(Float.init))
        let scale = try Tensor(shape: [2, 2, 1], scalars: [1, 2, 3, 4])
        #expect(try (batched / scale)[1, 1, 2] == 11 / 4)
    }

    @Test func anyOtherShapeThrowsNamingBoth() {
        #expect(throws: TensorError.shapeMismatch("+", [2, 3], [2])) { try m + Tensor([1, 2]) }
        #expect(throws: TensorError.shapeMismatch("*", [2, 3], [3, 2])) { try m * m.transposed() }
        // Broadcasting is one-directional: the left operand is never stretched.
        #expect(throws: TensorError.self) { try Tensor([1, 2, 3]) + m }
    }

    @Test func combinesWithScalars() throws {
        #expect((m + 1).scalars == [2, 3, 4, 5, 6, 7])
        #expect((m * 2).scalars == [2, 4, 6, 8, 10, 12])
        #expect((m - 1).scalars == [0, 1, 2, 3, 4, 5])
        #expect((m / 2).scalars == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect((10 - m).scalars == [9, 8, 7, 6, 5, 4])
        #expect((12 / m).scalars == [12, 6, 4, 3, 2.4, 2])
        #expect((-m).scalars == [-1, -2, -3, -4, -5, -6])
        var x = m
        try x += m
        try x -= Tensor([1, 1, 1])
        #expect(x.scalars == [1, 3, 5, 7, 9, 11])
    }
}

@Suite struct ActivationTests {
    /// Inputs that cover every branch: a dense sweep, the special values and the edges of the range.
    static let inputs: [Float] = {
        var values = stride(from: Float(-100), through: 100, by: 0.0137).map { $0 }
        values += stride(from: Float(-1), through: 1, by: 0.0003).map { $0 }
        values += [
            0, -0, 1e-30, -1e-30, 1e-7, -1e-7, 0.3, -0.3, 0.29999998, 88.7, 88.72, 89, -87.3, -87.34, -87.4, -103, 200,
            -200,
        ]
        return values
    }()

    func check(
        _ name: String, _ fast: (Tensor) -> Tensor, _ reference: (Double) -> Double,
        inputs: [Float] = inputs, relative: Double, absolute: Double
    ) {
        let output = fast(Tensor(inputs))
        var worst = (0.0, Float(0))
        for (x, y) in zip(inputs, output.scalars) {
            let expected = reference(Double(x))
            if Float(expected).isInfinite {
                // Beyond Float's range the right answer is the infinity the reference rounds to.
                if y != Float(expected) { worst = (.infinity, x) }
                continue
            }
            let error = abs(Double(y) - expected)
            let allowed = relative * abs(expected) + absolute
            if error > allowed, error / allowed > worst.0 { worst = (error / allowed, x) }
        }
        #expect(worst.0 == 0, "\(name): worst at x = \(worst.1), \(worst.0)× the tolerance")
    }

    @Test func expMatchesLibm() {
        check("exp", { $0.exp() }, Foundation.exp, relative: 4e-7, absolute: 1e-44)
        let special = Tensor([.infinity, -.infinity, .nan, 100, -120]).exp().scalars
        #expect(special[0] == .infinity)
        #expect(special[1] == 0)
        #expect(special[2].isNaN)
        #expect(special[3] == .infinity)
        #expect(special[4] == 0)
    }

    @Test func logMatchesLibm() {
        let positive =
            Self.inputs.map { abs($0) }.filter { $0 > 0 } + [
                Float.leastNormalMagnitude / 1024, Float.leastNonzeroMagnitude, .greatestFiniteMagnitude, 1, 2, 0.5,
            ]
        check("log", { $0.log() }, Foundation.log, inputs: positive, relative: 4e-7, absolute: 1e-7)
        let special = Tensor([0, -1, .infinity, .nan]).log().scalars
        #expect(special[0] == -.infinity)
        #expect(special[1].isNaN)
        #expect(special[2] == .infinity)
        #expect(special[3].isNaN)
    }

    @Test func tanhMatchesLibm() {
        check("tanh", { $0.tanh() }, Foundation.tanh, relative: 4e-7, absolute: 1e-38)
        #expect(Tensor([.infinity, -.infinity]).tanh().scalars == [1, -1])
    }

    @Test func sigmoidMatchesItsDefinition() {
        check("sigmoid", { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) }, relative: 5e-7, absolute: 1e-38)
    }

    @Test func geluIsTheExactErfForm() {
        // Φ from libm's erfc in Double: GELU(x) = x·Φ(x) = ½·x·erfc(−x/√2).
        check(
            "gelu", { $0.gelu() }, { 0.5 * $0 * Foundation.erfc(-$0 / 2.0.squareRoot()) }, relative: 2e-6,
            absolute: 1e-37)
        // Both implementations, whichever of them gelu() picks on this CPU: the AVX2 kernel
        // (where the CPU has it) and the portable Swift one.
        for vectorUnits in [false] + (Tensor.vectorUnitsAvailable ? [true] : []) {
            check(
                "gelu(vectorUnits: \(vectorUnits))", { $0.gelu(vectorUnits: vectorUnits) },
                { 0.5 * $0 * Foundation.erfc(-$0 / 2.0.squareRoot()) }, relative: 2e-6, absolute: 1e-37)
        }
        let fixture = TensorFixture.shared.rows
        let gelu = (try! Tensor(doubleRows: fixture.input)).gelu()
        #expect(maxAbsDifference(gelu, fixture.gelu) < 1e-5)
    }

    @Test func geluDerivativeMatchesLibm() {
        // d/dx x·Φ(x) = Φ(x) + x·φ(x), from libm's erfc and exp in Double. It crosses zero near
        // x = −0.75, so the comparison there is absolute.
        let reference = { (x: Double) in
            0.5 * Foundation.erfc(-x / 2.0.squareRoot()) + x * Foundation.exp(-0.5 * x * x)
                / (2 * Double.pi).squareRoot()
        }
        check("geluDerivative", { $0.geluDerivative() }, reference, relative: 2e-6, absolute: 2e-7)
        #expect(Tensor([.infinity, -.infinity]).geluDerivative().scalars == [1, 0])
        // Both implementations, whichever geluDerivative() picks on this CPU.
        for vectorUnits in [false] + (Tensor.vectorUnitsAvailable ? [true] : []) {
            check(
                "geluDerivative(vectorUnits: \(vectorUnits))", { $0.geluDerivative(vectorUnits: vectorUnits) },
                reference, relative: 2e-6, absolute: 2e-7)
            let special = Tensor([.infinity, -.infinity, .nan]).geluDerivative(vectorUnits: vectorUnits).scalars
            #expect(special[0] == 1 && special[1] == 0 && special[2].isNaN)
        }
    }

    @Test func reluClampsNegatives() {
        #expect(Tensor([-2, -0.5, 0, 0.5, 2]).relu().scalars == [0, 0, 0, 0.5, 2])
    }

    @Test func squaresAndRoots() {
        #expect(Tensor([-3, 2]).squared().scalars == [9, 4])
        #expect(Tensor([9, 4]).squareRoot().scalars == [3, 2])
    }
}
