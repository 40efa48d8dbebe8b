// libFuzzer target: `OpenAIClassifier.answer(in:labels:)`, which reads the body an
// OpenAI-compatible server sent back for a chat completion (a server Squire does not
// control, possibly a local gateway) into one label and the call's token counts. What must
// hold, besides never crashing: a body is read or refused with ModelError; the label read
// is one of the labels asked for (no response can widen the label set); and token counts
// are ones a call can have — not negative (a negative cost) and below 2³¹ (sums in cost
// reports would overflow). Built and run by Scripts/fuzz/fuzz.sh.
import Foundation
import SquireCore
import SquireFrontier

private let labels = ["refund", "card_block", "billing", "other"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpenAIResponse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(UnsafeRawBufferPointer(start: data, count: size))
    do {
        let answer = try OpenAIClassifier.answer(in: body, labels: labels)
        if !labels.contains(answer.label) { fatalError("read the label \(answer.label), which was not asked for") }
        let possible = 0...Int(Int32.max)
        if !possible.contains(answer.inputTokens) || !possible.contains(answer.outputTokens) {
            fatalError("impossible token counts: \(answer)")
        }
    } catch is ModelError {
    } catch {
        fatalError("untyped error \(error)")
    }
    return 0
}
