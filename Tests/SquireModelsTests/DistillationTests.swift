import GradientCheck
import SquireModels
import SquireTensor
import Testing

/// The distillation loss against PyTorch, against finite differences, and its edge cases.
@Suite struct DistillationTests {
    static let logits = try! Tensor(
        shape: [3, 4], scalars: [1.5, -0.3, 0.2, 2.0, 0.1, 0.4, -1.2, 0.0, -2.0, 3.0, 0.5, 0.5])
    static let teacher = try! Tensor(
        shape: [3, 4], scalars: [0.6, 0.05, 0.05, 0.3, 0.25, 0.5, 0.0, 0.25, 0.01, 0.9, 0.04, 0.05])
    static let labels = [3, 1, 1]

    /// `Scripts/fixtures/make-distillation-fixtures.py` (torch 2.15, float64): F.kl_div on
    /// softened distributions, scaled by T², plus cross-entropy, with autograd's gradient.
    @Test func matchesPyTorch() throws {
        let (loss, gradient) = try Distillation(temperature: 2, softWeight: 0.5)
            .lossAndGradient(logits: Self.logits, teacherProbabilities: Self.teacher, classIndices: Self.labels)
        #expect(abs(loss - 0.4288638583073613) < 1e-6)
        let expected: [Double] = [
            0.011840895079406902, 0.008988498652364825, 0.02676025983574421, -0.04758965356751592,
            0.04131867876123438, -0.13441683974829585, 0.06074823152782466, 0.032349929459236836,
            -0.005149604454631107, -0.03771494087458843, 0.024104617131835114, 0.01875992819738436,
        ]
        for (got, want) in zip(gradient.scalars, expected) { #expect(abs(Double(got) - want) < 1e-6) }
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        for (t, alpha) in [(1.0, 1.0), (3.0, 0.7), (0.5, 0.2)] {
            let loss = try Distillation(temperature: t, softWeight: alpha)
            let (_, gradient) = try loss.lossAndGradient(
                logits: Self.logits, teacherProbabilities: Self.teacher, classIndices: Self.labels)
            let error = try GradientCheck.relativeError(of: gradient, at: Self.logits) {
                try loss.lossAndGradient(logits: $0, teacherProbabilities: Self.teacher, classIndices: Self.labels).loss
            }
            #expect(error < 1e-2, "T = \(t), α = \(alpha): relative error \(error)")
        }
    }

    @Test func noSoftWeightIsCrossEntropyAndBadSettingsThrow() throws {
        let hard = try SoftmaxCrossEntropy.lossAndGradient(logits: Self.logits, classIndices: Self.labels)
        let mixed = try Distillation(temperature: 4, softWeight: 0)
            .lossAndGradient(logits: Self.logits, teacherProbabilities: Self.teacher, classIndices: Self.labels)
        #expect(abs(mixed.loss - hard.loss) < 1e-9)
        #expect(mixed.gradient.scalars == hard.gradient.scalars)
        #expect(throws: TrainingError.self) { try Distillation(temperature: 0) }
        #expect(throws: TrainingError.self) { try Distillation(softWeight: 1.5) }
        #expect(throws: (any Error).self) {
            try Distillation().lossAndGradient(
                logits: Self.logits, teacherProbabilities: Tensor.zeros([2, 4]), classIndices: Self.labels)
        }
    }

    @Test func teacherTargetsAreCheckedRowByRow() throws {
        let distillation = try Distillation()
        #expect(throws: TrainingError.self) {
            try TeacherTargets(probabilities: [[0.5, 0.4]], labels: ["a", "b"], distillation: distillation)
        }
        #expect(throws: TrainingError.self) {
            try TeacherTargets(probabilities: [[1, 0, 0]], labels: ["a", "b"], distillation: distillation)
        }
        #expect(throws: TrainingError.self) {
            try TeacherTargets(probabilities: [[.nan, 1]], labels: ["a", "b"], distillation: distillation)
        }
        #expect(throws: TrainingError.self) {
            try TeacherTargets(probabilities: [[1, 0]], labels: ["a", "a"], distillation: distillation)
        }
        let targets = try TeacherTargets(
            probabilities: [[0.25, 0.75]], labels: ["b", "a"], distillation: distillation)
        #expect(targets.probabilities.scalars == [0.25, 0.75])
    }
}
