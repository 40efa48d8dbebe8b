import Foundation
import SquireModels
import SquireTensor
import Testing

@Suite struct TrainerTests {
    /// Three well-separated blobs in 8 dimensions.
    static func blobs(count: Int = 240, seed: UInt64 = 7) throws -> (features: Tensor, labels: [String]) {
        var generator = SeededGenerator(seed: seed)
        let centers = try Tensor.normal([3, 8], standardDeviation: 2, using: &generator)
        var rows: [[Float]] = []
        var labels: [String] = []
        for index in 0..<count {
            let label = index % 3
            rows.append((0..<8).map { centers[label, $0] + Float(generator.nextStandardNormal()) * 0.8 })
            labels.append(["alpha", "beta", "gamma"][label])
        }
        return (try Tensor(rows: rows), labels)
    }

    static let small = MLPHead.Configuration(
        hiddenSizes: [16],
        training: TrainingConfiguration(
            epochs: 6, batchSize: 16, learningRate: 5e-3, earlyStoppingPatience: nil, seed: 3))

    @Test func mlpLearnsSeparableBlobs() throws {
        let (features, labels) = try Self.blobs()
        let (head, summary) = try MLPHead.fit(features: features, labels: labels, configuration: Self.small)
        let predicted = try head.logits(for: features).argmax(alongAxis: 1).map { head.labels[$0] }
        let accuracy = Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
        #expect(accuracy > 0.95)
        #expect(summary.epochs == 6 && summary.stopReason == "epoch_limit")
        #expect(summary.validationLoss != nil)
    }

    @Test func labelSmoothingTrainsADifferentModelAndRejectsBadValues() throws {
        let (features, labels) = try Self.blobs()
        let smoothed = try MLPHead.fit(features: features, labels: labels, configuration: Self.small).head
        var plain = Self.small
        plain.labelSmoothing = 0
        #expect(smoothed.labelSmoothing == 0.1)
        #expect(
            try MLPHead.fit(features: features, labels: labels, configuration: plain).head.layers != smoothed.layers)
        for bad: Float in [-0.1, 1] {
            var configuration = Self.small
            configuration.labelSmoothing = bad
            #expect(throws: TrainingError.self) {
                try MLPHead.fit(features: features, labels: labels, configuration: configuration)
            }
        }
    }

    @Test func sameSeedSameModelOtherSeedOtherModel() throws {
        let (features, labels) = try Self.blobs()
        let first = try MLPHead.fit(features: features, labels: labels, configuration: Self.small).head
        let second = try MLPHead.fit(features: features, labels: labels, configuration: Self.small).head
        #expect(first == second)
        var other = Self.small
        other.training.seed = 4
        #expect(try MLPHead.fit(features: features, labels: labels, configuration: other).head != first)
    }

    @Test func resumingFromACheckpointGivesTheUninterruptedModel() throws {
        let (features, labels) = try Self.blobs()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squire-trainer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("checkpoint.safetensors").path

        let uninterrupted = try MLPHead.fit(features: features, labels: labels, configuration: Self.small).head
        // Stop after the second epoch's validation report, as a crash after its checkpoint would.
        let partial = try MLPHead.fit(
            features: features, labels: labels, configuration: Self.small, checkpointPath: checkpoint
        ) { progress in
            progress.validationLoss != nil && progress.epoch == 2 ? .stop : .proceed
        }
        #expect(partial.summary.epochs == 2 && partial.summary.stopReason == "stopped")
        let resumed = try MLPHead.fit(
            features: features, labels: labels, configuration: Self.small, checkpointPath: checkpoint)
        #expect(resumed.summary.epochs == 6)
        #expect(resumed.head == uninterrupted)

        // A checkpoint from another configuration, or a damaged one, is refused by name.
        var other = Self.small
        other.training.learningRate = 1e-2
        #expect(throws: TrainingError.self) {
            try MLPHead.fit(features: features, labels: labels, configuration: other, checkpointPath: checkpoint)
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: checkpoint))
        #expect(throws: TrainingError.self) {
            try MLPHead.fit(features: features, labels: labels, configuration: Self.small, checkpointPath: checkpoint)
        }
    }

    @Test func earlyStoppingKeepsTheBestEpoch() throws {
        let (features, labels) = try Self.blobs(count: 90)
        var configuration = Self.small
        // A rate this high overfits and oscillates quickly, so validation stops improving.
        configuration.training = TrainingConfiguration(
            epochs: 60, batchSize: 8, learningRate: 0.05, earlyStoppingPatience: 2, seed: 1)
        var validationLosses: [Double] = []
        let (head, summary) = try MLPHead.fit(features: features, labels: labels, configuration: configuration) {
            progress in
            if let loss = progress.validationLoss { validationLosses.append(loss) }
            return .proceed
        }
        #expect(summary.stopReason == "early_stopping")
        #expect(summary.epochs! < 60)
        let best = try #require(validationLosses.min())
        #expect(summary.validationLoss == best)
        // The returned head is the best epoch's: its validation loss is the best one seen.
        #expect(validationLosses.last! > best || validationLosses.count >= 3)
        _ = head
    }

    @Test func nonFiniteLossNamesTheStep() throws {
        let (features, labels) = try Self.blobs()
        var configuration = Self.small
        configuration.training.learningRate = 1e30
        configuration.training.maximumGradientNorm = nil
        #expect {
            try MLPHead.fit(features: features, labels: labels, configuration: configuration)
        } throws: { error in
            guard case TrainingError.nonFiniteLoss(let step, _) = error else { return false }
            return step > 0
        }
        var scalars = features.scalars
        scalars[5 * 8 + 2] = .infinity
        #expect(throws: TrainingError.nonFiniteInput(row: 5, column: 2)) {
            try MLPHead.fit(
                features: try Tensor(shape: features.shape, scalars: scalars), labels: labels, configuration: Self.small
            )
        }
    }

    @Test func invalidSettingsAreRefusedBeforeTraining() throws {
        let (features, labels) = try Self.blobs(count: 30)
        for bad in [
            MLPHead.Configuration(hiddenSizes: []),
            MLPHead.Configuration(hiddenSizes: [4, 4, 4]),
            MLPHead.Configuration(validationFraction: 1),
            MLPHead.Configuration(training: TrainingConfiguration(epochs: 0)),
            MLPHead.Configuration(training: TrainingConfiguration(learningRate: -1)),
        ] {
            #expect(throws: TrainingError.self) {
                try MLPHead.fit(features: features, labels: labels, configuration: bad)
            }
        }
    }

    @Test func scheduleWarmsUpThenDecaysToZero() {
        let schedule = LearningRateSchedule(peak: 1, warmupSteps: 4, totalSteps: 12)
        #expect(schedule.rate(atStep: 0) == 0.25)
        #expect(schedule.rate(atStep: 3) == 1)
        #expect(schedule.rate(atStep: 4) == 1)
        #expect(schedule.rate(atStep: 8) == 0.5)
        #expect(schedule.rate(atStep: 12) == 0)
    }

    @Test func adamWMatchesTorchsFirstSteps() throws {
        // torch 2.x: p = Parameter([1., -2.]); AdamW([p], lr=0.1, weight_decay=0.01); two steps
        // with p.grad = [0.5, 0.25] give [0.8990000, -2.0980000] then [0.7981010, -2.1959019].
        var optimizer = AdamW(weightDecay: 0.01)
        var parameters = try NamedTensors([("p", Tensor([1, -2]))])
        let gradients = try NamedTensors([("p", Tensor([0.5, 0.25]))])
        try optimizer.update(&parameters, gradients: gradients, learningRate: 0.1, decays: { _ in true })
        var p = try parameters.tensor(forKey: "p")
        #expect(abs(p[0] - 0.8990000) < 1e-6 && abs(p[1] - -2.0980000) < 1e-6)
        try optimizer.update(&parameters, gradients: gradients, learningRate: 0.1, decays: { _ in true })
        p = try parameters.tensor(forKey: "p")
        #expect(abs(p[0] - 0.7981010) < 1e-6 && abs(p[1] - -2.1959019) < 1e-6)
    }
}
