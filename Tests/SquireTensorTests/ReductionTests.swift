import SquireTensor
import Testing

@Suite struct ReductionTests {
    let fixture = TensorFixture.shared.rows
    var x: Tensor { try! Tensor(doubleRows: fixture.input) }

    @Test func sumsAlongEitherAxis() throws {
        #expect(maxAbsDifference(try x.sum(alongAxis: 0), fixture.sum_axis0) < 1e-4)
        #expect(maxAbsDifference(try x.sum(alongAxis: 1), fixture.sum_axis1) < 1e-4)
        #expect(try x.sum(alongAxis: 1, keepingAxis: true).shape == [5, 1])
        #expect(abs(Double(x.sum()) - fixture.sum_axis1.reduce(0, +)) < 1e-3)
    }

    @Test func sumsTheMiddleAxisOfThreeDimensions() throws {
        let t = try Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))
        let s = try t.sum(alongAxis: 1)
        #expect(s.shape == [2, 2])
        #expect(s.scalars == [6, 9, 24, 27])
    }

    @Test func averages() throws {
        let m = try Tensor(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(try m.mean(alongAxis: 0).scalars == [2.5, 3.5, 4.5])
        #expect(try m.mean(alongAxis: 1).scalars == [2, 5])
        #expect(m.mean() == 3.5)
    }

    @Test func findsMaximaAndTheirPositions() throws {
        #expect(maxAbsDifference(try x.max(alongAxis: 1), fixture.max_axis1) == 0)
        #expect(try x.argmax(alongAxis: 0) == fixture.argmax_axis0)
        let tied = try Tensor(rows: [[1, 3, 3], [2, 2, 1]])
        #expect(try tied.argmax(alongAxis: 1) == [1, 0])  // the first of equals
    }

    @Test func propagatesNaNAsNumPyDoes() throws {
        let t = try Tensor(rows: [[1, .nan, 3], [4, 5, 6]])
        #expect(try t.max(alongAxis: 1)[0].isNaN)
        #expect(try t.max(alongAxis: 1)[1] == 6)
        #expect(try t.argmax(alongAxis: 1) == [1, 2])
        #expect(try t.sum(alongAxis: 1)[0].isNaN)
    }

    @Test func rejectsBadAxesAndEmptyExtents() throws {
        #expect(throws: TensorError.self) { try x.sum(alongAxis: 2) }
        #expect(throws: TensorError.self) { try x.max(alongAxis: -1) }
        #expect(throws: TensorError.self) { try Tensor.zeros([3, 0]).argmax(alongAxis: 1) }
        #expect(try Tensor.zeros([3, 0]).sum(alongAxis: 1).scalars == [0, 0, 0])
    }
}

@Suite struct NormalizationTests {
    let fixture = TensorFixture.shared.rows
    var x: Tensor { try! Tensor(doubleRows: fixture.input) }

    @Test func softmaxMatchesNumPy() throws {
        let s = try x.softmax()
        #expect(maxAbsDifference(s, fixture.softmax) < 1e-6)
        for row in try s.sum(alongAxis: 1).scalars { #expect(abs(row - 1) < 1e-6) }
    }

    @Test func softmaxSurvivesHugeInputsAndMasks() throws {
        let s = try Tensor(rows: [[1000, 1000], [-.infinity, 0], [50_000, -50_000]]).softmax()
        #expect(s.scalars == [0.5, 0.5, 0, 1, 1, 0])
        #expect(try Tensor(rows: [[-.infinity, -.infinity]]).softmax().scalars.allSatisfy(\.isNaN))
    }

    @Test func logSoftmaxMatchesNumPy() throws {
        #expect(maxAbsDifference(try x.logSoftmax(), fixture.log_softmax) < 2e-6)
        let extreme = try Tensor(rows: [[0, -200]]).logSoftmax()
        #expect(extreme[0, 1] == -200)  // softmax underflows to 0 there; log-softmax does not
    }

    @Test func layerNormMatchesNumPy() throws {
        let y = try x.layerNormalized(
            gamma: Tensor(fixture.gammaValues.map(Float.init)),
            beta: Tensor(fixture.betaValues.map(Float.init)), epsilon: 1e-12)
        #expect(maxAbsDifference(y, fixture.layerNorm) < 1e-5)
    }

    @Test func layerNormChecksItsParameters() throws {
        #expect(throws: TensorError.shapeMismatch("layerNormalized (input vs gamma)", [5, 13], [12])) {
            try x.layerNormalized(gamma: Tensor.ones([12]), beta: Tensor.zeros([13]))
        }
        #expect(throws: TensorError.self) { try x.layerNormalized(gamma: Tensor.ones([13]), beta: Tensor.zeros([1])) }
    }

    @Test func layerNormIsAccurateWithALargeMean() throws {
        // A one-pass variance would lose the spread under a mean of 1e4.
        let row = Tensor((0..<64).map { 10_000 + Float($0 % 2) })
        let y = try row.layerNormalized(gamma: Tensor.ones([64]), beta: Tensor.zeros([64]), epsilon: 0)
        #expect(abs(y[0] + 1) < 1e-3 && abs(y[1] - 1) < 1e-3)
    }

    @Test func l2NormalizesRowsAndKeepsZeroRowsZero() throws {
        #expect(maxAbsDifference(try x.l2Normalized(), fixture.l2_normalized) < 1e-6)
        let z = try Tensor.zeros([1, 4]).l2Normalized()
        #expect(z.scalars == [0, 0, 0, 0])
    }
}
