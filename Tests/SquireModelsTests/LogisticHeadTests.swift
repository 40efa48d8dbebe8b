import Foundation
import SquireModels
import SquireTensor
import Testing

@Suite struct LogisticHeadTests {
    static let cases = HeadReference.shared.logistic

    @Test(arguments: cases)
    func matchesScikitLearnAtTheOptimum(_ reference: HeadReference.Logistic) throws {
        let weighting: ClassWeighting = reference.class_weight == "balanced" ? .balanced : .uniform
        let configuration = LogisticHead.Configuration(
            inverseRegularization: reference.c, classWeighting: weighting,
            optimizer: LBFGS(gradientTolerance: 1e-7, maximumIterations: 10_000))
        let (head, summary) = try LogisticHead.fit(
            features: reference.featureTensor, labels: reference.labels, configuration: configuration)
        #expect(head.labels == reference.classes)
        // Same objective: our minimum is scikit-learn's minimum, to Float precision.
        #expect(
            abs(summary.loss - reference.objective) <= 2e-6 * max(1, reference.objective),
            "\(summary.loss) vs \(reference.objective)")
        let probabilities = try head.logits(for: reference.featureTensor).softmax()
        var worst: Double = 0
        for (row, expected) in reference.probabilities.enumerated() {
            for (column, value) in expected.enumerated() {
                worst = max(worst, abs(Double(probabilities[row, column]) - value))
            }
        }
        // Products in Float leave the gradient at ~2e-5 rather than scikit-learn's float64 1e-7
        // (the objective above agrees to 2e-8), which moves probabilities by up to ~2e-4.
        #expect(worst < 5e-4, "\(reference.name): worst probability difference \(worst); \(summary)")
        // Coefficients too (binomial: the stored second row is scikit-learn's single row).
        let coefficientRows = reference.coef.count == 1 ? [1] : Array(reference.coef.indices)
        for (referenceRow, row) in coefficientRows.enumerated() {
            for column in 0..<head.inputDimension {
                let expected = reference.coef[referenceRow][column]
                #expect(abs(Double(head.weight[row, column]) - expected) <= 2e-3 * max(1, abs(expected)))
            }
        }
    }

    @Test(arguments: cases)
    func defaultToleranceTakesAboutAsManyIterationsAsScikitLearn(_ reference: HeadReference.Logistic) throws {
        let weighting: ClassWeighting = reference.class_weight == "balanced" ? .balanced : .uniform
        let configuration = LogisticHead.Configuration(inverseRegularization: reference.c, classWeighting: weighting)
        let (_, summary) = try LogisticHead.fit(
            features: reference.featureTensor, labels: reference.labels, configuration: configuration)
        #expect(summary.stopReason == "gradient_tolerance")
        // Same line search and stopping rule: iteration counts agree up to Float rounding.
        let expected = Double(reference.default_tolerance_iterations)
        #expect(
            abs(Double(summary.steps) - expected) <= max(3, 0.25 * expected),
            "\(summary.steps) vs scikit-learn's \(reference.default_tolerance_iterations)")
    }

    @Test func progressCanStopTheFit() throws {
        let reference = Self.cases[0]
        var seen: [Int] = []
        let (head, summary) = try LogisticHead.fit(features: reference.featureTensor, labels: reference.labels) {
            progress in
            seen.append(progress.step)
            return progress.step == 3 ? .stop : .proceed
        }
        #expect(seen == [1, 2, 3])
        #expect(summary.stopReason == "stopped")
        #expect(summary.steps == 3)
        #expect(head.labels == reference.classes)
    }

    @Test func badInputThrowsTypedErrors() throws {
        let features = try Tensor(rows: [[0, 1], [1, 0], [Float.nan, 2]])
        #expect(throws: TrainingError.nonFiniteInput(row: 2, column: 0)) {
            try LogisticHead.fit(features: features, labels: ["a", "b", "a"])
        }
        #expect(throws: TrainingError.singleClass("a")) {
            try LogisticHead.fit(features: try Tensor(rows: [[0, 1], [1, 0]]), labels: ["a", "a"])
        }
        #expect(throws: TrainingError.noExamples) {
            try LogisticHead.fit(features: try Tensor.zeros([0, 2]), labels: [])
        }
        #expect(throws: TrainingError.self) {
            try LogisticHead.fit(features: try Tensor(rows: [[0, 1], [1, 0]]), labels: ["a", "b", "c"])
        }
        #expect(throws: TrainingError.unknownLabel("c", known: ["a", "b"])) {
            try LogisticHead.fit(
                features: try Tensor(rows: [[0, 1], [1, 0]]), labels: ["a", "c"], labelOrder: ["a", "b"])
        }
        #expect(throws: TrainingError.self) {
            try LogisticHead.fit(
                features: try Tensor(rows: [[0, 1], [1, 0]]), labels: ["a", "b"],
                configuration: .init(inverseRegularization: 0))
        }
    }

    @Test func lbfgsMinimizesTheRosenbrockFunction() throws {
        // A classic hard valley: the minimum is (1, 1); L-BFGS with this line search gets there.
        let result = try LBFGS(gradientTolerance: 1e-8, maximumIterations: 500).minimize(from: [-1.2, 1]) { x, g in
            let (a, b) = (x[0], x[1])
            g[0] = -2 * (1 - a) - 400 * a * (b - a * a)
            g[1] = 200 * (b - a * a)
            return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a)
        }
        #expect(abs(result.point[0] - 1) < 1e-6 && abs(result.point[1] - 1) < 1e-6, "\(result.point)")
        #expect(result.termination == .gradientTolerance)
    }

    @Test func lbfgsNamesTheIterationWhereTheLossBecameNaN() throws {
        #expect(throws: TrainingError.nonFiniteLoss(step: 0, value: .infinity)) {
            try LBFGS().minimize(from: [1]) { _, g in
                g[0] = 1
                return .infinity
            }
        }
    }
}

extension HeadReference.Logistic: CustomTestStringConvertible {
    var testDescription: String { name }
}
