import Foundation
import Squire

/// The kinds of file the commands write, each recognized by what Squire always puts in it,
/// so a command replaces its own earlier output and nothing else.
extension OutputKind {
    /// `squire predict`'s lines.
    static let predictions = jsonLines("predictions file", keys: ["text", "label", "confidence", "model_version"])
    /// `squire embed`'s lines.
    static let embeddings = jsonLines("embeddings file", keys: ["text", "embedding"])
    /// `squire tokenize`'s lines.
    static let tokens = jsonLines("token ids file", keys: ["text", "ids"])
    /// `squire label`'s lines: a human-labelled file has no `usage` or `probabilities`.
    static let teacherLabels = jsonLines(
        "labelled file", keys: ["id", "text", "label", "confidence", "probabilities", "usage"])
    /// A dataset `squire verify` or `synthesize` wrote: it has its datasheet beside it, which
    /// a user's own labelled file does not.
    static let dataset = OutputKind("dataset with its datasheet") { path in
        FileManager.default.fileExists(atPath: Datasheet.location(for: URL(fileURLWithPath: path)).path)
    }
    /// `squire verify`'s review and removed lists.
    static let verificationNotes = jsonLines("verification list", keys: ["example", "filter", "reason"])
    /// `squire eval --report`.
    static let evalReport = json("eval report", EvalReport.self)
    /// `squire train --report`: the head search of a frozen-encoder head, or a fit's summary.
    static let trainingReport = OutputKind("training report") { path in
        json("", ClassifierTrainingReport.self).recognizes(path) || json("", TrainingSummary.self).recognizes(path)
    }
    /// `squire distill --report`.
    static let distillationReport = json("distillation report", DistillationComparison.self)
    /// `squire profile --output`.
    static let profile = json("drift profile", ReferenceProfile.self)
    /// `squire drift --state`. An existing state is resumed, not replaced, and refused with
    /// its reason when it is not one; so of the rule only "never an input" applies.
    static let driftState = OutputKind("drift state") { _ in true }
    /// `squire drift --queue`: observations, never more than the budget's queue size, where
    /// a production log (the same lines) holds a window's worth or more.
    static func labellingQueue(holdingAtMost size: Int) -> OutputKind {
        OutputKind("labelling queue") { path in
            jsonLines("", keys: ["label", "confidence"]).recognizes(path) && lineCount(of: path, upTo: size + 1) <= size
        }
    }
    /// `--html` of `squire eval` and `gate`.
    static let htmlReport = text("HTML report", marker: EvalReport.htmlMark)
    /// `--markdown` of `squire eval` and `gate`.
    static let markdownReport = text("Markdown report", marker: EvalReport.markdownMark)
    /// `squire demo --output`: the bundle is the first thing it writes.
    static let demoFolder = folder("demo folder", holding: "model/manifest.json")

    /// The number of non-empty lines in a file, counting no further than `limit`.
    private static func lineCount(of path: String, upTo limit: Int) -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else { return 0 }
        defer { try? handle.close() }
        var count = 0
        var lineHasContent = false
        while count < limit, let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            for byte in chunk {
                if byte == UInt8(ascii: "\n") {
                    if lineHasContent { count += 1 }
                    lineHasContent = false
                } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\r") {
                    lineHasContent = true
                }
            }
        }
        return lineHasContent ? count + 1 : count
    }
}
