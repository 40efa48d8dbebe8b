// libFuzzer target: `RecordedAnswers(contentsOf:)`, the reader of answers a model already
// gave (JSON Lines of {"id", "label" | "error", "confidence"?, "probabilities"?,
// "latency_seconds"?, "usage"?, "text"?}), which `squire eval --answers` scores without
// calling the model again. The file is often written by another program. What must hold,
// besides never crashing: a file is read or refused with DatasetError naming a line; every
// answer read has a confidence and probabilities in 0…1 and a finite, non-negative latency;
// and the answers can be scored: their costs sum (CostSummary) without overflow.
// Built and run by Scripts/fuzz/fuzz.sh.
import Foundation
import SquireCore
import SquireEval

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecordedAnswers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = ScratchFolder.write(UnsafeRawBufferPointer(start: data, count: size), as: "answers.jsonl")
    let answers: RecordedAnswers
    do {
        answers = try RecordedAnswers(contentsOf: URL(fileURLWithPath: path))
    } catch is DatasetError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    // Examples without text, so no recorded text can disagree and every answer is scored.
    let examples = answers.ids.sorted().map { LabeledExample(id: $0, text: "", label: "refund") }
    let predictions: [Prediction]
    do {
        predictions = try answers.predictions(for: examples)
    } catch is DatasetError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    for prediction in predictions {
        if !(prediction.latencySeconds.isFinite && prediction.latencySeconds >= 0) {
            fatalError("latency \(prediction.latencySeconds) for \(prediction.id)")
        }
        guard let answer = prediction.classification else { continue }
        let outside = answer.probabilities.values.contains { !(0...1).contains($0) }
        if !(0...1).contains(answer.confidence) || outside {
            fatalError("confidence or probabilities outside 0…1: \(answer)")
        }
    }
    _ = CostSummary(predictions: predictions)
    return 0
}
