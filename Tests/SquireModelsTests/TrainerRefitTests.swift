import Foundation
import SquireModels
import SquireTensor
import Testing

/// What a refit needs from the trainer: the model at every epoch's end, a shorter run on a
/// longer run's schedule, and a finished run's checkpoint that resumes to its end.
struct TrainerRefitTests {
    static func configuration(epochs: Int, scheduleEpochs: Int? = nil, patience: Int? = nil) -> MLPHead.Configuration {
        MLPHead.Configuration(
            hiddenSizes: [8], validationFraction: patience == nil ? 0 : 0.2,
            training: TrainingConfiguration(
                epochs: epochs, batchSize: 16, learningRate: 5e-3, earlyStoppingPatience: patience, seed: 5,
                scheduleEpochs: scheduleEpochs))
    }

    /// Epoch 2 of a 4-epoch run, read by `afterEpoch`, is the model a 2-epoch run on the
    /// 4-epoch schedule ends with; a plain 2-epoch run (its rate decaying to zero by epoch 2)
    /// is not.
    @Test func aShorterRunOnTheLongerScheduleReproducesItsEpoch() throws {
        let (features, labels) = try TrainerTests.blobs(count: 90)
        var seen: [Int: MLPHead] = [:]
        _ = try MLPHead.fit(
            features: features, labels: labels, configuration: Self.configuration(epochs: 4),
            afterEpoch: { head, epoch in seen[epoch] = head })
        #expect(seen.keys.sorted() == [1, 2, 3, 4])
        let (short, summary) = try MLPHead.fit(
            features: features, labels: labels, configuration: Self.configuration(epochs: 2, scheduleEpochs: 4))
        #expect(short == seen[2])
        #expect(summary.epochs == 2 && summary.stopReason == "epoch_limit")
        let plain = try MLPHead.fit(features: features, labels: labels, configuration: Self.configuration(epochs: 2))
        #expect(plain.head != seen[2])
        #expect(throws: TrainingError.self) {
            try MLPHead.fit(
                features: features, labels: labels, configuration: Self.configuration(epochs: 4, scheduleEpochs: 2))
        }
    }

    /// A checkpoint written by a run that early stopping ended resumes to that end: the same
    /// model and epochs, not one epoch more.
    @Test func aFinishedRunsCheckpointResumesToItsEnd() throws {
        let (features, labels) = try TrainerTests.blobs(count: 90)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-refit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = folder.appendingPathComponent("checkpoint.safetensors").path
        // A learning rate this high overfits at once, so early stopping ends the run early.
        var configuration = Self.configuration(epochs: 40, patience: 1)
        configuration.training.learningRate = 0.3
        let first = try MLPHead.fit(
            features: features, labels: labels, configuration: configuration, checkpointPath: checkpoint)
        #expect(first.summary.stopReason == "early_stopping" && (first.summary.epochs ?? 40) < 40)
        let again = try MLPHead.fit(
            features: features, labels: labels, configuration: configuration, checkpointPath: checkpoint)
        #expect(again.head == first.head)
        #expect(again.summary.epochs == first.summary.epochs && again.summary.stopReason == "early_stopping")
    }
}
