public import SquireCore
public import SquireEval

/// How much of its teacher's accuracy a distilled student keeps, both measured on the same
/// labelled set.
public struct DistillationComparison: Sendable, Hashable, Codable {
    /// The student's accuracy.
    public var studentAccuracy: Double
    /// The student's macro-averaged F1.
    public var studentMacroF1: Double
    /// The teacher's accuracy, when the teacher was measured.
    public var teacherAccuracy: Double?
    /// The teacher's macro-averaged F1, when the teacher was measured.
    public var teacherMacroF1: Double?
    /// The student's accuracy as a share of the teacher's, when the teacher was measured.
    public var accuracyKept: Double?

    enum CodingKeys: String, CodingKey {
        case studentAccuracy = "student_accuracy"
        case studentMacroF1 = "student_macro_f1"
        case teacherAccuracy = "teacher_accuracy"
        case teacherMacroF1 = "teacher_macro_f1"
        case accuracyKept = "accuracy_kept"
    }

    /// Measures `student` and, when given, `teacher` with its own runner (a frontier teacher
    /// wants calls in flight; a local one already uses every core) on `dataset`.
    public static func measure(
        student: some TextClassifier, teacher: (classifier: any TextClassifier, runner: EvalRunner)? = nil,
        on dataset: Dataset
    ) async throws -> DistillationComparison {
        let studentReport = try await EvalReport.evaluate(
            student, named: "student", on: dataset, runner: EvalRunner(batchSize: 32, maximumConcurrency: 1))
        var comparison = DistillationComparison(
            studentAccuracy: studentReport.metrics.accuracy, studentMacroF1: studentReport.metrics.macro.f1)
        if let teacher {
            let teacherReport = try await EvalReport.evaluate(
                teacher.classifier, named: "teacher", on: dataset, runner: teacher.runner)
            comparison.teacherAccuracy = teacherReport.metrics.accuracy
            comparison.teacherMacroF1 = teacherReport.metrics.macro.f1
            comparison.accuracyKept = studentReport.metrics.accuracy / max(teacherReport.metrics.accuracy, 1e-12)
        }
        return comparison
    }
}
