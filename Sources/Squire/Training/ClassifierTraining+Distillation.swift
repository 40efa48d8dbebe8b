public import SquireData
import SquireEval
public import SquireLoRA
public import SquireModels

extension ClassifierTraining {
    /// The student a distillation trains.
    public enum Student: Sendable, Hashable {
        /// A tiny transformer trained from scratch.
        case tinyTransformer(TinyTransformerClassifier.Configuration = TinyTransformerClassifier.Configuration())
        /// A LoRA fine-tune of the base encoder.
        case lora(LoRAClassifier.Recipe = LoRAClassifier.Recipe())
    }

    /// A student trained on a teacher's soft labels (from ``TeacherLabeling`` or
    /// `squire label`) with the distillation loss α·T²·KL(teacher_T ‖ student_T) +
    /// (1 − α)·cross-entropy(label), its epoch chosen and calibrated on the validation set
    /// as the student's own recipe does. A teacher that gave no probabilities for a text
    /// counts as all mass on its label.
    ///
    /// - Throws: `TrainingError` for empty labels or a row that is not a distribution,
    ///   before any training.
    public static func distill(
        _ student: Student = .tinyTransformer(), from labels: [TeacherLabel], distillation: Distillation,
        options: TrainingOptions = TrainingOptions(), progress: (TrainingEvent) -> Void = { _ in }
    ) throws -> TrainedClassifier {
        guard !labels.isEmpty else { throw TrainingError.noExamples }
        let teacher = try TeacherProbabilities(labels, distillation: distillation)
        let data = try Dataset(
            name: options.trainingDataDescription ?? "teacher labels",
            examples: labels.map { LabeledExample(id: $0.id, text: $0.text, label: $0.label) })
        switch student {
        case .tinyTransformer(let configuration):
            return try tinyTransformer(configuration, on: data, teacher: teacher, options: options, progress: progress)
        case .lora(let recipe):
            return try lora(recipe, on: data, teacher: teacher, options: options, progress: progress)
        }
    }
}
