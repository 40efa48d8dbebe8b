import Foundation
import SquireDrift
import Testing

/// Expected values from scipy and alibi-detect, made by `Scripts/fixtures/make-drift-fixtures.py`.
struct DriftReference: Decodable {
    struct Sample: Decodable {
        var name: String
        var reference, current: [Double]
        var ks_statistic, ks_p_exact, wasserstein, psi: Double
    }
    struct Large: Decodable {
        var reference, current: [Double]
        var ks_statistic, ks_p_limit: Double
    }
    struct Categorical: Decodable {
        var name: String
        var reference, current: [String: Int]
        var chi2, p_value, jensen_shannon: Double
        var dof: Int
    }
    struct MMD: Decodable {
        var name: String
        var reference, current: [[Double]]
        var mmd2, p_value, sigma: Double
    }
    var samples: [Sample]
    var large: Large
    var categorical: [Categorical]
    var mmd: [MMD]

    static let shared: DriftReference = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/drift_reference.json")
        do { return try JSONDecoder().decode(DriftReference.self, from: Data(contentsOf: url)) } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }()
}

@Suite struct StatisticsReferenceTests {
    static let samples = DriftReference.shared.samples.map(\.name)
    static let categorical = DriftReference.shared.categorical.map(\.name)

    func sample(_ name: String) throws -> DriftReference.Sample {
        try #require(DriftReference.shared.samples.first { $0.name == name })
    }

    @Test(arguments: samples) func kolmogorovSmirnovMatchesScipyExact(_ name: String) throws {
        let s = try sample(name)
        let test = try KolmogorovSmirnovTest(s.reference, s.current)
        #expect(abs(test.statistic - s.ks_statistic) < 1e-12)
        #expect(test.isExact)
        #expect(abs(test.pValue - s.ks_p_exact) <= 1e-9 + 1e-6 * s.ks_p_exact, "\(test.pValue) vs \(s.ks_p_exact)")
    }

    @Test func kolmogorovSmirnovUsesTheLimitOnLargeSamples() throws {
        let large = DriftReference.shared.large
        let test = try KolmogorovSmirnovTest(large.reference, large.current)
        #expect(!test.isExact)
        #expect(abs(test.statistic - large.ks_statistic) < 1e-12)
        #expect(abs(test.pValue - large.ks_p_limit) < 1e-9)
    }

    @Test(arguments: samples) func wassersteinAndPSI(_ name: String) throws {
        let s = try sample(name)
        #expect(abs(try Distance.wasserstein(s.reference, s.current) - s.wasserstein) < 1e-9)
        #expect(abs(try PopulationStabilityIndex.index(reference: s.reference, current: s.current) - s.psi) < 1e-9)
    }

    @Test(arguments: categorical) func chiSquareAndJensenShannonMatchScipy(_ name: String) throws {
        let c = try #require(DriftReference.shared.categorical.first { $0.name == name })
        let reference = CategoricalDistribution(counts: c.reference)
        let current = CategoricalDistribution(counts: c.current)
        let test = try ChiSquareTest(reference: reference, current: current)
        #expect(abs(test.statistic - c.chi2) < 1e-9)
        #expect(test.degreesOfFreedom == c.dof)
        #expect(abs(test.pValue - c.p_value) <= 1e-12 + 1e-8 * c.p_value, "\(test.pValue) vs \(c.p_value)")
        #expect(abs(try Distance.jensenShannon(reference, current) - c.jensen_shannon) < 1e-9)
    }

    /// alibi-detect computes in float32, so its figures carry about seven significant digits:
    /// the statistic and bandwidth are compared to 1e-5 relative. Its permutation p-value
    /// uses another generator (and no +1), so it is compared by verdict.
    @Test func mmdMatchesAlibiDetect() throws {
        for case_ in DriftReference.shared.mmd {
            let test = try MaximumMeanDiscrepancyTest(
                reference: case_.reference, current: case_.current, permutations: 1000, seed: 3)
            #expect(
                abs(test.bandwidth - case_.sigma) <= 1e-5 * case_.sigma,
                "\(case_.name) sigma \(test.bandwidth) vs \(case_.sigma)")
            #expect(
                abs(test.statistic - case_.mmd2) <= 1e-5 * max(abs(case_.mmd2), 0.01),
                "\(case_.name) mmd2 \(test.statistic) vs \(case_.mmd2)")
            #expect(
                (test.pValue < 0.05) == (case_.p_value < 0.05), "\(case_.name) p \(test.pValue) vs \(case_.p_value)")
        }
    }

    @Test func refusesEmptyAndNonFiniteInput() {
        #expect(throws: DriftInputError.empty("current sample")) { try KolmogorovSmirnovTest([1, 2], []) }
        #expect(throws: DriftInputError.nonFinite("reference sample")) { try Distance.wasserstein([1, .nan], [1]) }
        #expect(throws: DriftInputError.self) {
            try ChiSquareTest(reference: CategoricalDistribution(counts: [:]), current: CategoricalDistribution(["a"]))
        }
        #expect(throws: DriftInputError.self) {
            try MaximumMeanDiscrepancyTest(reference: [[1, 2], [1]], current: [[0, 0], [1, 1]])
        }
        #expect(throws: DriftInputError.self) {
            try PopulationStabilityIndex.index(referenceShares: [0.5, 0.5], currentShares: [1])
        }
    }

    @Test func identicalSamplesShowNoDrift() throws {
        let values = (0..<200).map { Double($0 % 37) / 37 }
        #expect(try PopulationStabilityIndex.index(reference: values, current: values) == 0)
        #expect(try KolmogorovSmirnovTest(values, values).pValue == 1)
        #expect(try Distance.wasserstein(values, values) == 0)
        #expect(
            try ChiSquareTest(
                reference: CategoricalDistribution(["a", "b", "a"]), current: CategoricalDistribution(["a", "b", "a"])
            ).pValue == 1)
    }
}
