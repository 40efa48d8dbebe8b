import ArgumentParser
import Foundation
import Squire

/// `squire distill`: train a student on a teacher's soft labels and say how much of the
/// teacher's accuracy it keeps.
struct DistillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Train a student (tiny transformer or LoRA) on a teacher's probabilities from `squire label`.",
        discussion: """
            Reads the teacher's labels (.jsonl from `squire label`: "id", "text", "label" and the teacher's "probabilities"; a teacher that gave no probabilities counts as all mass on its label) and trains the student with the distillation loss α·T²·KL(teacher_T ‖ student_T) + (1 − α)·cross-entropy(label), choosing the epoch on 10% of the data (or --validation), then calibrates and writes the bundle as `squire train` does. With --evaluation, the student — and the teacher, with --teacher — are measured on a labelled set and the share of the teacher's accuracy the student keeps is printed (and written to --report).

            Examples:
              squire distill --data labelled.jsonl --student tiny-transformer --output student --evaluation test.jsonl --teacher lora-bundle
              squire distill --data labelled.jsonl --lora rank=8,alpha=16,targets=query,value --output student
            """)

    enum Student: String, ExpressibleByArgument {
        case tinyTransformer = "tiny-transformer"
    }

    @Option(name: .long, help: "The teacher's labels (.jsonl from `squire label`).")
    var data: String
    @Option(name: .long, help: "The student: tiny-transformer (default), unless --lora is given.")
    var student: Student = .tinyTransformer
    @Option(name: .long, help: "Train a LoRA student instead: \(LoRASpecification.usage).")
    var lora: String?
    @Option(name: .long, help: "Where to write the student's bundle folder.")
    var output: String
    @Option(name: .long, help: "The distillation temperature T.")
    var temperature = 2.0
    @Option(
        name: .long,
        help: "α: the share of the loss that follows the teacher's probabilities (0 trains on its labels alone).")
    var softWeight = 0.5
    @Option(
        name: .long, help: "Labelled validation texts for choosing the epoch and calibrating; default: 10% of --data.")
    var validation: String?
    @Option(name: .long, help: "Most epochs (default: 15 for the tiny transformer, 4 for LoRA).")
    var epochs: Int?
    @Option(name: .long, help: "The base encoder folder (vocabulary, and the LoRA base).")
    var base: String?
    @Option(name: .long, help: "Seed for the validation split and training.")
    var seed: UInt64 = 0
    @Option(name: .long, help: "A labelled set to measure the student (and --teacher) on.")
    var evaluation: String?
    @Option(
        name: .long,
        help: "The teacher's bundle folder or frontier model file, measured on --evaluation beside the student.")
    var teacher: String?
    @Option(name: .long, help: "Write the distillation report (.json) here.")
    var report: String?
    @OptionGroup var force: ForceOption

    func validate() throws {
        guard temperature > 0, (0...1).contains(softWeight) else {
            throw ValidationError("--temperature must be positive and --soft-weight in 0...1")
        }
        guard epochs.map({ $0 > 0 }) ?? true else { throw ValidationError("--epochs must be positive") }
        if teacher != nil, evaluation == nil {
            throw ValidationError("--teacher is measured on --evaluation; pass both")
        }
    }

    func run() async throws {
        let inputs = [data, validation, base ?? ModelFolder.allMiniLML6V2, evaluation, teacher].compactMap { $0 }
        let destination = try OutputDestination(output, kind: .bundle, inputs: inputs, force: force.force)
        let reportDestination = try report.map {
            try OutputDestination($0, kind: .distillationReport, inputs: inputs + [output], force: force.force)
        }
        let labels = try TeacherLabel.load(contentsOf: URL(fileURLWithPath: data))
        guard !labels.isEmpty else { throw ValidationError("\(data) holds no teacher labels") }
        let distillation = try Distillation(temperature: temperature, softWeight: softWeight)
        let chosen: ClassifierTraining.Student
        if let lora {
            var recipe = LoRAClassifier.Recipe(adapter: try LoRASpecification.parse(lora))
            if let epochs { recipe.training.epochs = epochs }
            chosen = .lora(recipe)
        } else {
            var configuration = TinyTransformerClassifier.Configuration()
            if let epochs { configuration.training.epochs = epochs }
            chosen = .tinyTransformer(configuration)
        }
        let options = TrainingOptions(
            base: base ?? ModelFolder.allMiniLML6V2,
            validation: try validation.map { try Dataset(contentsOf: URL(fileURLWithPath: $0)) }, seed: seed,
            bundleFolder: destination.replacesForeignItem ? nil : output,
            name: URL(fileURLWithPath: output).lastPathComponent,
            trainingDataDescription: URL(fileURLWithPath: data).lastPathComponent, validationDescription: validation)
        let status = StatusLine()
        let trained = try ClassifierTraining.distill(
            chosen, from: labels, distillation: distillation, options: options,
            progress: TrainCommand.report(to: status, data: data, validation: validation))
        if destination.replacesForeignItem { try destination.write { try trained.save(to: output) } }
        TrainCommand.printSummary(trained, output: output)

        guard let evaluation else { return }
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: evaluation))
        let teacherModel = try teacher.map { try TeacherModel.open($0, labels: dataset.labels, option: "--teacher") }
        let comparison = try await DistillationComparison.measure(
            student: trained.classifier,
            teacher: teacherModel.map {
                ($0.classifier, EvalRunner(batchSize: $0.batchSize, maximumConcurrency: $0.concurrency))
            }, on: dataset)
        var line = "student on \(dataset.name): accuracy \(String(format: "%.4f", comparison.studentAccuracy))"
        if let teacherAccuracy = comparison.teacherAccuracy, let kept = comparison.accuracyKept {
            line +=
                "; teacher \(String(format: "%.4f", teacherAccuracy)); the student keeps \(String(format: "%.1f", kept * 100))% of the teacher's accuracy"
        }
        print(line)
        if let report, let reportDestination {
            try reportDestination.write { try JSONOutput.write(comparison, to: report) }
        }
    }
}
