import Foundation
import SquireModels
import SquireTensor
import Testing

/// A calibration is shipped only when it makes confidences more honest on rows it was not
/// fitted on: the rule every recipe (logistic, MLP, tiny transformer, LoRA) calibrates by.
@Suite struct OutOfFoldCalibrationTests {
    /// `count` rows of honest logits over three labels: each row's label is drawn from the
    /// softmax of its logits, so confidences match accuracy.
    static func honestRows(count: Int, seed: UInt64) throws -> (logits: [[Float]], labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        var logits: [[Float]] = []
        var labels: [Int] = []
        for _ in 0..<count {
            let row = (0..<3).map { _ in Float.random(in: -2...2, using: &generator) * 1.5 }
            let exponentials = row.map { exp(Double($0)) }
            let total = exponentials.reduce(0, +)
            var draw = Double.random(in: 0..<1, using: &generator) * total
            var label = 0
            while label < 2, draw >= exponentials[label] {
                draw -= exponentials[label]
                label += 1
            }
            logits.append(row)
            labels.append(label)
        }
        return (logits, labels)
    }

    static func tensor(_ rows: [[Float]]) throws -> Tensor {
        try Tensor(shape: [rows.count, 3], scalars: rows.flatMap { $0 })
    }

    @Test func keptWhenEveryFoldIsOverconfidentAlike() throws {
        let (honest, labels) = try Self.honestRows(count: 900, seed: 1)
        // Three times too sharp everywhere: a temperature near 3 fitted on any two folds fixes the third.
        let sharp = honest.map { $0.map { $0 * 3 } }
        let fit = try OutOfFoldCalibration(
            logits: Self.tensor(sharp), classIndices: labels, groups: labels.indices.map { $0 % 3 })
        #expect(fit.kept)
        #expect(fit.calibration == fit.fitted)
        #expect(fit.eceCrossFitted < fit.eceBefore / 2, "\(fit.eceBefore) → \(fit.eceCrossFitted)")
        guard case .temperature(let temperature) = fit.fitted else {
            Issue.record("three labels calibrate by temperature")
            return
        }
        #expect(abs(temperature - 3) < 0.6, "\(temperature)")
    }

    @Test func droppedWhenItWouldMakeConfidencesLessHonest() throws {
        let (honest, labels) = try Self.honestRows(count: 900, seed: 2)
        // One fold three times too sharp, the other three times too soft: each fold's temperature,
        // fitted on the other, pushes it further the wrong way. Shipping it would make the
        // confidences worse than the plain softmax, so none is shipped.
        let groups = labels.indices.map { $0 % 2 }
        let mixed = zip(honest, groups).map { row, group in row.map { group == 0 ? $0 * 3 : $0 / 3 } }
        let fit = try OutOfFoldCalibration(logits: Self.tensor(mixed), classIndices: labels, groups: groups)
        #expect(fit.eceCrossFitted > fit.eceBefore, "\(fit.eceBefore) → \(fit.eceCrossFitted)")
        #expect(!fit.kept)
        #expect(fit.calibration == .none)
        #expect(fit.eceAfter == fit.eceBefore)
    }

    @Test func needsTwoGroupsAndOnePerRow() throws {
        let (honest, labels) = try Self.honestRows(count: 30, seed: 3)
        #expect(throws: TrainingError.self) {
            try OutOfFoldCalibration(
                logits: Self.tensor(honest), classIndices: labels, groups: Array(repeating: 0, count: 30))
        }
        #expect(throws: TrainingError.self) {
            try OutOfFoldCalibration(logits: Self.tensor(honest), classIndices: labels, groups: [0, 1])
        }
    }
}
