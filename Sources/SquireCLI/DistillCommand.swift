import ArgumentParser
import Foundation
import SquireCore
import SquireData
import SquireEval
import SquireModels

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

    func validate() throws {
        guard temperature > 0, (0...1).contains(softWeight) else {
            throw ValidationError("--temperature must be positive and --soft-weight in 0...1")
        }
        if teacher != nil, evaluation == nil {
            throw ValidationError("--teacher is measured on --evaluation; pass both")
        }
    }

    func run() async throws {
        let labels = try TeacherLabel.load(contentsOf: URL(fileURLWithPath: data))
        guard !labels.isEmpty else { throw ValidationError("\(data) holds no teacher labels") }
        let (order, rows) = TeacherLabel.probabilityRows(labels)
        let distillation = try Distillation(temperature: temperature, softWeight: softWeight)
        // Every row is checked before any training.
        _ = try TeacherTargets(probabilities: rows, labels: order, distillation: distillation)
        let teacherRows = TrainCommand.Teacher(
            labels: order,
            probabilities: Dictionary(zip(labels.map(\.id), rows), uniquingKeysWith: { first, _ in first }),
            distillation: distillation)
        var arguments = ["--data", data, "--output", output, "--seed", String(seed)]
        if let lora { arguments += ["--lora", lora] } else { arguments += ["--head", student.rawValue] }
        if let validation { arguments += ["--validation", validation] }
        if let epochs { arguments += ["--epochs", String(epochs)] }
        if let base { arguments += ["--base", base] }
        let train = try TrainCommand.parse(arguments)
        try train.train(teacher: teacherRows)

        guard let evaluation else { return }
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: evaluation))
        let studentBundle = try OpenedBundle(folder: output)
        let runner = EvalRunner(batchSize: 32, maximumConcurrency: 1)
        let studentReport = try await EvalReport.evaluate(
            studentBundle.classifier, named: "student", on: dataset, runner: runner)
        var summary: [String: Double] = [
            "student_accuracy": studentReport.metrics.accuracy, "student_macro_f1": studentReport.metrics.macro.f1,
        ]
        var line = "student on \(dataset.name): accuracy \(String(format: "%.4f", studentReport.metrics.accuracy))"
        if let teacher {
            let model = try TeacherModel.open(teacher, labels: dataset.labels, option: "--teacher")
            let teacherReport = try await EvalReport.evaluate(
                model.classifier, named: "teacher", on: dataset,
                runner: EvalRunner(batchSize: model.batchSize, maximumConcurrency: model.concurrency))
            let kept = studentReport.metrics.accuracy / max(teacherReport.metrics.accuracy, 1e-12)
            summary["teacher_accuracy"] = teacherReport.metrics.accuracy
            summary["teacher_macro_f1"] = teacherReport.metrics.macro.f1
            summary["accuracy_kept"] = kept
            line +=
                "; teacher \(String(format: "%.4f", teacherReport.metrics.accuracy)); the student keeps \(String(format: "%.1f", kept * 100))% of the teacher's accuracy"
        }
        print(line)
        if let report {
            try AtomicFile.write(
                Array(try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys, .prettyPrinted])),
                to: report)
        }
    }
}
