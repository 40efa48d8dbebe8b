import Foundation
import SquireTensor

/// The state of a ``Trainer`` run after a completed epoch, saved as one safetensors file:
/// the parameters (`parameter/<key>`), AdamW's moments (`adam.m/<key>`, `adam.v/<key>`),
/// the best validated parameters (`best/<key>`) and the counters in its metadata.
struct TrainingCheckpoint {
    static let format = "squire-training-checkpoint-1"

    var optimizer: AdamW
    var configuration: TrainingConfiguration
    var parameters = NamedTensors()
    var bestParameters: NamedTensors?
    var completedEpochs = 0
    var step = 0
    var lastLoss = Double.nan
    var bestValidationLoss = Double.infinity
    var staleEpochs = 0
    var bestEpoch: Int?

    init(optimizer: AdamW, configuration: TrainingConfiguration) {
        self.optimizer = optimizer
        self.configuration = configuration
    }

    /// Loads a checkpoint, checking it belongs to this model (same keys and shapes) and to
    /// this configuration (anything but the number of epochs, which may grow).
    init(path: String, keys: [String], configuration: TrainingConfiguration) throws {
        let file: SafetensorsFile
        do { file = try SafetensorsFile(path: path) } catch {
            throw TrainingError.unusableCheckpoint(path: path, reason: "\(error)")
        }
        let metadata = file.header.metadata
        func fail(_ reason: String) -> TrainingError { .unusableCheckpoint(path: path, reason: reason) }
        guard metadata["format"] == Self.format else {
            throw fail("it is not a Squire training checkpoint (format \(metadata["format"] ?? "missing"))")
        }
        guard
            let saved = metadata["configuration"].flatMap({
                try? JSONDecoder().decode(TrainingConfiguration.self, from: Data($0.utf8))
            })
        else {
            throw fail("its training configuration is missing or unreadable")
        }
        var comparable = saved
        comparable.epochs = configuration.epochs
        guard comparable == configuration else {
            throw fail(
                "it was written with a different training configuration; only the number of epochs may change on resume"
            )
        }
        func tensors(_ prefix: String) throws -> NamedTensors {
            try NamedTensors(
                keys: keys,
                tensors: keys.map { key in
                    guard file.names.contains(prefix + key) else {
                        throw fail("it has no tensor \(prefix + key); was it written for another model?")
                    }
                    return try file.tensor(prefix + key)
                })
        }
        self.configuration = configuration
        parameters = try tensors("parameter/")
        let first = try tensors("adam.m/")
        let second = try tensors("adam.v/")
        bestParameters = file.names.contains("best/" + (keys.first ?? "")) ? try tensors("best/") : nil
        guard let epochs = metadata["completed_epochs"].flatMap(Int.init),
            let steps = metadata["step"].flatMap(Int.init),
            let adamStep = metadata["adam_step"].flatMap(Int.init),
            let stale = metadata["stale_epochs"].flatMap(Int.init)
        else {
            throw fail("its counters are missing")
        }
        completedEpochs = epochs
        step = steps
        staleEpochs = stale
        bestEpoch = metadata["best_epoch"].flatMap(Int.init)
        lastLoss = metadata["last_loss"].flatMap(Double.init) ?? .nan
        bestValidationLoss = metadata["best_validation_loss"].flatMap(Double.init) ?? .infinity
        optimizer = AdamW(weightDecay: Float(configuration.weightDecay))
        optimizer.restore(step: adamStep, firstMoments: first, secondMoments: second)
    }

    /// Writes the checkpoint atomically: the previous one stays intact until the new one is whole.
    func write(to path: String) throws {
        var writer = SafetensorsWriter()
        for (prefix, tensors) in [
            ("parameter/", parameters), ("adam.m/", optimizer.firstMoments), ("adam.v/", optimizer.secondMoments),
            ("best/", bestParameters ?? NamedTensors()),
        ] {
            for (key, tensor) in tensors { try writer.add(tensor, named: prefix + key) }
        }
        let configurationJSON = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
        writer.metadata = [
            "format": Self.format,
            "configuration": configurationJSON,
            "completed_epochs": String(completedEpochs),
            "step": String(step),
            "adam_step": String(optimizer.step),
            "stale_epochs": String(staleEpochs),
            "best_epoch": bestEpoch.map(String.init) ?? "",
            "last_loss": String(lastLoss),
            "best_validation_loss": String(bestValidationLoss),
        ]
        try writer.write(to: path)
    }
}
