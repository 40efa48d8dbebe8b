import Foundation
public import SquireTensor

/// Mini-batch training shared by every trainable model: AdamW, linear warm-up and decay,
/// gradient clipping, seeded shuffling, per-epoch validation with early stopping, a
/// checkpoint after every epoch, resuming, and cancellation.
///
/// Each epoch's shuffle and dropout draw from generators seeded by `(seed, epoch)`, so a
/// run resumed from a checkpoint takes exactly the steps the uninterrupted run would have.
public struct Trainer: Sendable {
    /// The optimizer, schedule and stopping settings.
    public var configuration: TrainingConfiguration
    /// Where a checkpoint (one safetensors file) is written, atomically, after every epoch.
    /// When a checkpoint is already there, training resumes from it. Nil keeps none.
    public var checkpointPath: String?

    /// Creates a trainer.
    public init(configuration: TrainingConfiguration = TrainingConfiguration(), checkpointPath: String? = nil) {
        self.configuration = configuration
        self.checkpointPath = checkpointPath
    }

    /// Trains `model` in place on `exampleCount` examples, which `batch` assembles by index.
    ///
    /// - Parameters:
    ///   - validation: held-out examples scored after every epoch; with early stopping the
    ///     model ends with the parameters of its best validation epoch.
    ///   - progress: called after every update and at the end of every epoch (with the
    ///     validation figures); ``TrainingAction/stop`` ends training there. Cancelling
    ///     the surrounding task stops it the same way.
    ///   - afterEpoch: called at the end of every epoch with the model as it stands and the
    ///     epoch (from 1), before early stopping restores an earlier one: how
    ///     cross-validation reads a held-out curve from one run.
    ///   - order: the examples' order in an epoch (a permutation of `0 ..< exampleCount`,
    ///     cut into batches of the configured size), drawn from the epoch's shuffling
    ///     generator; nil shuffles uniformly. A contrastive loss needs several examples of
    ///     a label in each batch, which a uniform shuffle of few examples rarely gives.
    /// - Throws: ``TrainingError/nonFiniteLoss(step:value:)`` naming the update at which
    ///   the loss or a gradient became NaN or infinite; checkpoint errors when resuming.
    public func train<Model: TrainableModel>(
        _ model: inout Model, exampleCount: Int, batch: ([Int]) throws -> Model.Batch, validation: Model.Batch? = nil,
        progress: (TrainingProgress) -> TrainingAction = { _ in .proceed },
        afterEpoch: (_ model: Model, _ epoch: Int) throws -> Void = { _, _ in },
        order: ((inout SeededGenerator) -> [Int])? = nil
    ) throws -> TrainingSummary {
        try configuration.validate()
        guard exampleCount > 0 else { throw TrainingError.noExamples }
        let keys = model.trainableParameters.keys
        let batchesPerEpoch = (exampleCount + configuration.batchSize - 1) / configuration.batchSize
        let totalSteps = batchesPerEpoch * configuration.epochs
        let scheduledSteps = batchesPerEpoch * (configuration.scheduleEpochs ?? configuration.epochs)
        let schedule = LearningRateSchedule(
            peak: configuration.learningRate,
            warmupSteps: Int(Double(scheduledSteps) * configuration.warmupFraction), totalSteps: scheduledSteps)

        var state = TrainingCheckpoint(
            optimizer: AdamW(weightDecay: Float(configuration.weightDecay)), configuration: configuration)
        if let checkpointPath, FileManager.default.fileExists(atPath: checkpointPath) {
            state = try TrainingCheckpoint(path: checkpointPath, keys: keys, configuration: configuration)
            try model.assignTrainableParameters(state.parameters)
        }

        var lastLoss = state.lastLoss
        var stopReason = "epoch_limit"
        var lastEpoch = configuration.epochs
        if let patience = configuration.earlyStoppingPatience, validation != nil, state.staleEpochs >= patience {
            // The checkpoint of a run early stopping ended: resume to its end, not past it.
            stopReason = "early_stopping"
            lastEpoch = state.completedEpochs
        }
        epochs: for epoch in state.completedEpochs..<lastEpoch {
            var shuffler = SeededGenerator(seed: Self.streamSeed(configuration.seed, epoch, 0))
            var positions = Array(0..<exampleCount)
            if let order {
                positions = order(&shuffler)
                guard positions.sorted() == Array(0..<exampleCount) else {
                    throw TrainingError.invalidConfiguration(
                        "an epoch's order must be a permutation of the \(exampleCount) examples")
                }
            } else {
                shuffler.shuffle(&positions)
            }
            var noise = SeededGenerator(seed: Self.streamSeed(configuration.seed, epoch, 1))
            for start in stride(from: 0, to: exampleCount, by: configuration.batchSize) {
                if Task.isCancelled {
                    stopReason = "stopped"
                    break epochs
                }
                let members = Array(positions[start..<min(start + configuration.batchSize, exampleCount)])
                var (loss, gradients) = try model.lossAndGradients(on: batch(members), using: &noise)
                guard loss.isFinite, gradients.tensors.allSatisfy(\.isFinite) else {
                    throw TrainingError.nonFiniteLoss(step: state.step + 1, value: loss)
                }
                if let limit = configuration.maximumGradientNorm {
                    let norm = gradients.tensors.reduce(0.0) {
                        $0 + $1.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
                    }.squareRoot()
                    if norm > limit { gradients = gradients.mapTensors { $0.tensor * Float(limit / norm) } }
                }
                var parameters = model.trainableParameters
                try state.optimizer.update(
                    &parameters, gradients: gradients, learningRate: Float(schedule.rate(atStep: state.step)),
                    decays: Model.takesWeightDecay)
                try model.assignTrainableParameters(parameters)
                state.step += 1
                lastLoss = loss
                if progress(TrainingProgress(step: state.step, epoch: epoch + 1, loss: loss, totalSteps: totalSteps))
                    == .stop
                {
                    stopReason = "stopped"
                    break epochs
                }
            }
            state.completedEpochs = epoch + 1
            state.lastLoss = lastLoss
            var report = TrainingProgress(step: state.step, epoch: epoch + 1, loss: lastLoss, totalSteps: totalSteps)
            if let validation {
                let (loss, accuracy) = try model.evaluate(on: validation)
                report.validationLoss = loss
                report.validationAccuracy = accuracy
                if loss < state.bestValidationLoss {
                    state.bestValidationLoss = loss
                    state.bestParameters = model.trainableParameters
                    state.bestEpoch = epoch + 1
                    state.staleEpochs = 0
                } else {
                    state.staleEpochs += 1
                }
            }
            state.parameters = model.trainableParameters
            if let checkpointPath { try state.write(to: checkpointPath) }
            try afterEpoch(model, epoch + 1)
            if progress(report) == .stop {
                stopReason = "stopped"
                break
            }
            if let patience = configuration.earlyStoppingPatience, validation != nil, state.staleEpochs >= patience {
                stopReason = "early_stopping"
                break
            }
        }
        if validation != nil, configuration.earlyStoppingPatience != nil, let best = state.bestParameters {
            try model.assignTrainableParameters(best)
        }
        return TrainingSummary(
            steps: state.step, epochs: state.completedEpochs, loss: lastLoss,
            validationLoss: state.bestValidationLoss.isFinite ? state.bestValidationLoss : nil,
            bestEpoch: state.bestEpoch, stopReason: stopReason)
    }

    /// A seed for one epoch's stream (shuffle or dropout), mixed so nearby seeds differ.
    static func streamSeed(_ seed: UInt64, _ epoch: Int, _ stream: UInt64) -> UInt64 {
        var generator = SeededGenerator(
            seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15) ^ (stream &* 0xD1B5_4A32_D192_ED03))
        return generator.next()
    }
}
