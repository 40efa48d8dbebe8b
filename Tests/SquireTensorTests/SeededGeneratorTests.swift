import SquireTensor
import Testing

@Suite struct SeededGeneratorTests {
    @Test func matchesTheReferenceXoshiroSequence() {
        let fixture = TensorFixture.shared.generator
        var generator = SeededGenerator(seed: fixture.seed)
        #expect((0..<fixture.next.count).map { _ in generator.next() } == fixture.next.map { UInt64($0)! })
        var zero = SeededGenerator(seed: 0)
        #expect((0..<fixture.seed0_next.count).map { _ in zero.next() } == fixture.seed0_next.map { UInt64($0)! })
    }

    @Test func mapsBitsToFloatsExactly() {
        var a = SeededGenerator(seed: 7)
        var b = SeededGenerator(seed: 7)
        for _ in 0..<100 {
            let bits = b.next()
            #expect(a.nextUnitFloat() == Float(bits >> 40) / 16_777_216)
        }
    }

    @Test func indicesAreInRangeAndCoverIt() {
        var generator = SeededGenerator(seed: 3)
        var seen = Set<Int>()
        for _ in 0..<2_000 {
            let i = generator.nextIndex(below: 7)
            #expect((0..<7).contains(i))
            seen.insert(i)
        }
        #expect(seen.count == 7)
        #expect(generator.nextIndex(below: 1) == 0)
    }

    @Test func shufflesDeterministically() {
        var a = SeededGenerator(seed: 11)
        var b = SeededGenerator(seed: 11)
        var x = Array(0..<50)
        var y = Array(0..<50)
        a.shuffle(&x)
        b.shuffle(&y)
        #expect(x == y)
        #expect(x != Array(0..<50))
        #expect(x.sorted() == Array(0..<50))
    }

    @Test func uniformStaysInItsRange() throws {
        var generator = SeededGenerator(seed: 5)
        let t = try Tensor.uniform([1000], in: -2...3, using: &generator)
        #expect(t.scalars.allSatisfy { $0 >= -2 && $0 < 3 })
        #expect(abs(t.mean() - 0.5) < 0.1)
    }

    @Test func normalHasTheRequestedMoments() throws {
        var generator = SeededGenerator(seed: 9)
        let t = try Tensor.normal([100_000], mean: 2, standardDeviation: 3, using: &generator)
        let mean = t.mean()
        let variance = (t - mean).squared().mean()
        // With 100k draws the standard errors are 0.0095 (mean) and 0.04 (variance).
        #expect(abs(mean - 2) < 0.05)
        #expect(abs(variance - 9) < 0.2)
        #expect(throws: TensorError.self) { try Tensor.normal([2], standardDeviation: -1, using: &generator) }
    }

    @Test func initializersFollowTorchsFormulas() throws {
        var generator = SeededGenerator(seed: 1)
        let xavier = try Tensor.xavierUniform([64, 192], using: &generator)
        let bound = Float(6.0 / 256).squareRoot()
        #expect(xavier.scalars.allSatisfy { abs($0) <= bound })
        #expect(xavier.scalars.map(abs).max()! > 0.95 * bound)

        let kaiming = try Tensor.kaimingNormal([256, 512], using: &generator)
        let std = kaiming.squared().mean().squareRoot()
        #expect(abs(std - Float(2.0 / 512).squareRoot()) < 0.002)

        let kaimingU = try Tensor.kaimingUniform([32, 100], using: &generator)
        #expect(kaimingU.scalars.allSatisfy { abs($0) <= Float(6.0 / 100).squareRoot() })

        let xavierN = try Tensor.xavierNormal([300, 300], using: &generator)
        #expect(abs(xavierN.squared().mean().squareRoot() - Float(2.0 / 600).squareRoot()) < 0.002)

        #expect(throws: TensorError.self) { try Tensor.xavierUniform([10], using: &generator) }
    }

    @Test func sameSeedGivesTheSameTensor() throws {
        var a = SeededGenerator(seed: 99)
        var b = SeededGenerator(seed: 99)
        #expect(try Tensor.normal([10], using: &a) == Tensor.normal([10], using: &b))
    }
}
