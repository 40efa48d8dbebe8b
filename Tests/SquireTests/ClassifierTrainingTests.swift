import Foundation
import Squire
import Testing

/// Every training recipe through the public API alone: progress, report, bundle on request,
/// cancellation that leaves nothing behind.
@Suite(.enabled(if: Fixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct ClassifierTrainingTests {
    /// A logistic head reports embedding progress for both sets and its choice, and with an
    /// explicit validation set says so in its report and card.
    @Test func frozenHeadReportsProgressAndItsChoice() async throws {
        let all = try Fixtures.dataset()
        let split = try all.stratifiedSplit(validationFraction: 0.25, testFraction: 0, seed: 1)
        var events: [TrainingEvent] = []
        let options = TrainingOptions(validation: split.validation, name: "router", validationDescription: "held.jsonl")
        let trained = try ClassifierTraining.frozenHead(
            ClassifierRecipe(head: .logistic, inverseRegularizations: [1, 10]), on: split.train, options: options
        ) { events.append($0) }

        #expect(events.contains(.embedding(.training, done: split.train.count, total: split.train.count)))
        #expect(events.contains(.embedding(.validation, done: split.validation.count, total: split.validation.count)))
        let notes = events.compactMap { if case .note(let line) = $0 { line } else { nil } }
        #expect(notes.contains { $0.hasPrefix("C=1.0: validation accuracy") })
        #expect(notes.contains { $0.hasPrefix("C=10.0: validation accuracy") })

        let report = trained.report
        #expect(report.kind == .logisticHead)
        #expect(["C=1.0", "C=10.0"].contains(report.summary))
        #expect(report.headSelection?.crossValidation.candidates.count == 2)
        #expect(report.validationCount == split.validation.count)
        #expect(!report.validationWasCarved)
        #expect(report.fit == nil)
        #expect(trained.card.name == "router")
        #expect(trained.card.evaluationData == "\(split.validation.count) examples of held.jsonl")
        #expect(trained.card.labelCounts == split.train.labelCounts)
        #expect(trained.card.evaluation["validation_accuracy"] == report.validationAccuracy)
        // The accuracy it reports is the accuracy of its answers on the validation set.
        let texts = split.validation.examples.map(\.text)
        let answers = try await trained.classifier.classify(texts)
        let correct = zip(answers, split.validation.examples).filter { $0.label == $1.label }.count
        #expect(report.validationAccuracy == Double(correct) / Double(texts.count))

        // The report is a typed, encodable value with the CLI's keys.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        #expect(json?["validation_accuracy"] as? Double == report.validationAccuracy)
        #expect(json?["head_selection"] != nil)
    }

    /// A tiny transformer reports its steps and epochs and writes the bundle it was asked for.
    @Test func tinyTransformerWritesTheBundleAskedFor() throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("tiny").path
        var steps: [TrainingProgress] = []
        let trained = try ClassifierTraining.tinyTransformer(
            Fixtures.smallTransformer, on: try Fixtures.dataset(), options: TrainingOptions(bundleFolder: output)
        ) { if case .step(let step) = $0 { steps.append(step) } }
        #expect(steps.contains { $0.validationLoss != nil && $0.epoch == 1 })
        #expect(steps.last?.epoch == trained.report.fit?.epochs)
        #expect(trained.report.validationWasCarved)
        #expect(try ModelBundle(folder: output).version == trained.version)
    }

    /// By default the tiny transformer picks its epochs by early stopping on a carve and then
    /// refits on everything; with folds it reads every fold's curve and reports the choice.
    @Test func tinyTransformerRefitsAndChoosesEpochsByFoldsWhenAsked() throws {
        let data = try Fixtures.dataset()
        var notes: [String] = []
        let carved = try ClassifierTraining.tinyTransformer(Fixtures.smallTransformer, on: data) {
            if case .note(let line) = $0 { notes.append(line) }
        }
        let chosen = try #require(carved.report.fit?.epochs)
        #expect(notes.contains("refit on all \(data.count) examples for \(chosen) epochs"))
        #expect(carved.report.epochSelection == nil && carved.report.crossValidatedAccuracy == nil)

        let folded = try ClassifierTraining.tinyTransformer(
            Fixtures.smallTransformer, on: data, options: TrainingOptions(folds: 3))
        let selection = try #require(folded.report.epochSelection)
        #expect(selection.foldCount == 3 && selection.candidates.first?.setting == "epochs=1")
        #expect(selection.candidates.allSatisfy { $0.folds.count == 3 })
        #expect(folded.report.fit?.epochs == selection.chosenIndex + 1)
        #expect(folded.report.crossValidatedAccuracy == selection.chosen.mean.accuracy)
        #expect(folded.card.markdown.contains("## Hyperparameter selection"))
    }

    /// Cancelling mid-epoch stops at once, throws `CancellationError`, and writes no bundle;
    /// the same holds while the frozen encoder embeds.
    @Test func cancellingStopsPromptlyAndWritesNothing() async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Fixtures.dataset()
        var configuration = Fixtures.smallTransformer
        configuration.training.epochs = 50
        configuration.training.batchSize = 2
        configuration.training.earlyStoppingPatience = nil
        let output = folder.appendingPathComponent("tiny").path
        let steps = StepCounter()
        let task = Task { () throws -> TrainedClassifier in
            try ClassifierTraining.tinyTransformer(
                configuration, on: data, options: TrainingOptions(bundleFolder: output)
            ) { event in
                guard case .step(let step) = event, step.validationLoss == nil else { return }
                steps.count += 1
                // Cancel from inside the third step of the first epoch: mid-epoch, deterministically.
                if steps.count == 3 { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        // The step that saw the cancellation was the last: no further update ran.
        #expect(steps.count == 3)
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)

        let embedding = Task { () throws -> TrainedClassifier in
            try ClassifierTraining.frozenHead(
                ClassifierRecipe(), on: data, options: TrainingOptions(bundleFolder: output)
            ) { event in
                if case .embedding = event { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        await #expect(throws: CancellationError.self) { try await embedding.value }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// A LoRA student distilled from a teacher's soft labels, and a distillation whose
    /// teacher rows are not distributions, refused before any training.
    @Test func distillsFromTeacherLabels() throws {
        let labels = Fixtures.rows.enumerated().map { index, row in
            let others = ["card", "refund", "address"].filter { $0 != row.1 }
            return TeacherLabel(
                id: "t\(index)", text: row.0, label: row.1, confidence: 0.8,
                probabilities: [row.1: 0.8, others[0]: 0.15, others[1]: 0.05])
        }
        var progressSteps = 0
        let trained = try ClassifierTraining.distill(
            .lora(Fixtures.smallLoRA), from: labels, distillation: try Distillation(temperature: 2, softWeight: 0.5)
        ) { if case .step = $0 { progressSteps += 1 } }
        #expect(trained.kind == .lora)
        #expect(progressSteps > 0)
        #expect(trained.card.trainingData == "teacher labels")
        #expect(Set(trained.classifier.labels) == ["card", "refund", "address"])

        var broken = labels
        broken[0].probabilities = ["card": 2, "refund": -1]
        #expect(throws: TrainingError.self) {
            try ClassifierTraining.distill(from: broken, distillation: try Distillation())
        }
        #expect(throws: TrainingError.noExamples) {
            try ClassifierTraining.distill(from: [], distillation: try Distillation())
        }
    }

    /// A bundle folder that holds the user's own files is refused before any training, and
    /// nothing in it changes.
    @Test func refusesToReplaceTheUsersOwnFolder() throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let notes = folder.appendingPathComponent("notes.txt")
        try Data("mine".utf8).write(to: notes)
        var embedded = 0
        #expect(
            throws: OutputError.occupied(output: folder.path, kind: "bundle folder", found: "a folder holding 1 item")
        ) {
            try ClassifierTraining.frozenHead(
                ClassifierRecipe(), on: try Fixtures.dataset(), options: TrainingOptions(bundleFolder: folder.path)
            ) { if case .embedding = $0 { embedded += 1 } }
        }
        #expect(embedded == 0)
        #expect(try String(contentsOf: notes, encoding: .utf8) == "mine")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["notes.txt"])
    }
}

/// Steps seen by a training task, read after it ends.
private final class StepCounter: @unchecked Sendable {
    var count = 0
}
